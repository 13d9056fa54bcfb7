import { asArray, asRecord, asStringMap, asText, isKind, type KubeObject } from '../kube-object';
import { violation, type Violation } from '../violation';

export const TRIGGER_ANNOTATION = 'rolling.restart.controller/triggerRestart';

/**
 * The ApiServerSource sends Reference events (no object data, so no Secret values, travel), selects
 * by a non-empty label selector, and that selector matches every ConfigMap that asks for restarts:
 * a ConfigMap without the label would change silently.
 */
export function checkSourceSelector(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  const sources = objects.filter((o) => isKind(o, 'sources.knative.dev', 'ApiServerSource'));
  const configMaps = objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap');
  for (const source of sources) {
    const spec = asRecord(source.spec);
    if (spec.mode !== 'Reference') {
      out.push(
        violation(
          source,
          'source-selector',
          `mode is ${asText(spec.mode, '<unset>')}, must be Reference (Resource mode ships Secret values in events)`,
        ),
      );
    }
    const watched = asArray(spec.resources)
      .map(asRecord)
      .find((r) => r.apiVersion === 'v1' && r.kind === 'ConfigMap');
    if (!watched) {
      out.push(violation(source, 'source-selector', 'does not watch v1 ConfigMaps'));
      continue;
    }
    const selector = asStringMap(asRecord(watched.selector).matchLabels);
    if (Object.keys(selector).length === 0) {
      out.push(
        violation(
          source,
          'source-selector',
          'watches ConfigMaps without a label selector (every ConfigMap change would wake the function)',
        ),
      );
      continue;
    }
    for (const cm of configMaps) {
      if (cm.metadata.annotations?.[TRIGGER_ANNOTATION] !== 'true') continue;
      if (cm.metadata.namespace !== source.metadata.namespace) continue;
      const labels = cm.metadata.labels ?? {};
      const absent = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
      if (absent.length > 0) {
        out.push(
          violation(
            cm,
            'source-selector',
            `has ${TRIGGER_ANNOTATION} but not the label ${absent.map(([k, v]) => `${k}=${v}`).join(', ')} that ApiServerSource/${source.metadata.name} selects`,
          ),
        );
      }
    }
  }
  return out;
}

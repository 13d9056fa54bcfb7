import { asRecord, asStringMap, describeObject, type KubeObject } from '../kube-object';
import { isKnativeService, podTemplateOf } from '../pod-templates';
import { violation, type Violation } from '../violation';

/**
 * Each core Service selects pods, and only pods of its own environment (`env` label), among all
 * the workloads applied to the namespace together.
 */
export function checkServiceSelectors(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  const templates = objects.filter((o) => !isKnativeService(o)).flatMap((o) => podTemplateOf(o) ?? []);
  for (const service of objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')) {
    const selector = asStringMap(asRecord(service.spec).selector);
    if (Object.keys(selector).length === 0) {
      out.push(violation(service, 'service-selector', 'has no selector'));
      continue;
    }
    const env = service.metadata.labels?.env;
    const selected = templates.filter(
      (t) =>
        (t.owner.metadata.namespace ?? '') === (service.metadata.namespace ?? '') &&
        Object.entries(selector).every(([k, v]) => t.labels[k] === v),
    );
    if (selected.length === 0) out.push(violation(service, 'service-selector', 'selects no pods'));
    for (const t of selected.filter((t) => t.labels.env !== env)) {
      out.push(
        violation(
          service,
          'service-selector',
          `env=${env ?? '<none>'} but selects pods of ${describeObject(t.owner)} (env=${t.labels.env ?? '<none>'})`,
        ),
      );
    }
  }
  return out;
}

import { asRecord, type KubeObject } from '../kube-object';
import { isKnativeService, podTemplateOf } from '../pod-templates';
import { violation, type Violation } from '../violation';

function missing(actual: unknown, expected: Record<string, string>): string[] {
  const labels = asRecord(actual);
  return Object.entries(expected)
    .filter(([k, v]) => labels[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
}

/**
 * Every object carries the expected labels, and so does every label selector and pod template in
 * it (a selector without `env` would let one environment's Service or Deployment take the other's
 * pods when both overlays share a namespace).
 */
export function checkLabels(
  objects: KubeObject[],
  expected: Record<string, string>,
  withSelectors = true,
): Violation[] {
  const out: Violation[] = [];
  const report = (object: KubeObject, where: string, actual: unknown) => {
    const absent = missing(actual, expected);
    if (absent.length > 0) out.push(violation(object, 'labels', `${where} lacks ${absent.join(', ')}`));
  };
  for (const object of objects) {
    report(object, 'metadata.labels', object.metadata?.labels);
    if (!withSelectors) continue;
    const template = podTemplateOf(object);
    if (template && !isKnativeService(object)) {
      report(object, 'spec.selector.matchLabels', asRecord(asRecord(object.spec).selector).matchLabels);
      report(object, 'spec.template.metadata.labels', template.labels);
    }
    if (object.kind === 'Service' && object.apiVersion === 'v1') {
      report(object, 'spec.selector', asRecord(object.spec).selector);
    }
  }
  return out;
}

import { asRecord, type KubeObject } from '../kube-object';
import { isKnativeService, podTemplateOf } from '../pod-templates';
import { violation, type Violation } from '../violation';

/**
 * Knative Services scale to zero between events (min-scale "0"), are capped (max-scale), and say
 * how many requests a pod takes and how long one may run.
 */
export function checkKsvcScale(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  for (const object of objects.filter(isKnativeService)) {
    const template = podTemplateOf(object);
    if (!template) continue;
    const fail = (message: string) => out.push(violation(object, 'ksvc-scale', message));
    const min = template.annotations['autoscaling.knative.dev/min-scale'];
    if (min !== '0') fail(`autoscaling.knative.dev/min-scale is ${JSON.stringify(min)}, must be "0"`);
    const max = template.annotations['autoscaling.knative.dev/max-scale'];
    if (!/^[1-9][0-9]*$/.test(max ?? ''))
      fail(`autoscaling.knative.dev/max-scale must be a positive number, is ${JSON.stringify(max)}`);
    const spec = asRecord(template.spec);
    if (typeof spec.containerConcurrency !== 'number') fail('spec.template.spec.containerConcurrency is not set');
    if (typeof spec.timeoutSeconds !== 'number') fail('spec.template.spec.timeoutSeconds is not set');
  }
  return out;
}

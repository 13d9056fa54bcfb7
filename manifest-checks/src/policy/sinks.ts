import { asRecord, asText, groupOf, isKind, type KubeObject } from '../kube-object';
import { violation, type Violation } from '../violation';

function resolves(objects: KubeObject[], from: KubeObject, ref: Record<string, unknown>): boolean {
  return objects.some(
    (o) =>
      o.apiVersion === ref.apiVersion &&
      o.kind === ref.kind &&
      o.metadata.name === ref.name &&
      (o.metadata.namespace ?? '') === asText(ref.namespace ?? from.metadata.namespace),
  );
}

/** Every event source and Trigger delivers to an object that is deployed with it. */
export function checkSinks(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    const spec = asRecord(o.spec);
    let ref: Record<string, unknown> | undefined;
    let field = 'spec.sink.ref';
    if (groupOf(o.apiVersion) === 'sources.knative.dev') ref = asRecord(asRecord(spec.sink).ref);
    else if (isKind(o, 'eventing.knative.dev', 'Trigger')) {
      ref = asRecord(asRecord(spec.subscriber).ref);
      field = 'spec.subscriber.ref';
      const broker = asText(spec.broker);
      if (!objects.some((b) => isKind(b, 'eventing.knative.dev', 'Broker') && b.metadata.name === broker)) {
        out.push(violation(o, 'sink', `spec.broker ${broker} does not exist`));
      }
    } else continue;
    if (isKind(o, 'sources.knative.dev', 'SinkBinding')) {
      // a SinkBinding whose subject is not deployed with it sets K_SINK on nothing
      const subject = asRecord(spec.subject);
      if (!resolves(objects, o, subject))
        out.push(violation(o, 'sink', `spec.subject ${String(subject.kind)}/${String(subject.name)} does not exist`));
    }
    if (Object.keys(ref).length === 0) {
      out.push(violation(o, 'sink', `${field} is missing (a sink.uri cannot be checked here)`));
    } else if (!resolves(objects, o, ref)) {
      out.push(
        violation(
          o,
          'sink',
          `${field} ${String(ref.kind)}/${String(ref.name)} (${String(ref.apiVersion)}) does not exist`,
        ),
      );
    }
  }
  return out;
}

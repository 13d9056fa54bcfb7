import { asArray, asRecord, groupOf, type KubeObject } from './kube-object';

/** A pod template and what it belongs to. */
export interface PodTemplate {
  owner: KubeObject;
  /** Knative Services: probes have no port, PORT is reserved, pod-level fields are feature-flagged. */
  knative: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Record<string, unknown>;
  containers: Array<Record<string, unknown>>;
  initContainers: Array<Record<string, unknown>>;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function isWorkload(object: KubeObject): boolean {
  return (
    (groupOf(object.apiVersion) === 'apps' && WORKLOAD_KINDS.has(object.kind)) ||
    (groupOf(object.apiVersion) === 'serving.knative.dev' && object.kind === 'Service')
  );
}

export function isKnativeService(object: KubeObject): boolean {
  return groupOf(object.apiVersion) === 'serving.knative.dev' && object.kind === 'Service';
}

/** The pod template of a Deployment, StatefulSet, DaemonSet or Knative Service. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  if (!isWorkload(object)) return undefined;
  const template = asRecord(asRecord(object.spec).template);
  const metadata = asRecord(template.metadata);
  const spec = asRecord(template.spec);
  return {
    owner: object,
    knative: isKnativeService(object),
    labels: asRecord(metadata.labels) as Record<string, string>,
    annotations: asRecord(metadata.annotations) as Record<string, string>,
    spec,
    containers: asArray(spec.containers).map(asRecord),
    initContainers: asArray(spec.initContainers).map(asRecord),
  };
}

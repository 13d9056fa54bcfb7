// The objects the real deployment controller, ReplicaSet controller, scheduler and kubelet write,
// built from the local pods' state (pure: the supervisor applies them). Names and labels follow the
// real ones: ReplicaSet `<deployment>-<pod-template-hash>`, pod `<replicaset>-<5 chars>`, the
// `pod-template-hash` label, controller ownerReferences, `deployment.kubernetes.io/revision`.
import { randomBytes } from 'node:crypto';
import type { DeploymentLike, KubeObject, PodTemplate } from './kube-shapes';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const NODE_NAME = 'local';

/** Annotations the controller never copies from a Deployment to its ReplicaSets (deployment/util). */
const SKIP_COPY = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface ReplicaSetInput {
  deployment: DeploymentLike;
  templateHash: string;
  revision: number;
  replicas: number;
  maxSurge: number;
}

export function replicaSetNameFor(deployment: DeploymentLike, templateHash: string): string {
  return `${deployment.metadata?.name ?? 'deployment'}-${templateHash}`;
}

// rand.String's alphabet (no vowels, no 0/1/3): what `kubectl get pods` users are used to.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
export function podNameFor(replicaSet: string): string {
  const bytes = randomBytes(5);
  return `${replicaSet}-${[...bytes].map((b) => SAFE[b % SAFE.length]).join('')}`;
}

function ownerRef(obj: KubeObject, apiVersion: string, kind: string) {
  return {
    apiVersion,
    kind,
    name: obj.metadata?.name ?? '',
    uid: obj.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function templateWithHash(template: PodTemplate | undefined, templateHash: string): PodTemplate {
  const t = structuredClone(template ?? {});
  t.metadata = { ...t.metadata, labels: { ...t.metadata?.labels, 'pod-template-hash': templateHash } };
  return t;
}

export function buildReplicaSet(i: ReplicaSetInput): KubeObject {
  const dep = i.deployment;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(dep.metadata?.annotations ?? {})) if (!SKIP_COPY.has(k)) annotations[k] = v;
  const desired = dep.spec?.replicas ?? 1;
  annotations['deployment.kubernetes.io/desired-replicas'] = String(desired);
  annotations['deployment.kubernetes.io/max-replicas'] = String(desired + i.maxSurge);
  annotations[REVISION_ANNOTATION] = String(i.revision);
  const template = templateWithHash(dep.spec?.template, i.templateHash);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: replicaSetNameFor(dep, i.templateHash),
      namespace: dep.metadata?.namespace,
      labels: { ...template.metadata?.labels },
      annotations,
      ownerReferences: [ownerRef(dep, 'apps/v1', 'Deployment')],
    },
    spec: {
      replicas: i.replicas,
      selector: {
        matchLabels: { ...(dep.spec?.selector?.matchLabels ?? {}), 'pod-template-hash': i.templateHash },
      },
      template,
    },
  };
}

export function replicaSetStatus(replicas: number, ready: number, generation: number): Record<string, unknown> {
  return {
    replicas,
    fullyLabeledReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: generation,
  };
}

export function buildPod(replicaSet: KubeObject, name: string): KubeObject {
  const template = (replicaSet.spec as { template?: PodTemplate } | undefined)?.template ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: replicaSet.metadata?.namespace,
      labels: { ...template.metadata?.labels },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRef(replicaSet, 'apps/v1', 'ReplicaSet')],
    },
    spec: { ...structuredClone(template.spec ?? {}), nodeName: NODE_NAME },
  };
}

/** Where the local container is in its life, as the kubelet reports it. */
export type ContainerPhase =
  | { state: 'starting' }
  | { state: 'running'; startedAt: string; ready: boolean; pid?: number }
  | { state: 'backoff'; reason: string };

export interface PodStatusInput {
  container: string;
  image: string;
  phase: ContainerPhase;
  scheduledAt: string;
  restartCount: number;
  lastTerminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string };
  now: string;
}

export function podStatus(i: PodStatusInput): Record<string, unknown> {
  const running = i.phase.state === 'running' ? i.phase : undefined;
  const ready = running?.ready === true;
  const cond = (type: string, status: boolean) => ({
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: i.now,
  });
  const state =
    i.phase.state === 'running'
      ? { running: { startedAt: i.phase.startedAt } }
      : i.phase.state === 'backoff'
        ? { waiting: { reason: i.phase.reason, message: `back-off restarting failed container ${i.container}` } }
        : { waiting: { reason: 'ContainerCreating' } };
  return {
    phase: i.phase.state === 'starting' && i.restartCount === 0 ? 'Pending' : 'Running',
    conditions: [
      cond('Initialized', true),
      cond('Ready', ready),
      cond('ContainersReady', ready),
      cond('PodScheduled', true),
    ],
    hostIP: '127.0.0.1',
    podIP: running ? '127.0.0.1' : undefined,
    startTime: i.scheduledAt,
    containerStatuses: [
      {
        name: i.container,
        image: i.image,
        imageID: '',
        ...(running?.pid !== undefined ? { containerID: `local://${running.pid}` } : {}),
        ready,
        started: running !== undefined,
        restartCount: i.restartCount,
        state,
        ...(i.lastTerminated ? { lastState: { terminated: i.lastTerminated } } : {}),
      },
    ],
    qosClass: 'Burstable',
  };
}

export interface EventInput {
  involved: KubeObject;
  reason: string;
  message: string;
  component: string;
  type?: 'Normal' | 'Warning';
  now: string;
  fieldPath?: string;
}

/** A core/v1 Event as client-go's recorder writes it (name `<object>.<hex nanos>`). */
export function buildEvent(i: EventInput): KubeObject {
  const o = i.involved;
  const nanos = (BigInt(Date.now()) * 1_000_000n + BigInt(randomBytes(2).readUInt16BE(0))).toString(16);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${o.metadata?.name ?? 'object'}.${nanos}`, namespace: o.metadata?.namespace },
    involvedObject: {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata?.name,
      namespace: o.metadata?.namespace,
      uid: o.metadata?.uid,
      ...(o.metadata?.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
      ...(i.fieldPath ? { fieldPath: i.fieldPath } : {}),
    },
    reason: i.reason,
    message: i.message,
    source: { component: i.component, ...(i.component === 'kubelet' ? { host: NODE_NAME } : {}) },
    firstTimestamp: i.now,
    lastTimestamp: i.now,
    count: 1,
    type: i.type ?? 'Normal',
    eventTime: null,
    reportingComponent: i.component,
    reportingInstance: i.component === 'kubelet' ? NODE_NAME : '',
  };
}

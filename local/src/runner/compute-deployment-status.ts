// The Deployment status a deployment controller would write for the local pods, shaped so that
// `kubectl rollout status` reads it the same way: it waits until observedGeneration has caught up,
// updatedReplicas reaches spec.replicas, no old replicas remain and all updated ones are available.
import { createHash } from 'node:crypto';
import type { PodTemplate } from './kube-shapes';

export interface LocalPodState {
  /** Template hash the pod was started from. */
  templateHash: string;
  ready: boolean;
}

export interface DeploymentStatusInput {
  generation: number;
  desiredReplicas: number;
  currentTemplateHash: string;
  pods: readonly LocalPodState[];
  /** Why the newest pods cannot start, if that is the case (shown in the Progressing condition). */
  failure?: string;
  previousConditions?: readonly DeploymentCondition[];
  /** The new ReplicaSet's name, for the controller's own Progressing messages. */
  replicaSetName?: string;
  now: string;
}

export interface DeploymentCondition {
  type: 'Available' | 'Progressing';
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export interface DeploymentStatus {
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas?: number;
  conditions: DeploymentCondition[];
}

/** A stable hash of a pod template: key order and null fields do not matter, any value change does. */
export function hashPodTemplate(template: PodTemplate | undefined): string {
  return createHash('sha256')
    .update(stableStringify(template ?? {}))
    .digest('hex')
    .slice(0, 10);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      // null = absent, as the apiserver's Go types decode it (kubectl rollout undo sends creationTimestamp: null)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function computeDeploymentStatus(input: DeploymentStatusInput): DeploymentStatus {
  const updated = input.pods.filter((p) => p.templateHash === input.currentTemplateHash);
  const ready = input.pods.filter((p) => p.ready).length;
  const available = ready;
  const updatedReady = updated.filter((p) => p.ready).length;
  const complete =
    updated.length >= input.desiredReplicas &&
    input.pods.length === updated.length &&
    updatedReady >= input.desiredReplicas;

  const progressing: Pick<DeploymentCondition, 'status' | 'reason' | 'message'> = input.failure
    ? { status: 'False', reason: 'ProgressDeadlineExceeded', message: input.failure }
    : complete
      ? {
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: input.replicaSetName
            ? `ReplicaSet "${input.replicaSetName}" has successfully progressed.`
            : 'the local pods run the current template',
        }
      : {
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: input.replicaSetName
            ? `ReplicaSet "${input.replicaSetName}" is progressing.`
            : 'a local rollout is in progress',
        };
  const availableCondition: Pick<DeploymentCondition, 'status' | 'reason' | 'message'> =
    available >= input.desiredReplicas
      ? { status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : {
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        };

  const status: DeploymentStatus = {
    observedGeneration: input.generation,
    replicas: input.pods.length,
    updatedReplicas: updated.length,
    readyReplicas: ready,
    availableReplicas: available,
    conditions: [withTimes('Available', availableCondition, input), withTimes('Progressing', progressing, input)],
  };
  const unavailable = Math.max(input.desiredReplicas - available, 0);
  if (unavailable > 0) status.unavailableReplicas = unavailable;
  return status;
}

function withTimes(
  type: DeploymentCondition['type'],
  c: Pick<DeploymentCondition, 'status' | 'reason' | 'message'>,
  input: DeploymentStatusInput,
): DeploymentCondition {
  const previous = input.previousConditions?.find((p) => p.type === type);
  // Keep the times of an unchanged condition, so rewriting the same status changes nothing.
  const same =
    previous && previous.status === c.status && previous.reason === c.reason && previous.message === c.message;
  return {
    type,
    ...c,
    lastUpdateTime: same ? previous.lastUpdateTime : input.now,
    lastTransitionTime: previous && previous.status === c.status ? previous.lastTransitionTime : input.now,
  };
}

// Shapes shared by the pure core. Kubernetes objects stay loosely typed on purpose: the core reads
// only the fields it needs, so recorded JSON from any API server version can flow through unchanged.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export type ConfigKind = 'ConfigMap' | 'Secret';
export const CONFIG_KINDS: readonly ConfigKind[] = ['ConfigMap', 'Secret'];

/**
 * apps/v1 Deployment, StatefulSet, DaemonSet; batch/v1 CronJob; argoproj.io/v1alpha1 Rollout (Argo
 * Rollouts, when installed); Service = serving.knative.dev/v1 Service (when installed).
 */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Rollout' | 'Service';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'Rollout',
  'Service',
];

/** Where each workload kind is served: what the port lists and patches, and decision events name. */
export const WORKLOAD_RESOURCES: Readonly<Record<WorkloadKind, { group: string; version: string; plural: string }>> = {
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets' },
  DaemonSet: { group: 'apps', version: 'v1', plural: 'daemonsets' },
  CronJob: { group: 'batch', version: 'v1', plural: 'cronjobs' },
  Rollout: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' },
  Service: { group: 'serving.knative.dev', version: 'v1', plural: 'services' },
};

export interface ConfigRef {
  kind: ConfigKind;
  namespace: string;
  name: string;
}

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

/** How a ConfigMap/Secret event changes what may happen: see decide.ts for the three rules. */
export type EventAction = 'add' | 'update' | 'delete';

export type MatchMode = 'reference' | 'labels' | 'both';
export type OnDelete = 'ignore' | 'roll';

export type DecisionAction = 'rolled' | 'recorded' | 'unchanged' | 'skipped' | 'failed' | 'deferred' | 'notified';

export interface Decision {
  kind: string;
  namespace: string;
  name: string;
  action: DecisionAction;
  reason: string;
  /** the configs whose data the hash covers, as `Kind/name` (never a value) */
  configs?: string[];
  /** 12-character prefixes of the hash recorded on the workload and of the live one */
  hash?: { recorded?: string; live: string };
  /** deferred: when the rollout becomes due (RFC 3339) */
  dueAt?: string;
}

export const ANNOTATIONS = {
  /** on the ConfigMap/Secret: its changes may restart workloads (seed 001) */
  triggerRestart: 'rolling.restart.controller/triggerRestart',
  /** on the workload: it wants to be restarted (seed 001) */
  restartOnTrigger: 'rolling.restart.controller/restartOnTrigger',
  /** on the workload (and its pod template when rolled): hash of the config data it was compared with */
  configHash: 'rolling.restart.controller/configHash',
  /** on the pod template when rolled (seed 001's key, RFC 3339) */
  restartTimestamp: 'rolling.restart.controller/restartTimestamp',
  /** on the workload: configs matched by labels only (not referenced), so its hash covers a stable set */
  labelMatches: 'rolling.restart.controller/labelMatches',
} as const;

export function configKey(ref: ConfigRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function describeConfig(ref: ConfigRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

// Realistic workload objects (shaped like the kustomize overlays' output) for tables and the emulator.
import type { KubeObject, WorkloadKind } from '../../src/core/types';
import { ANNOTATIONS } from '../../src/core/types';

export interface WorkloadOptions {
  kind?: WorkloadKind;
  name?: string;
  namespace?: string;
  optIn?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  podSpec?: Record<string, unknown>;
  resourceVersion?: string;
  /** CronJob: spec.suspend */
  suspend?: boolean;
}

const API_VERSION: Record<WorkloadKind, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  CronJob: 'batch/v1',
  Rollout: 'argoproj.io/v1alpha1',
  Service: 'serving.knative.dev/v1',
};

/** A container reading ENV_MESSAGE through envFrom of the ConfigMap (seed 001's app). */
export function envFromPod(configMap: string): Record<string, unknown> {
  return {
    containers: [{ name: 'hello', image: 'reroll/hello:0.1.0', envFrom: [{ configMapRef: { name: configMap } }] }],
  };
}

export function makeWorkload(o: WorkloadOptions = {}): KubeObject {
  const kind = o.kind ?? 'Deployment';
  const name = o.name ?? 'helloworld-test';
  const labels = o.labels ?? { app: 'helloworld', env: 'test' };
  const annotations = { ...(o.optIn === false ? {} : { [ANNOTATIONS.restartOnTrigger]: 'true' }), ...o.annotations };
  const podSpec = o.podSpec ?? envFromPod('helloworld-test');
  const template = { metadata: { labels: { ...labels } }, spec: podSpec };
  const spec: Record<string, unknown> =
    kind === 'Service'
      ? { template }
      : kind === 'CronJob'
        ? cronJobSpec(template, o.suspend)
        : {
            selector: { matchLabels: { ...labels } },
            template,
            ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
            ...(kind === 'Deployment' || kind === 'Rollout' ? { replicas: 1 } : {}),
            ...(kind === 'Rollout' ? { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } } : {}),
          };
  return {
    apiVersion: API_VERSION[kind],
    kind,
    metadata: {
      name,
      namespace: o.namespace ?? 'demo',
      labels,
      annotations,
      ...(o.resourceVersion ? { resourceVersion: o.resourceVersion } : {}),
    },
    spec,
  };
}

/** A CronJob as the apiserver returns it after defaulting (batch/v1, Kubernetes 1.26). */
function cronJobSpec(template: Record<string, unknown>, suspend: boolean | undefined): Record<string, unknown> {
  return {
    schedule: '*/15 * * * *',
    concurrencyPolicy: 'Allow',
    suspend: suspend ?? false,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    jobTemplate: {
      metadata: { creationTimestamp: null },
      spec: {
        template: { ...template, spec: { restartPolicy: 'OnFailure', ...(template.spec as object) } },
      },
    },
  };
}

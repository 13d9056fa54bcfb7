// The runner's edge to the API server, with @kubernetes/client-node: the supervisor's port and
// list+watch caches (informers) for the objects the gateway and supervisor follow.
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type V1Pod,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type { ConfigMapLike, KubeObject, SecretLike } from './kube-shapes';
import type { LogLine } from './part-log';
import type { ClusterPort, SupervisorPort } from './pod-supervisor';

function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

export function createSupervisorPort(kc: KubeConfig): SupervisorPort {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  return {
    async readConfigMap(namespace, name) {
      try {
        return (await core.readNamespacedConfigMap({ name, namespace })) as unknown as ConfigMapLike;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async readSecret(namespace, name) {
      try {
        return (await core.readNamespacedSecret({ name, namespace })) as unknown as SecretLike;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async writeDeploymentStatus(namespace, name, status) {
      // A merge patch keeps fields it leaves out: the controller omits unavailableReplicas at 0
      // (omitempty), so null removes the count left from the rollout (else describe shows "1 unavailable").
      await apps.patchNamespacedDeploymentStatus(
        { name, namespace, body: { status: { unavailableReplicas: null, ...status } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    },
  };
}

export interface ObjectWatch {
  items(): KubeObject[];
  stop(): Promise<void>;
}

export interface WatchOptions {
  apiVersion: string;
  kind: string;
  namespace: string;
  log: LogLine;
  onAdd?: (obj: KubeObject) => void;
  onUpdate?: (obj: KubeObject) => void;
  onDelete?: (obj: KubeObject) => void;
}

/** Lower-case plural of the kinds the runner follows (all regular: Gateway → gateways, …). */
function pluralOf(kind: string): string {
  return `${kind.toLowerCase()}s`;
}

/** List+watch one kind in one namespace; relists and rewatches after an error. */
export async function watchObjects(kc: KubeConfig, o: WatchOptions): Promise<ObjectWatch> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const path = `${base}/namespaces/${o.namespace}/${pluralOf(o.kind)}`;
  const list = () => objects.list<KubernetesObject>(o.apiVersion, o.kind, o.namespace);
  const informer = makeInformer<KubernetesObject>(kc, path, list);
  let stopped = false;
  if (o.onAdd) informer.on('add', (obj) => o.onAdd?.(obj as KubeObject));
  if (o.onUpdate) informer.on('update', (obj) => o.onUpdate?.(obj as KubeObject));
  if (o.onDelete) informer.on('delete', (obj) => o.onDelete?.(obj as KubeObject));
  informer.on('error', (err) => {
    if (stopped) return;
    o.log(`watch ${o.kind} interrupted (${(err as Error | undefined)?.message ?? 'closed'}); restarting`);
    setTimeout(() => {
      if (!stopped) informer.start().catch(() => undefined);
    }, 1000).unref();
  });
  await informer.start();
  return {
    items: () => informer.list(o.namespace) as KubeObject[],
    async stop() {
      stopped = true;
      await informer.stop();
    },
  };
}

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** 409/429/5xx and network errors are retried a few times with backoff; the rest surface at once. */
async function withRetries<T>(what: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await what();
    } catch (err) {
      const code = err instanceof ApiException ? err.code : undefined;
      const retryable = code === undefined || code === 409 || code === 429 || code >= 500;
      if (!retryable || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt + Math.random() * 50));
    }
  }
}

/** The writes of the local controllers and kubelet (ReplicaSets, Pods, Events), as their clients make them. */
export function createClusterPort(kc: KubeConfig): ClusterPort {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const ignoreNotFound = (err: unknown) => {
    if (!isNotFound(err)) throw err;
  };
  return {
    async createReplicaSet(rs) {
      const namespace = rs.metadata?.namespace ?? 'default';
      return (await withRetries(() =>
        apps.createNamespacedReplicaSet({ namespace, body: rs as V1ReplicaSet }),
      )) as unknown as KubeObject;
    },
    async patchReplicaSet(namespace, name, patch) {
      return (await withRetries(() =>
        apps.patchNamespacedReplicaSet({ name, namespace, body: patch }, MERGE),
      )) as unknown as KubeObject;
    },
    async writeReplicaSetStatus(namespace, name, status) {
      await withRetries(() => apps.patchNamespacedReplicaSetStatus({ name, namespace, body: { status } }, MERGE));
    },
    async deleteReplicaSet(namespace, name) {
      await withRetries(() => apps.deleteNamespacedReplicaSet({ name, namespace })).catch(ignoreNotFound);
    },
    async createPod(pod) {
      const namespace = pod.metadata?.namespace ?? 'default';
      return (await withRetries(() =>
        core.createNamespacedPod({ namespace, body: pod as V1Pod }),
      )) as unknown as KubeObject;
    },
    async writePodStatus(namespace, name, status) {
      await withRetries(() => core.patchNamespacedPodStatus({ name, namespace, body: { status } }, MERGE));
    },
    async deletePod(namespace, name, gracePeriodSeconds) {
      await withRetries(() => core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds })).catch(ignoreNotFound);
    },
    async recordEvent(event) {
      const namespace = event.metadata?.namespace ?? 'default';
      await withRetries(() => core.createNamespacedEvent({ namespace, body: event as unknown as CoreV1Event }));
    },
  };
}

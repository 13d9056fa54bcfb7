// KubePort over @kubernetes/client-node 1.4. Two details matter:
//  - client-node 1.x sends patches as application/json-patch+json unless told otherwise, so every
//    patch passes setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
//  - every call goes through a cockatiel retry policy; a 409 on a patch is NOT retried here (it is the
//    resourceVersion precondition failing: the caller re-reads and decides again);
//  - workloads (apps/v1, batch/v1, argoproj.io/v1alpha1 and serving.knative.dev/v1 alike) go through
//    CustomObjectsApi (BatchV1Api would bring model classes and an API group into the bundle), which serves
//    any /apis/<group>/<version> resource as plain JSON: no model classes to build and convert back,
//    and one API group less in the bundle (AppsV1Api), which is what a cold start pays for;
//  - every request goes through one keep-alive pool (connection-pool.ts): client-node 1.4 would open
//    a new TLS connection per request;
//  - a kind that is not installed (404 on its LIST: Knative Serving or Argo Rollouts absent) is remembered
//    for the life of this warm instance instead of being asked again on every event.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { createApiCall } from '@reroll/function-runtime';
import type { MergePatch } from '../core/build-patch';
import {
  WORKLOAD_RESOURCES,
  type ConfigRef,
  type KubeObject,
  type WorkloadKind,
  type WorkloadRef,
} from '../core/types';
import { ConfigObjectsApi } from './config-objects-api';
import { ConnectionPool, createPooledConfiguration } from './connection-pool';
import { KubeApiError, type KubePort, type WorkloadList } from './port';
import { withSharedLists } from './shared-lists';
import { createCallPolicies, type RetryOptions } from './retry-policy';
import { createEventRecorder } from './event-recorder';

export interface ClientNodePortOptions {
  kubeConfig: KubeConfig;
  retry?: Partial<RetryOptions>;
  /** items per LIST page (default 500, what the API's own pager and kubectl use) */
  pageSize?: number;
  /** the keep-alive pool (default: one made for this port) */
  pool?: ConnectionPool;
  /** one call per attempt: verb, resource and status code (or 'error'/'timeout') */
  onRequest?: (verb: string, resource: string, code: string) => void;
  /** the Events' reportingInstance (default: the host name, i.e. the pod) */
  reportingInstance?: string;
  now?: () => Date;
}

const PLURAL: Record<WorkloadKind, string> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  CronJob: 'cronjobs',
  Rollout: 'rollouts.argoproj.io',
  Service: 'services.serving.knative.dev',
};
/** `group/version` of each kind, as its objects carry it (no workload kind is in the core group) */
const API_VERSION = Object.fromEntries(
  Object.entries(WORKLOAD_RESOURCES).map(([kind, gvr]) => [kind, `${gvr.group}/${gvr.version}`]),
) as Record<WorkloadKind, string>;
/** kinds served by a CRD that may not be installed: a 404 on their LIST means "none here" */
const OPTIONAL_KINDS: ReadonlySet<WorkloadKind> = new Set(['Service', 'Rollout']);

export function createClientNodePort(options: ClientNodePortOptions): KubePort {
  const { kubeConfig } = options;
  const pool = options.pool ?? new ConnectionPool();
  const configuration = createPooledConfiguration(kubeConfig, pool);
  const configs = new ConfigObjectsApi(configuration); // not CoreV1Api: see config-objects-api.ts
  const custom = new CustomObjectsApi(configuration);
  /** kinds whose LIST answered 404 (not installed): not asked again by this instance */
  const notInstalled = new Set<WorkloadKind>();
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const pageSize = options.pageSize ?? 500;

  // every attempt counted, retried (reads also on 409), mapped to KubeApiError / ApiUnavailableError
  const call = createApiCall({ ...createCallPolicies(options.retry), onRequest: options.onRequest });

  async function orNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return null;
      throw err;
    }
  }

  function plain(obj: unknown, kind: string, apiVersion: string): KubeObject {
    // Model instances → plain JSON (Dates become strings), so the core sees what the API sent.
    // Only for the ConfigMap/Secret models (one object); custom objects are plain already: typed().
    const json = JSON.parse(JSON.stringify(obj)) as KubeObject;
    return { ...json, kind: json.kind ?? kind, apiVersion: json.apiVersion ?? apiVersion };
  }

  /** CustomObjectsApi hands back the parsed JSON itself: no copy, only the kind list items lack. */
  function typed(obj: unknown, kind: string, apiVersion: string): KubeObject {
    const json = obj as KubeObject;
    json.kind ??= kind;
    json.apiVersion ??= apiVersion;
    return json;
  }

  async function listKind(namespace: string, kind: WorkloadKind): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const page = { namespace, limit: pageSize, ...(token ? { _continue: token } : {}) };
      const list = (await call('list', PLURAL[kind], false, () =>
        custom.listNamespacedCustomObject({ ...WORKLOAD_RESOURCES[kind], ...page }),
      )) as {
        items?: unknown[];
        metadata?: { continue?: string };
      };
      for (const o of list.items ?? []) items.push(typed(withoutBookkeeping(o), kind, API_VERSION[kind]));
      token = list.metadata?.continue;
    } while (token);
    return items;
  }

  const recordEvent = createEventRecorder({
    kubeConfig,
    configuration,
    call: (verb, resource, fn) => call(verb, resource, true, fn),
    apiVersionOf: (kind) => API_VERSION[kind],
    ...(options.reportingInstance ? { reportingInstance: options.reportingInstance } : {}),
    ...(options.now ? { now: options.now } : {}),
  });

  return withSharedLists({
    recordEvent,

    async getConfig(ref: ConfigRef) {
      const resource = ref.kind === 'ConfigMap' ? 'configmaps' : 'secrets';
      const spec = { apiVersion: 'v1', kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      const obj = await orNull(call('get', resource, false, () => configs.read(spec)));
      return obj === null ? null : plain(obj, ref.kind, 'v1');
    },

    async listWorkloads(namespace: string, kinds: readonly WorkloadKind[]): Promise<WorkloadList> {
      const result: WorkloadList = { workloads: [], failures: [] };
      const asked = kinds.filter((kind) => !notInstalled.has(kind));
      const lists = await Promise.allSettled(asked.map((kind) => listKind(namespace, kind)));
      lists.forEach((outcome, i) => {
        const kind = asked[i]!;
        if (outcome.status === 'fulfilled') {
          result.workloads.push(...outcome.value.map((object) => ({ kind, object })));
        } else if (outcome.reason instanceof KubeApiError) {
          // Knative Serving or Argo Rollouts not installed: nothing of that kind to roll, not an error
          if (OPTIONAL_KINDS.has(kind) && outcome.reason.status === 404) notInstalled.add(kind);
          else result.failures.push({ kind, status: outcome.reason.status, message: outcome.reason.message });
        } else {
          throw outcome.reason;
        }
      });
      return result;
    },

    async getNamespace(name: string) {
      const spec = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
      const obj = await orNull(call('get', 'namespaces', false, () => configs.read(spec)));
      return obj === null ? null : plain(obj, 'Namespace', 'v1');
    },

    async listNamespaces(labelSelector: string) {
      const items: KubeObject[] = [];
      let token: string | undefined;
      do {
        const page = token;
        const list = await call('list', 'namespaces', false, () =>
          configs.list(
            'v1',
            'Namespace',
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            labelSelector,
            pageSize,
            page,
          ),
        );
        for (const o of list.items) items.push(plain(o, 'Namespace', 'v1'));
        token = list.metadata?._continue;
      } while (token);
      return items;
    },

    async getWorkload(ref: WorkloadRef) {
      const args = { name: ref.name, namespace: ref.namespace };
      const obj = await orNull(
        call('get', PLURAL[ref.kind], false, (): Promise<unknown> =>
          custom.getNamespacedCustomObject({ ...WORKLOAD_RESOURCES[ref.kind], ...args }),
        ),
      );
      return obj === null ? null : typed(obj, ref.kind, API_VERSION[ref.kind]);
    },

    async patchWorkload(ref: WorkloadRef, patch: MergePatch) {
      const args = { name: ref.name, namespace: ref.namespace, body: patch };
      const obj = await call('patch', PLURAL[ref.kind], true, (): Promise<unknown> =>
        custom.patchNamespacedCustomObject({ ...WORKLOAD_RESOURCES[ref.kind], ...args }, mergePatch),
      );
      return typed(obj, ref.kind, API_VERSION[ref.kind]);
    },
  });
}

/**
 * A listed workload without metadata.managedFields and status, which nothing downstream reads (the
 * core decides from metadata and the pod template): in a namespace of thousands of workloads they are
 * most of each object, so dropping them page by page keeps what an event holds near the size of
 * what it decides on (memory flat in namespace size), and gives the garbage collector less to trace.
 */
function withoutBookkeeping(o: unknown): unknown {
  const obj = o as { metadata?: { managedFields?: unknown }; status?: unknown };
  if (obj.metadata) delete obj.metadata.managedFields;
  delete obj.status;
  return obj;
}

// RoutesPort over @kubernetes/client-node 1.4, through restart's retry policy (capped exponential
// backoff with jitter, short total budget). A 409 on a write is never retried here: it is the
// resourceVersion precondition, and the reconciler re-reads and recomputes instead.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { createApiCall } from '@reroll/function-runtime';
import { createCallPolicies, type RetryOptions } from '@reroll/restart/retry-policy';
import type { KubeObject } from '../core/types';
import { KubeApiError, type RoutesPort } from './port';

export interface ClientNodePortOptions {
  kubeConfig: KubeConfig;
  retry?: Partial<RetryOptions>;
  pageSize?: number;
  /** one call per attempt: verb, resource and status code (or 'error'/'timeout') */
  onRequest?: (verb: string, resource: string, code: string) => void;
}

const VS = { group: 'networking.istio.io', plural: 'virtualservices' };
/** reads use v1 (Istio serves v1, v1beta1 and v1alpha3 with one schema); writes use the object's version */
const READ_VERSION = 'v1';

export function createClientNodePort(options: ClientNodePortOptions): RoutesPort {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const pageSize = options.pageSize ?? 100;

  // every attempt counted, retried by restart's policies, mapped to KubeApiError / ApiUnavailableError;
  // get/list are reads (a 409 there is a race, retried), every other verb a write (a 409 is ours to handle)
  const apiCall = createApiCall({ ...createCallPolicies(options.retry), onRequest: options.onRequest });
  const call = <T>(verb: string, resource: string, fn: () => Promise<T>): Promise<T> =>
    apiCall(verb, resource, verb !== 'get' && verb !== 'list', fn);

  async function orNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return null;
      throw err;
    }
  }

  async function listAll(
    verb: string,
    resource: string,
    page: (token: string | undefined) => Promise<unknown>,
  ): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const list = (await call(verb, resource, () => page(token))) as {
        items?: unknown[];
        metadata?: { _continue?: string; continue?: string };
      };
      items.push(...(list.items ?? []).map(plain));
      token = list.metadata?._continue ?? list.metadata?.continue;
    } while (token);
    return items;
  }

  const versionOf = (object: KubeObject) => String(object.apiVersion ?? '').split('/')[1] || READ_VERSION;

  return {
    async getConfigMap(namespace, name) {
      const obj = await orNull(call('get', 'configmaps', () => core.readNamespacedConfigMap({ name, namespace })));
      return obj === null ? null : plain(obj);
    },
    async getService(namespace, name) {
      const obj = await orNull(call('get', 'services', () => core.readNamespacedService({ name, namespace })));
      return obj === null ? null : { ...plain(obj), apiVersion: 'v1', kind: 'Service' };
    },
    listServices(namespace) {
      return listAll('list', 'services', (token) =>
        core.listNamespacedService({ namespace, limit: pageSize, ...(token ? { _continue: token } : {}) }),
      );
    },
    async getVirtualService(namespace, name) {
      const obj = await orNull(
        call('get', VS.plural, (): Promise<unknown> =>
          custom.getNamespacedCustomObject({ ...VS, version: READ_VERSION, namespace, name }),
        ),
      );
      return obj === null ? null : plain(obj);
    },
    listVirtualServices(namespace, labelSelector) {
      return listAll('list', VS.plural, (token) =>
        custom.listNamespacedCustomObject({
          ...VS,
          version: READ_VERSION,
          namespace,
          labelSelector,
          limit: pageSize,
          ...(token ? { _continue: token } : {}),
        }),
      );
    },
    async createVirtualService(namespace, object) {
      return plain(
        await call('create', VS.plural, () =>
          custom.createNamespacedCustomObject({ ...VS, version: versionOf(object), namespace, body: object }),
        ),
      );
    },
    async replaceVirtualService(namespace, object) {
      const name = object.metadata?.name ?? '';
      return plain(
        await call('update', VS.plural, () =>
          custom.replaceNamespacedCustomObject({ ...VS, version: versionOf(object), namespace, name, body: object }),
        ),
      );
    },
    async deleteVirtualService(namespace, name, resourceVersion) {
      await call('delete', VS.plural, () =>
        custom.deleteNamespacedCustomObject({
          ...VS,
          version: READ_VERSION,
          namespace,
          name,
          ...(resourceVersion ? { body: { preconditions: { resourceVersion } } } : {}),
        }),
      );
    },
  };
}

/** Model instances → plain JSON (Dates become strings), so the core sees what the API sent. */
function plain(obj: unknown): KubeObject {
  return JSON.parse(JSON.stringify(obj)) as KubeObject;
}

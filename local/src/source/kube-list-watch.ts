// ListWatchPort over @kubernetes/client-node 1.4: discovery + list through KubernetesObjectApi,
// streaming through Watch. Works against a real cluster and the local emulator alike.
import { KubernetesObjectApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { ListWatchPort, NameListPort, WatchTarget } from './list-watch-port';

/** Exposes the collection path KubernetesObjectApi resolves through discovery (real plurals). */
class CollectionPathApi extends KubernetesObjectApi {
  collectionPath(target: WatchTarget): Promise<string> {
    return this.specUriPath(
      { apiVersion: target.apiVersion, kind: target.kind, metadata: { namespace: target.namespace } },
      'list',
    );
  }
}

export function createKubeListWatch(kc: KubeConfig): ListWatchPort & NameListPort {
  const api = kc.makeApiClient(CollectionPathApi);
  const watcher = new Watch(kc);
  return {
    async listNames(target) {
      const list = await api.list(
        target.apiVersion,
        target.kind,
        target.namespace || undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        target.labelSelector,
      );
      const names = list.items.map((o) => o.metadata?.name).filter((n): n is string => typeof n === 'string');
      return { names: names.sort(), resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    async listResourceVersion(target) {
      const list = await api.list(
        target.apiVersion,
        target.kind,
        target.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        target.labelSelector,
      );
      const rv = list.metadata?.resourceVersion;
      if (!rv) throw new Error(`list of ${target.kind} in ${target.namespace} returned no resourceVersion`);
      return rv;
    },
    async watch(target, resourceVersion, onEvent, onDone) {
      const path = await api.collectionPath(target);
      const params: Record<string, string | boolean> = { resourceVersion, allowWatchBookmarks: true };
      if (target.labelSelector) params.labelSelector = target.labelSelector;
      const controller = await watcher.watch(path, params, (type, object) => onEvent(type, object), onDone);
      return { stop: () => controller.abort() };
    },
  };
}

// ConfigMaps, Secrets (and Namespaces) read through client-node's generic KubernetesObjectApi instead of CoreV1Api.
// CoreV1Api is one class of ~200 operations (about a fifth of the bundle, compiled and evaluated on
// every cold start) for the two GETs the function makes. KubernetesObjectApi builds the same
// request (`/api/v1/namespaces/<ns>/<plural>/<name>`, auth and the request layer from the same
// configuration), but first asks discovery which plural a kind has: a whole extra round trip on
// the first event of every cold start. For the core kinds the function reads, the answer is fixed
// by the API itself, so `resource()` (protected: the class's own extension point) answers them
// directly and leaves every other kind to discovery.
import { KubernetesObjectApi, type V1APIResource } from '@kubernetes/client-node';

const CORE_V1: Record<string, V1APIResource> = {
  ConfigMap: { kind: 'ConfigMap', name: 'configmaps', namespaced: true, singularName: 'configmap', verbs: ['get'] },
  Secret: { kind: 'Secret', name: 'secrets', namespaced: true, singularName: 'secret', verbs: ['get'] },
  // the cluster-wide install reads namespaces' labels (REROLL_NAMESPACE_SELECTOR)
  Namespace: {
    kind: 'Namespace',
    name: 'namespaces',
    namespaced: false,
    singularName: 'namespace',
    verbs: ['get', 'list'],
  },
};

export class ConfigObjectsApi extends KubernetesObjectApi {
  protected override resource(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    const known = apiVersion === 'v1' ? CORE_V1[kind] : undefined;
    return known ? Promise.resolve(known) : super.resource(apiVersion, kind);
  }
}

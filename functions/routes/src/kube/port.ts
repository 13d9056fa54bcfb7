// The narrow Kubernetes port routes needs, nothing more: it is what the RBAC grants (get the config
// ConfigMap; get/list Services; get/list/create/update/delete VirtualServices in the default namespace).
import type { KubeObject } from '../core/types';

export { ApiUnavailableError, KubeApiError } from '@reroll/function-runtime';

export interface RoutesPort {
  /** null = 404 */
  getConfigMap(namespace: string, name: string): Promise<KubeObject | null>;
  /** null = 404 */
  getService(namespace: string, name: string): Promise<KubeObject | null>;
  /** every page */
  listServices(namespace: string): Promise<KubeObject[]>;
  /** null = 404 */
  getVirtualService(namespace: string, name: string): Promise<KubeObject | null>;
  /** every page, by label selector */
  listVirtualServices(namespace: string, labelSelector: string): Promise<KubeObject[]>;
  createVirtualService(namespace: string, object: KubeObject): Promise<KubeObject>;
  /** PUT: the object carries the resourceVersion it was computed from (409 when stale) */
  replaceVirtualService(namespace: string, object: KubeObject): Promise<KubeObject>;
  /** with a resourceVersion precondition when given (409 when stale) */
  deleteVirtualService(namespace: string, name: string, resourceVersion: string | undefined): Promise<void>;
}

// Shapes the routes core works on: Kubernetes-shaped JSON in, decisions with reasons out.

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** seed 003's configuration (its ConfigMap's `config.yaml`), read live on every reconcile. */
export interface RoutesConfig {
  defaultNamespace: string;
  developerNamespaces: string[];
  /** YAML text with `${serviceName}` and `${defaultNamespace}` placeholders */
  virtualServiceTemplate: string;
}

export type Action = 'created' | 'updated' | 'deleted' | 'unchanged' | 'skipped' | 'failed';

export interface Decision {
  kind: 'VirtualService';
  namespace: string;
  name: string;
  /** the Service the VirtualService is for */
  service: string;
  action: Action;
  reason: string;
}

/** The label that says a VirtualService is ours: nothing without it is ever updated or deleted. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'reroll-routes';
/** Which Service a VirtualService of ours is for (a resync finds those whose Service went away). */
export const SERVICE_LABEL = 'reroll.dev/service';
/** The header seed 003 routes on. */
export const DEVELOPER_HEADER = 'x-developer';

/** seed 003's system namespaces (config.ts adds Knative's own to the default exclusions). */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'istio-system', 'istio-injection'];

export function isManaged(object: KubeObject | null | undefined): boolean {
  return object?.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

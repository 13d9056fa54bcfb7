// The sidecar's view of routing, for the mesh port: a VirtualService with no `gateways` (or with
// `mesh`) applies to calls made inside the mesh, to any of its hosts, where a short host (`web`)
// means that Service in the VirtualService's own namespace, as Istio resolves it. Expressed as
// inputs for the ingress gateway's resolver (one stand-in Gateway per namespace that serves every
// host), so both ports share one implementation of Istio's route rules (matches, headers, weights).
import type { KubeObject } from './kube-shapes';
import { isRecord } from './kube-shapes';
import type { RouteInputs } from './resolve-route';

export const MESH_GATEWAY = 'reroll-local-mesh';

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Does this VirtualService apply to mesh traffic (Istio: no gateways = mesh only; `mesh` names it)? */
export function isMeshVirtualService(vs: KubeObject): boolean {
  const gateways = stringsOf(isRecord(vs.spec) ? vs.spec.gateways : undefined);
  return gateways.length === 0 || gateways.includes('mesh');
}

/** `web` in namespace `prod` is also `web.prod`, `web.prod.svc` and `web.prod.svc.cluster.local`. */
export function expandMeshHosts(hosts: readonly string[], namespace: string): string[] {
  const out = new Set<string>();
  for (const host of hosts) {
    out.add(host);
    if (!host.includes('.') && host !== '*')
      for (const suffix of [namespace, `${namespace}.svc`, `${namespace}.svc.cluster.local`])
        out.add(`${host}.${suffix}`);
  }
  return [...out];
}

export function meshRouteInputs(inputs: Omit<RouteInputs, 'gateways'>): RouteInputs {
  const namespaces = new Set<string>();
  const virtualServices = inputs.virtualServices.filter(isMeshVirtualService).map((vs) => {
    const namespace = vs.metadata?.namespace ?? 'default';
    namespaces.add(namespace);
    const spec = isRecord(vs.spec) ? vs.spec : {};
    return {
      ...vs,
      spec: {
        ...spec,
        hosts: expandMeshHosts(stringsOf(spec.hosts), namespace),
        gateways: [`${namespace}/${MESH_GATEWAY}`],
      },
    };
  });
  const gateways: KubeObject[] = [...namespaces].map((namespace) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: MESH_GATEWAY, namespace },
    spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
  }));
  return { ...inputs, virtualServices, gateways };
}

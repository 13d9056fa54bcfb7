import { asArray, asRecord, asText, isKind, type KubeObject } from '../kube-object';
import { violation, type Violation } from '../violation';

/** `helloworld-test`, `helloworld-test.ns`, `helloworld-test.ns.svc.cluster.local` -> name and namespace. */
function serviceOfHost(host: string, namespace: string | undefined): { name: string; namespace: string | undefined } {
  const [name = '', ns] = host.split('.');
  return { name, namespace: ns ?? namespace };
}

/**
 * Each VirtualService is bound to Gateways that exist and accept its hosts, and routes to Services
 * (and ports) that exist: otherwise `curl -H Host: ...` gets a 404 or 503 at the ingress.
 */
export function checkIstioRouting(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  const gateways = objects.filter((o) => isKind(o, 'networking.istio.io', 'Gateway'));
  const services = objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Service');
  for (const vs of objects.filter((o) => isKind(o, 'networking.istio.io', 'VirtualService'))) {
    const spec = asRecord(vs.spec);
    const ns = vs.metadata.namespace;
    const hosts = asArray(spec.hosts).map(String);
    if (hosts.length === 0) out.push(violation(vs, 'istio-routing', 'has no hosts'));
    const names = asArray(spec.gateways).map(String);
    if (names.length === 0)
      out.push(violation(vs, 'istio-routing', 'is bound to no Gateway (only mesh traffic would reach it)'));
    const accepted = new Set<string>();
    for (const ref of names) {
      const [gwNs, gwName] = ref.includes('/') ? ref.split('/') : [ns, ref];
      const gw = gateways.find((g) => g.metadata.name === gwName && g.metadata.namespace === gwNs);
      if (!gw) {
        out.push(violation(vs, 'istio-routing', `gateway ${ref} does not exist`));
        continue;
      }
      for (const server of asArray(asRecord(gw.spec).servers)) {
        for (const h of asArray(asRecord(server).hosts)) accepted.add(String(h).replace(/^[^/]*\//, ''));
      }
    }
    for (const host of hosts) {
      if (names.length > 0 && !accepted.has(host) && !accepted.has('*')) {
        out.push(
          violation(
            vs,
            'istio-routing',
            `host ${host} is not accepted by its gateways (${[...accepted].join(', ') || 'none'})`,
          ),
        );
      }
    }
    for (const http of asArray(spec.http)) {
      for (const route of asArray(asRecord(http).route)) {
        const destination = asRecord(asRecord(route).destination);
        const target = serviceOfHost(asText(destination.host), ns);
        const svc = services.find((s) => s.metadata.name === target.name && s.metadata.namespace === target.namespace);
        if (!svc) {
          out.push(
            violation(vs, 'istio-routing', `destination ${String(destination.host)} is not a Service deployed with it`),
          );
          continue;
        }
        const port = asRecord(destination.port).number;
        const ports = asArray(asRecord(svc.spec).ports).map((p) => asRecord(p).port);
        if (port !== undefined && !ports.includes(port)) {
          out.push(
            violation(
              vs,
              'istio-routing',
              `destination port ${asText(port)} is not a port of Service/${svc.metadata.name} (${ports.join(', ')})`,
            ),
          );
        }
      }
    }
  }
  return out;
}

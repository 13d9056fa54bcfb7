// Where the ingress gateway sends one request, decided the way Istio reads the objects: a
// VirtualService applies when it is bound to a Gateway that serves the host (VirtualServices with no
// `gateways` are mesh-only and never reach the ingress); its http[] rules are tried in order, a rule
// applies when any of its matches does (or it has none); the destination host names a Service
// (short name in the VirtualService's namespace, or `name.ns`, or the FQDN), whose selector picks the
// ready pods. Pure: the caller keeps the caches.
import type { KubeObject } from './kube-shapes';
import { asText } from '../emulator/object-types';
import { isRecord } from './kube-shapes';

export interface Endpoint {
  /** Pod name, for logs. */
  pod: string;
  namespace: string;
  labels: Record<string, string>;
  host: string;
  port: number;
  ready: boolean;
}

export interface RouteRequest {
  host: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface RouteInputs {
  gateways: readonly KubeObject[];
  virtualServices: readonly KubeObject[];
  services: readonly KubeObject[];
  endpoints: readonly Endpoint[];
}

export type RouteDecision =
  | {
      kind: 'route';
      virtualService: string;
      service: string;
      endpoints: Endpoint[];
      /** Path to send upstream (after a `rewrite.uri`, if any). */
      path: string;
      /** Value for the `Host` header upstream (after a `rewrite.authority`). */
      authority: string;
    }
  | { kind: 'no-endpoint'; virtualService: string; service: string; reason: string }
  | { kind: 'no-host'; reason: string }
  | { kind: 'no-route'; virtualService: string; reason: string };

/** Host header without port, lower-cased. */
export function normalizeHost(raw: string): string {
  const host = raw.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 && /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return host.endsWith(p.slice(1));
  return p === host;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function spec(obj: KubeObject): Record<string, unknown> {
  return isRecord(obj.spec) ? obj.spec : {};
}

/** Does this Gateway (in its namespace) serve the host for a VirtualService in `vsNamespace`? */
function gatewayServes(gateway: KubeObject, host: string, vsNamespace: string): boolean {
  const servers = Array.isArray(spec(gateway).servers) ? (spec(gateway).servers as unknown[]) : [];
  return servers.some((server) => {
    if (!isRecord(server)) return false;
    return strings(server.hosts).some((entry) => {
      // `ns/host` limits the host to VirtualServices of that namespace; `./host` to the Gateway's own.
      const slash = entry.indexOf('/');
      const ns = slash >= 0 ? entry.slice(0, slash) : '*';
      const pattern = slash >= 0 ? entry.slice(slash + 1) : entry;
      const nsOk = ns === '*' || (ns === '.' ? vsNamespace === gateway.metadata?.namespace : ns === vsNamespace);
      return nsOk && hostMatches(pattern, host);
    });
  });
}

/** The Gateway a VirtualService's `gateways` entry names: `name`, `ns/name`, or `name.ns.svc.cluster.local`. */
function findGateway(ref: string, vsNamespace: string, gateways: readonly KubeObject[]): KubeObject | undefined {
  let namespace = vsNamespace;
  let name = ref;
  if (ref.includes('/')) [namespace, name] = ref.split('/', 2) as [string, string];
  else if (ref.includes('.')) [name, namespace] = ref.split('.', 2) as [string, string];
  return gateways.find((g) => g.metadata?.name === name && (g.metadata?.namespace ?? '') === namespace);
}

function stringMatch(rule: unknown, value: string | undefined): boolean {
  if (!isRecord(rule)) return true;
  if (value === undefined) return false;
  if (typeof rule.exact === 'string') return value === rule.exact;
  if (typeof rule.prefix === 'string') return value.startsWith(rule.prefix);
  if (typeof rule.regex === 'string') {
    try {
      return new RegExp(`^(?:${rule.regex})$`).test(value);
    } catch {
      return false;
    }
  }
  return true;
}

function requestMatches(match: unknown, req: RouteRequest, pathOnly: string): boolean {
  if (!isRecord(match)) return true;
  if (match.uri !== undefined && !stringMatch(match.uri, pathOnly)) return false;
  if (match.method !== undefined && !stringMatch(match.method, req.method.toUpperCase())) return false;
  if (match.authority !== undefined && !stringMatch(match.authority, req.host)) return false;
  if (isRecord(match.headers)) {
    for (const [name, rule] of Object.entries(match.headers)) {
      const raw = req.headers[name.toLowerCase()];
      if (!stringMatch(rule, Array.isArray(raw) ? raw.join(',') : raw)) return false;
    }
  }
  return true;
}

/** `helloworld-test`, `helloworld-test.ns`, `helloworld-test.ns.svc.cluster.local` → [name, namespace]. */
export function parseDestinationHost(host: string, vsNamespace: string): [string, string] {
  const parts = host.split('.');
  if (parts.length === 1) return [host, vsNamespace];
  return [parts[0] ?? '', parts[1] ?? vsNamespace];
}

function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  // A Service without a selector has manually managed endpoints; the runner has none to offer.
  if (!isRecord(selector) || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function rewritePath(rule: Record<string, unknown>, match: unknown, pathWithQuery: string): string {
  const rewrite = isRecord(rule.rewrite) ? rule.rewrite : undefined;
  if (!rewrite || typeof rewrite.uri !== 'string') return pathWithQuery;
  const uri = isRecord(match) && isRecord(match.uri) ? match.uri : undefined;
  // Istio replaces the matched prefix; with an exact or regex match the whole path is replaced.
  if (uri && typeof uri.prefix === 'string') return rewrite.uri + pathWithQuery.slice(uri.prefix.length);
  const q = pathWithQuery.indexOf('?');
  return rewrite.uri + (q >= 0 ? pathWithQuery.slice(q) : '');
}

/**
 * Picks the route for one request. `pick` chooses among weighted destinations (0 ≤ pick < 1),
 * injected so the choice is testable.
 */
export function resolveRoute(inputs: RouteInputs, req: RouteRequest, pick = 0): RouteDecision {
  const host = normalizeHost(req.host);
  const pathOnly = req.path.split('?')[0] ?? '/';
  // Istio merges rules from several VirtualServices for one host; the first match wins, in creation
  // order. The caches keep objects in name order, which is stable and close enough locally.
  const candidates = inputs.virtualServices.filter((vs) => {
    const vsNs = vs.metadata?.namespace ?? '';
    if (!strings(spec(vs).hosts).some((h) => hostMatches(h, host))) return false;
    return strings(spec(vs).gateways).some((ref) => {
      if (ref === 'mesh') return false;
      const gw = findGateway(ref, vsNs, inputs.gateways);
      return gw !== undefined && gatewayServes(gw, host, vsNs);
    });
  });
  if (candidates.length === 0) {
    return { kind: 'no-host', reason: `no VirtualService bound to a Gateway serves host "${host}"` };
  }
  for (const vs of candidates) {
    const vsName = `${vs.metadata?.namespace ?? ''}/${vs.metadata?.name ?? ''}`;
    const rules = Array.isArray(spec(vs).http) ? (spec(vs).http as unknown[]) : [];
    for (const rule of rules) {
      if (!isRecord(rule)) continue;
      const matches: unknown[] = Array.isArray(rule.match) ? rule.match : [];
      const match = matches.length === 0 ? {} : matches.find((m) => requestMatches(m, req, pathOnly));
      if (match === undefined) continue;
      const destinations = (Array.isArray(rule.route) ? rule.route : []).filter(
        (r): r is Record<string, unknown> => isRecord(r) && isRecord(r.destination),
      );
      if (destinations.length === 0) continue;
      const chosen = chooseWeighted(destinations, pick);
      const destHost = asText((chosen.destination as Record<string, unknown>).host);
      const [svcName, svcNs] = parseDestinationHost(destHost, vs.metadata?.namespace ?? '');
      const service = `${svcNs}/${svcName}`;
      const svc = inputs.services.find((s) => s.metadata?.name === svcName && s.metadata?.namespace === svcNs);
      if (!svc) {
        return { kind: 'no-endpoint', virtualService: vsName, service, reason: `service ${service} does not exist` };
      }
      const selected = inputs.endpoints.filter(
        (e) => e.namespace === svcNs && selectorMatches(spec(svc).selector, e.labels),
      );
      const ready = selected.filter((e) => e.ready);
      if (ready.length === 0) {
        const reason =
          selected.length === 0
            ? `no pods match the selector of service ${service}`
            : `no ready pods behind service ${service} (${selected.length} starting)`;
        return { kind: 'no-endpoint', virtualService: vsName, service, reason };
      }
      const rewrite = isRecord(rule.rewrite) ? rule.rewrite : {};
      return {
        kind: 'route',
        virtualService: vsName,
        service,
        endpoints: ready,
        path: rewritePath(rule, match, req.path),
        authority: typeof rewrite.authority === 'string' ? rewrite.authority : req.host,
      };
    }
  }
  return {
    kind: 'no-route',
    virtualService: candidates.map((vs) => vs.metadata?.name ?? '').join(','),
    reason: `no http route of the VirtualService matches ${req.method} ${pathOnly} for host "${host}"`,
  };
}

function chooseWeighted(destinations: Record<string, unknown>[], pick: number): Record<string, unknown> {
  const weights = destinations.map((d) =>
    typeof d.weight === 'number' ? d.weight : destinations.length === 1 ? 100 : 0,
  );
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return destinations[0] as Record<string, unknown>;
  let point = Math.min(Math.max(pick, 0), 0.999999) * total;
  for (const [i, w] of weights.entries()) {
    if (point < w) return destinations[i] as Record<string, unknown>;
    point -= w;
  }
  return destinations[destinations.length - 1] as Record<string, unknown>;
}

// The mesh port's routing: VirtualServices without gateways (or with `mesh`) route calls inside the
// mesh by Host and headers, the x-developer VirtualService the routes function writes among them.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/runner/kube-shapes';
import { expandMeshHosts, meshRouteInputs } from '../../src/runner/mesh-route-inputs';
import { resolveRoute, type Endpoint } from '../../src/runner/resolve-route';

const service = (name: string, namespace: string, env: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { selector: { app: 'helloworld', env } },
});
const endpoint = (namespace: string, env: string, port: number): Endpoint => ({
  pod: `${env}-${port}`,
  namespace,
  labels: { app: 'helloworld', env },
  host: '127.0.0.1',
  port,
  ready: true,
});
/** what the routes function writes for helloworld-test with dev-alice's copy present */
const routesVs: KubeObject = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'VirtualService',
  metadata: { name: 'helloworld-test-virtual-service', namespace: 'reroll-demo' },
  spec: {
    hosts: ['helloworld-test'],
    http: [
      {
        match: [{ headers: { 'x-developer': { exact: 'dev-alice' } } }],
        route: [{ destination: { host: 'helloworld-test.dev-alice.svc.cluster.local', port: { number: 80 } } }],
      },
      { route: [{ destination: { host: 'helloworld-test.reroll-demo.svc.cluster.local' } }] },
    ],
  },
};
const ingressVs: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'helloworld-test', namespace: 'reroll-demo' },
  spec: {
    hosts: ['helloworld-test'],
    gateways: ['helloworld-test'],
    http: [{ route: [{ destination: { host: 'elsewhere' } }] }],
  },
};
const inputs = meshRouteInputs({
  virtualServices: [ingressVs, routesVs],
  services: [service('helloworld-test', 'reroll-demo', 'test'), service('helloworld-test', 'dev-alice', 'dev-alice')],
  endpoints: [endpoint('reroll-demo', 'test', 1001), endpoint('dev-alice', 'dev-alice', 2001)],
});
const route = (host: string, headers: Record<string, string> = {}) => {
  const decision = resolveRoute(inputs, { host, path: '/', method: 'GET', headers });
  return decision.kind === 'route' ? decision.service : decision.kind;
};

describe('the mesh port', () => {
  it.each([
    [
      'x-developer: dev-alice → her copy',
      'helloworld-test',
      { 'x-developer': 'dev-alice' },
      'dev-alice/helloworld-test',
    ],
    ['no header → the default namespace', 'helloworld-test', {}, 'reroll-demo/helloworld-test'],
    [
      'another developer → the default namespace',
      'helloworld-test',
      { 'x-developer': 'dev-bob' },
      'reroll-demo/helloworld-test',
    ],
    [
      'the header value must match exactly',
      'helloworld-test',
      { 'x-developer': 'dev-alice2' },
      'reroll-demo/helloworld-test',
    ],
    [
      'the FQDN of the host',
      'helloworld-test.reroll-demo.svc.cluster.local',
      { 'x-developer': 'dev-alice' },
      'dev-alice/helloworld-test',
    ],
    ['with a port in Host', 'helloworld-test:80', {}, 'reroll-demo/helloworld-test'],
    ['a host no mesh VirtualService serves', 'helloworld-test.local', {}, 'no-host'],
  ])('%s', (_name, host, headers, expected) => {
    expect(route(host, headers)).toBe(expected);
  });

  it('a VirtualService bound only to an ingress Gateway is not mesh routing', () => {
    const only = meshRouteInputs({ virtualServices: [ingressVs], services: [], endpoints: [] });
    expect(only.virtualServices).toEqual([]);
  });

  it('short hosts mean the VirtualService namespace; qualified ones stay as they are', () => {
    expect(expandMeshHosts(['web', 'api.other.svc.cluster.local'], 'prod')).toEqual([
      'web',
      'web.prod',
      'web.prod.svc',
      'web.prod.svc.cluster.local',
      'api.other.svc.cluster.local',
    ]);
  });
});

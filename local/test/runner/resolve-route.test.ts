import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/runner/kube-shapes';
import { type Endpoint, type RouteInputs, normalizeHost, resolveRoute } from '../../src/runner/resolve-route';

// The test and prod overlays as `kubectl kustomize` renders them (snapshot taken from kustomize/).
const rendered = JSON.parse(
  readFileSync(new URL('./fixtures/hello-overlays.json', import.meta.url), 'utf8'),
) as KubeObject[];
const ofKind = (kind: string) => rendered.filter((o) => o.kind === kind);

function endpoint(env: string, ready: boolean, port: number): Endpoint {
  return {
    pod: `helloworld-${env}-${port}`,
    namespace: 'reroll-demo',
    labels: { app: 'helloworld', env },
    host: '127.0.0.1',
    port,
    ready,
  };
}

const base: RouteInputs = {
  gateways: ofKind('Gateway'),
  virtualServices: ofKind('VirtualService'),
  services: ofKind('Service'),
  endpoints: [endpoint('test', true, 1001), endpoint('prod', true, 2001), endpoint('prod', false, 2002)],
};

const vs = (name: string, specOverride: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace: 'reroll-demo' },
  spec: specOverride,
});

interface Case {
  name: string;
  inputs?: Partial<RouteInputs>;
  host: string;
  path?: string;
  pick?: number;
  want: { kind: string; ports?: number[]; service?: string; path?: string; reason?: RegExp };
}

const cases: Case[] = [
  {
    name: 'test host goes to the test pods',
    host: 'helloworld-test.local',
    want: { kind: 'route', ports: [1001], service: 'reroll-demo/helloworld-test' },
  },
  { name: 'prod host, only ready pods', host: 'helloworld-prod.local', want: { kind: 'route', ports: [2001] } },
  {
    name: 'host header with port and upper case',
    host: 'HelloWorld-Test.local:8080',
    want: { kind: 'route', ports: [1001] },
  },
  {
    name: 'unknown host',
    host: 'example.com',
    want: { kind: 'no-host', reason: /no VirtualService .* "example.com"/ },
  },
  {
    name: 'no ready pod gives no-endpoint naming the service',
    inputs: { endpoints: [endpoint('test', false, 1001)] },
    host: 'helloworld-test.local',
    want: { kind: 'no-endpoint', reason: /no ready pods behind service reroll-demo\/helloworld-test/ },
  },
  {
    name: 'no pod at all',
    inputs: { endpoints: [] },
    host: 'helloworld-test.local',
    want: { kind: 'no-endpoint', reason: /no pods match the selector/ },
  },
  {
    name: 'a VirtualService without gateways is mesh-only',
    inputs: {
      virtualServices: [
        vs('mesh-only', {
          hosts: ['helloworld-test.local'],
          http: [{ route: [{ destination: { host: 'helloworld-test' } }] }],
        }),
      ],
    },
    host: 'helloworld-test.local',
    want: { kind: 'no-host' },
  },
  {
    name: 'a host the bound Gateway does not serve is unknown',
    inputs: {
      virtualServices: [
        vs('wrong-gw', {
          hosts: ['helloworld-test.local'],
          gateways: ['helloworld-prod'],
          http: [{ route: [{ destination: { host: 'helloworld-test' } }] }],
        }),
      ],
    },
    host: 'helloworld-test.local',
    want: { kind: 'no-host' },
  },
  {
    name: 'uri prefix match with rewrite; FQDN destination',
    inputs: {
      virtualServices: [
        vs('paths', {
          hosts: ['helloworld-test.local'],
          gateways: ['reroll-demo/helloworld-test'],
          http: [
            {
              match: [{ uri: { exact: '/prod' } }],
              route: [{ destination: { host: 'helloworld-prod.reroll-demo.svc.cluster.local' } }],
            },
            {
              match: [{ uri: { prefix: '/api/' } }],
              rewrite: { uri: '/' },
              route: [{ destination: { host: 'helloworld-test' } }],
            },
          ],
        }),
      ],
    },
    host: 'helloworld-test.local',
    path: '/api/message?x=1',
    want: { kind: 'route', ports: [1001], path: '/message?x=1' },
  },
  {
    name: 'exact match picks the FQDN destination',
    inputs: {
      virtualServices: [
        vs('paths', {
          hosts: ['helloworld-test.local'],
          gateways: ['helloworld-test'],
          http: [
            {
              match: [{ uri: { exact: '/prod' } }],
              route: [{ destination: { host: 'helloworld-prod.reroll-demo.svc.cluster.local' } }],
            },
          ],
        }),
      ],
    },
    host: 'helloworld-test.local',
    path: '/prod',
    want: { kind: 'route', ports: [2001], service: 'reroll-demo/helloworld-prod' },
  },
  {
    name: 'no rule matches the path',
    inputs: {
      virtualServices: [
        vs('paths', {
          hosts: ['helloworld-test.local'],
          gateways: ['helloworld-test'],
          http: [{ match: [{ uri: { prefix: '/only' } }], route: [{ destination: { host: 'helloworld-test' } }] }],
        }),
      ],
    },
    host: 'helloworld-test.local',
    path: '/other',
    want: { kind: 'no-route', reason: /GET \/other/ },
  },
  {
    name: 'weighted split honours the pick',
    inputs: {
      virtualServices: [
        vs('split', {
          hosts: ['helloworld-test.local'],
          gateways: ['helloworld-test'],
          http: [
            {
              route: [
                { destination: { host: 'helloworld-test' }, weight: 10 },
                { destination: { host: 'helloworld-prod' }, weight: 90 },
              ],
            },
          ],
        }),
      ],
    },
    host: 'helloworld-test.local',
    pick: 0.5,
    want: { kind: 'route', ports: [2001] },
  },
  {
    name: 'destination service that does not exist',
    inputs: {
      virtualServices: [
        vs('ghost', {
          hosts: ['helloworld-test.local'],
          gateways: ['helloworld-test'],
          http: [{ route: [{ destination: { host: 'ghost' } }] }],
        }),
      ],
    },
    host: 'helloworld-test.local',
    want: { kind: 'no-endpoint', reason: /service reroll-demo\/ghost does not exist/ },
  },
  {
    name: 'malformed objects are ignored, not thrown on',
    inputs: {
      virtualServices: [
        { metadata: { name: 'junk', namespace: 'reroll-demo' }, spec: { hosts: 'nope', http: 3 } },
        ...ofKind('VirtualService'),
      ],
    },
    host: 'helloworld-prod.local',
    want: { kind: 'route', ports: [2001] },
  },
];

describe('resolveRoute', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = resolveRoute(
        { ...base, ...c.inputs },
        { host: c.host, path: c.path ?? '/', method: 'GET', headers: {} },
        c.pick,
      );
      expect(got.kind).toBe(c.want.kind);
      if (got.kind === 'route') {
        if (c.want.ports) expect(got.endpoints.map((e) => e.port)).toEqual(c.want.ports);
        if (c.want.service) expect(got.service).toBe(c.want.service);
        if (c.want.path) expect(got.path).toBe(c.want.path);
      } else if (c.want.reason) {
        expect(got.reason).toMatch(c.want.reason);
      }
    });
  }
});

describe('normalizeHost', () => {
  const hosts: [string, string][] = [
    ['helloworld-test.local', 'helloworld-test.local'],
    ['HELLOWORLD-TEST.LOCAL:80', 'helloworld-test.local'],
    ['[::1]:8080', '[::1]'],
  ];
  for (const [raw, want] of hosts) it(raw, () => expect(normalizeHost(raw)).toBe(want));
});

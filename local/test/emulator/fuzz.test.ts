// Fuzz: a few thousand random and mutated requests. The server must never crash, and every error
// must be a well-formed Status whose code is the HTTP status.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const RUNS = 2500;

const validConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'hello-config', namespace: 'demo', labels: { app: 'helloworld' } },
  data: { MESSAGE: 'hello' },
};
const validDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'hello', namespace: 'demo' },
  spec: {
    selector: { matchLabels: { app: 'hello' } },
    template: { metadata: { labels: { app: 'hello' } }, spec: { containers: [{ name: 'app', image: 'hello:1' }] } },
  },
};

const pathArb = fc.oneof(
  fc.constantFrom(
    '/api',
    '/api/v1',
    '/apis',
    '/apis/apps/v1',
    '/apis/serving.knative.dev/v1',
    '/version',
    '/openapi/v3',
    '/openapi/v3/api/v1',
    '/openapi/v2',
    '/healthz',
    '/api/v1/namespaces',
    '/api/v1/namespaces/demo',
    '/api/v1/namespaces/demo/status',
    '/api/v1/namespaces/demo/configmaps',
    '/api/v1/namespaces/demo/configmaps/hello-config',
    '/api/v1/configmaps',
    '/apis/apps/v1/namespaces/demo/deployments',
    '/apis/apps/v1/namespaces/demo/deployments/hello',
    '/apis/apps/v1/namespaces/demo/deployments/hello/status',
    '/apis/serving.knative.dev/v1/namespaces/demo/services/x',
    '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    '/api/v1/namespaces/demo/secrets/s',
  ),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'api',
          'apis',
          'v1',
          'apps',
          'namespaces',
          'demo',
          'configmaps',
          'deployments',
          'status',
          'scale',
          '..',
          '%',
          '%zz',
          '%2F',
          '',
        ),
        fc.string({ maxLength: 12 }),
      ),
      { maxLength: 8 },
    )
    .map((segs) => '/' + segs.map((s) => encodeURIComponent(s).replace(/%25/g, '%')).join('/')),
);

const queryArb = fc
  .array(
    fc.oneof(
      fc.tuple(
        fc.constantFrom('labelSelector', 'fieldSelector'),
        fc.oneof(
          fc.constantFrom(
            'app=x',
            'env in (a,b',
            'a!=',
            '!',
            'x,,y',
            'a notin ()',
            'metadata.name=x',
            'spec.foo=1',
            '=',
            'a==b==c',
          ),
          fc.string({ maxLength: 20 }),
        ),
      ),
      fc.tuple(
        fc.constantFrom('limit'),
        fc.oneof(fc.constantFrom('1', '0', '-1', 'abc', '1e99', '2.5'), fc.string({ maxLength: 5 })),
      ),
      fc.tuple(
        fc.constantFrom('continue'),
        fc.oneof(fc.constantFrom('eyJydiI6MSwic3RhcnQiOiJhIn0=', 'garbage', ''), fc.base64String({ maxLength: 40 })),
      ),
      fc.tuple(
        fc.constantFrom('resourceVersion'),
        fc.oneof(fc.constantFrom('0', '1', '-5', 'x', '99999999999999999999'), fc.string({ maxLength: 6 })),
      ),
      fc.tuple(fc.constantFrom('dryRun'), fc.constantFrom('All', 'None', 'x')),
      fc.tuple(fc.constantFrom('watch'), fc.constantFrom('1', 'true', 'false')),
      fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

const mutate = (base: object) =>
  fc
    .tuple(
      fc.jsonValue({ maxDepth: 3 }),
      fc.array(
        fc.constantFrom(
          'metadata',
          'name',
          'namespace',
          'data',
          'spec',
          'kind',
          'apiVersion',
          'resourceVersion',
          'labels',
          'containers',
          'selector',
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([value, path]) => {
      const obj = structuredClone(base) as Record<string, unknown>;
      let cur: Record<string, unknown> = obj;
      for (const k of path.slice(0, -1)) {
        if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
        cur = cur[k] as Record<string, unknown>;
      }
      cur[path[path.length - 1]!] = value;
      return JSON.stringify(obj);
    });

const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(JSON.stringify(validConfigMap)),
  mutate(validConfigMap),
  mutate(validDeployment),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.constant('[{"op":"replace","path":"/data/MESSAGE","value":"x"}]'),
  fc.constant('{"spec":{"template":{"spec":{"containers":[{"name":"app","$patch":"delete"}]}}}}'),
  fc.constant('{"$retainKeys":5,"$setElementOrder/containers":{}}'),
);

const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  path: pathArb,
  query: queryArb,
  contentType: fc.constantFrom(
    undefined,
    'application/json',
    'application/merge-patch+json',
    'application/json-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
    'text/plain',
    'application/vnd.kubernetes.protobuf',
    'garbage;;=',
  ),
  accept: fc.constantFrom(
    undefined,
    'application/json',
    'application/json;as=Table;v=v1;g=meta.k8s.io',
    'application/vnd.kubernetes.protobuf',
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    '*/*',
    'text/html',
  ),
  body: bodyArb,
});

describe('fuzz', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ bookmarkIntervalMs: 50 });
    emu.seed([validConfigMap, validDeployment]);
  });
  afterAll(() => emu.stop());

  it(`${RUNS} random requests never crash the server and every error is a Status (seed ${SEED})`, async () => {
    try {
      await fc.assert(
        fc.asyncProperty(requestArb, async (r) => {
          const headers: Record<string, string> = {};
          if (r.contentType) headers['content-type'] = r.contentType;
          if (r.accept) headers.accept = r.accept;
          const ac = new AbortController();
          const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
          const res = await fetch(`${emu.url}${r.path}${r.query ? `?${r.query}` : ''}`, {
            method: r.method,
            headers,
            body: hasBody ? r.body : undefined,
            signal: ac.signal,
          });
          const isStream = res.status === 200 && /(^|&)watch=(1|true)/.test(r.query);
          if (isStream) {
            ac.abort(); // a live watch: its headers are enough
            return;
          }
          const text = r.method === 'HEAD' ? '' : await res.text();
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(600);
          expect(res.status).not.toBe(500);
          if (res.status >= 400 && r.method !== 'HEAD') {
            const status = JSON.parse(text) as Record<string, unknown>;
            expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: res.status });
            expect(typeof status.message).toBe('string');
            expect(typeof status.reason).toBe('string');
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    } catch (e) {
      throw new Error(`fuzz failed; reproduce with FUZZ_SEED=${SEED}\n${(e as Error).message}`);
    }
    const alive = await fetch(`${emu.url}/version`);
    expect(alive.status).toBe(200);
  }, 60_000);
});

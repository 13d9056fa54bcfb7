// Issue 11, real tier: the same actions through the real Knative adapter on the real apiserver and
// through the emulated ApiServerSource on the emulator; the sinks must receive the same sequence of
// events (type, subject, extensions, body), with ids, times, uids, resourceVersions and the API
// server's URL masked. The emulated source is the v1.8.8 adapter (the recordings' build); v1.12.6
// must differ only by its two additions, ce-apiversion and kn-namespace.
import { KubeConfig } from '@kubernetes/client-node';
import { runKubectl, startAdapter, type AdapterVersion, type RunningAdapter } from '@reroll/envtest';
import { describeRealTier, realTierAssets, useControlPlane } from '@reroll/envtest/vitest';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index';
import { startSources } from '../../src/source/start-sources';
import { startSink, waitFor, type SinkRequest, type TestSink } from '../source/sink-server';

type Mode = 'Reference' | 'Resource';
type Kubectl = (args: string[], input?: string) => Promise<unknown>;

const SELECTOR = 'reroll.dev/watch=true';
const LABELS = { 'reroll.dev/watch': 'true', app: 'helloworld', env: 'test' };
const ANNOTATIONS = { 'rolling.restart.controller/triggerRestart': 'true' };

const configMap = (name: string, data: Record<string, string>, binaryData?: Record<string, string>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: LABELS, annotations: ANNOTATIONS },
    data,
    ...(binaryData ? { binaryData } : {}),
  });

/** recorded-events/*: each scenario's actions, as kubectl ran them there */
const STEPS: { name: string; run(k: Kubectl): Promise<unknown> }[] = [
  { name: '01-create', run: (k) => k(['create', '-f', '-'], configMap('helloworld-test', { message: 'hello' })) },
  {
    name: '02-patch-data',
    run: (k) =>
      k(['patch', 'configmap', 'helloworld-test', '--type', 'merge', '-p', '{"data":{"message":"Hello again"}}']),
  },
  {
    name: '03-metadata-only',
    run: (k) => k(['annotate', 'configmap', 'helloworld-test', 'reroll.dev/note=metadata-only-change']),
  },
  {
    name: '04a-noop-merge-patch',
    run: (k) =>
      k(['patch', 'configmap', 'helloworld-test', '--type', 'merge', '-p', '{"data":{"message":"Hello again"}}']),
  },
  // 04b (server-side apply of the same value by a new field manager) is not here: the emulator does
  // not implement server-side apply (415), so it cannot be driven there. The restart suite in
  // reliability/test/real-tier covers it on the real apiserver.
  {
    name: '05-rapid-5-patches',
    run: async (k) => {
      for (let i = 1; i <= 5; i++)
        await k([
          'patch',
          'configmap',
          'helloworld-test',
          '--type',
          'merge',
          '-p',
          `{"data":{"message":"rapid-${i}"}}`,
        ]);
    },
  },
  {
    name: 'label-removed-and-re-added',
    run: async (k) => {
      await k(['label', 'configmap', 'helloworld-test', 'reroll.dev/watch-']);
      await k(['label', 'configmap', 'helloworld-test', 'reroll.dev/watch=true']);
    },
  },
  { name: '06-delete', run: (k) => k(['delete', 'configmap', 'helloworld-test']) },
  {
    name: '07-binarydata-two-keys',
    run: (k) =>
      k(
        ['create', '-f', '-'],
        configMap(
          'helloworld-bin',
          { ENV_MESSAGE: 'Hello binary', SECOND_KEY: 'second value' },
          { 'blob.bin': 'AAECYmluYXJ5/w==' },
        ),
      ),
  },
  {
    name: '10-secret',
    run: async (k) => {
      await k(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'helloworld-secret', labels: LABELS, annotations: ANNOTATIONS },
          stringData: { PASSWORD: 's3cret' },
        }),
      );
      await k(['patch', 'secret', 'helloworld-secret', '--type', 'merge', '-p', '{"stringData":{"PASSWORD":"n3w"}}']);
      await k(['delete', 'secret', 'helloworld-secret']);
    },
  },
];

const MASKED_HEADERS = new Set(['ce-id', 'ce-time', 'traceparent', 'content-length', 'host']);
const MASKED_FIELDS = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'time', 'deletionTimestamp']);

/**
 * managedFields: the real apiserver tracks field ownership on every write and ships it in Resource
 * mode; the emulator keeps none (it implements neither managedFields nor server-side apply). A known
 * gap, left out of the comparison on both sides until the emulator tracks them.
 */
const NOT_EMULATED_FIELDS = new Set(['managedFields']);

function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !NOT_EMULATED_FIELDS.has(k))
        .map(([k, v]) => [k, MASKED_FIELDS.has(k) ? '<masked>' : mask(v)]),
    );
  return value;
}

/** one delivery, with what differs by nature (random ids, clocks, the server's URL and versions) masked */
function normalize(req: SinkRequest, apiServer: string) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (MASKED_HEADERS.has(k)) headers[k] = k === 'traceparent' ? '<present>' : '<masked>';
    else headers[k] = k === 'ce-source' && v === apiServer ? '<apiserver>' : v;
  }
  if (headers['content-length']) delete headers['content-length'];
  let body: unknown = req.body;
  try {
    body = mask(JSON.parse(req.body));
  } catch {
    // not JSON: compared as is
  }
  return { headers, body };
}

interface Target {
  apiServer: string;
  kubectl: Kubectl;
  startSource(mode: Mode, sink: string): Promise<{ stop(): Promise<void> }>;
}

/** drives every step on a target; after each, marker objects prove every event of the step arrived */
async function drive(target: Target, mode: Mode): Promise<ReturnType<typeof normalize>[]> {
  const sink: TestSink = await startSink(() => 202);
  try {
    await target.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zz-marker', labels: LABELS } }),
    );
    await target.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'zz-marker', labels: LABELS } }),
    );
    const source = await target.startSource(mode, sink.url);
    let barriers = 0;
    const markers = (kind: string) =>
      sink.requests.filter((r) => r.headers['ce-name'] === 'zz-marker' && r.headers['ce-kind'] === kind).length;
    const barrier = async () => {
      barriers += 1;
      const n = barriers;
      // one watch per resource, each in order: once both markers' updates are in, the step's events are
      for (const kind of ['configmap', 'secret']) {
        await target.kubectl(['annotate', kind, 'zz-marker', `reroll.dev/barrier=${n}`, '--overwrite']);
        await waitFor(() => markers(kind === 'configmap' ? 'ConfigMap' : 'Secret') >= n, `${kind} marker ${n}`, 60_000);
      }
    };
    try {
      for (const step of STEPS) {
        await step.run(target.kubectl);
        await barrier();
      }
    } finally {
      await source.stop();
    }
    return sink.requests.map((r) => normalize(r, target.apiServer));
  } finally {
    await sink.close();
  }
}

function apiServerSourceObject(namespace: string, mode: Mode) {
  const selector = { matchLabels: { 'reroll.dev/watch': 'true' } };
  return {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'ApiServerSource',
    metadata: { name: 'reroll-source', namespace },
    spec: {
      mode,
      serviceAccountName: 'reroll-source',
      resources: [
        { apiVersion: 'v1', kind: 'ConfigMap', selector },
        { apiVersion: 'v1', kind: 'Secret', selector },
      ],
      sink: { uri: 'http://unused.invalid' },
    },
  };
}

describeRealTier(
  'emulated ApiServerSource against the real adapter',
  () => {
    const cp = useControlPlane();
    let emulator: Emulator;
    beforeAll(async () => {
      emulator = await startEmulator({ port: 0 });
    }, 60_000);
    afterAll(() => emulator?.stop());

    const emulated = (namespace: string): Target => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(emulator.kubeconfigPath);
      return {
        apiServer: emulator.url,
        kubectl: (args, input) =>
          runKubectl(emulator.kubeconfigPath, ['-n', namespace, ...args], input === undefined ? {} : { input }),
        async startSource(mode, sink) {
          const sources = await startSources({
            kubeConfig,
            objects: [apiServerSourceObject(namespace, mode)],
            sinkUrl: sink,
          });
          return {
            stop: async () => {
              sources.stop();
              await sources.idle();
            },
          };
        },
      };
    };

    const real = (namespace: string, version: AdapterVersion): Target => ({
      apiServer: cp.server,
      kubectl: (args, input) => cp.kubectl(['-n', namespace, ...args], input === undefined ? {} : { input }),
      async startSource(mode, sink) {
        await cp.kubectl(['-n', namespace, 'create', 'serviceaccount', 'reroll-source']);
        await cp.kubectl([
          '-n',
          namespace,
          'create',
          'role',
          'reroll-source',
          '--verb=get,list,watch',
          '--resource=configmaps,secrets',
        ]);
        await cp.kubectl([
          '-n',
          namespace,
          'create',
          'rolebinding',
          'reroll-source',
          '--role=reroll-source',
          `--serviceaccount=${namespace}:reroll-source`,
        ]);
        const adapter = realTierAssets().adapters.find((a) => a.version === version)!;
        const running: RunningAdapter = await startAdapter({
          controlPlane: cp,
          ...adapter,
          kubeconfig: await cp.kubeconfigFor(await cp.tokenFor(namespace, 'reroll-source')),
          sink,
          name: 'reroll-source',
          namespaces: [namespace],
          mode,
          resources: [
            { group: '', version: 'v1', resource: 'configmaps', selector: SELECTOR },
            { group: '', version: 'v1', resource: 'secrets', selector: SELECTOR },
          ],
        });
        return { stop: () => running.stop() };
      },
    });

    for (const adapter of realTierAssets().adapters) {
      for (const mode of ['Reference', 'Resource'] as const) {
        describe(`v${adapter.version}, mode ${mode}`, () => {
          it('the emulated source sends what the real adapter sends', async () => {
            // the same namespace name on both servers: it is in subjects, extensions and bodies
            const namespace = `cmp-${mode.toLowerCase()}-${adapter.version.replace(/\./g, '')}-${randomBytes(3).toString('hex')}`;
            await cp.kubectl(['create', 'namespace', namespace]);
            await runKubectl(emulator.kubeconfigPath, ['create', 'namespace', namespace]);
            const fromReal = await drive(real(namespace, adapter.version), mode);
            const fromEmulated = await drive(emulated(namespace), mode);
            let expected = fromReal;
            if (adapter.version === '1.12.6') {
              // what v1.12.6 adds; everything else must be what the emulated (v1.8.8) source sends
              for (const e of fromReal) {
                expect(e.headers['ce-apiversion']).toBe('v1');
                expect(e.headers['kn-namespace']).toBe(namespace);
              }
              expected = fromReal.map(({ headers, body }) => {
                const { 'ce-apiversion': _a, 'kn-namespace': _n, ...rest } = headers;
                return { headers: rest, body };
              });
            }
            expect(fromEmulated.length).toBeGreaterThan(STEPS.length);
            expect(fromEmulated).toEqual(expected);
          }, 300_000); // two servers, ten scenarios, one adapter process: minutes on two shared cores
        });
      }
    }
  },
  { adapters: true },
);

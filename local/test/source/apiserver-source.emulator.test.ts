// The emulated ApiServerSource against the local API emulator through client-node: the recorded
// scenarios replayed as kubectl would do them, and the sink must get the recorded sequence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '../../src/emulator/index';
import { startSources, type RunningSources } from '../../src/source/start-sources';
import { loadScenario } from './recordings';
import { startSink, waitFor, type TestSink } from './sink-server';

const NS = 'demo';
const WATCH_LABEL = 'reroll.dev/watch';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function apiServerSource(mode: 'Resource' | 'Reference', sinkUrl: string) {
  return {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'ApiServerSource',
    metadata: { name: `reroll-source-${mode.toLowerCase()}`, namespace: NS },
    spec: {
      mode,
      resources: [{ apiVersion: 'v1', kind: 'ConfigMap', selector: { matchLabels: { [WATCH_LABEL]: 'true' } } }],
      // Reference runs use a Knative-style sink ref, resolved by the runner's sinkUrl.
      sink:
        mode === 'Resource'
          ? { uri: sinkUrl }
          : { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'restart' } },
    },
  };
}

function configMap(name: string, data: Record<string, string>, extra: Partial<V1ConfigMap> = {}): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: NS,
      labels: { app: 'helloworld', env: 'test', [WATCH_LABEL]: 'true' },
      annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
    },
    data,
    ...extra,
  };
}

let emulator: Emulator;
let core: CoreV1Api;
let kc: KubeConfig;
const sinks: TestSink[] = [];
const running: RunningSources[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  kc = new KubeConfig();
  kc.loadFromFile(emulator.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } }).catch(() => undefined);
}, 30_000);

afterAll(async () => {
  running.forEach((r) => r.stop());
  await Promise.all(sinks.map((s) => s.close()));
  await emulator?.stop();
});

async function startWatching(mode: 'Resource' | 'Reference') {
  const sink = await startSink();
  sinks.push(sink);
  const sources = await startSources({
    kubeConfig: kc,
    objects: [apiServerSource(mode, sink.url)],
    sinkUrl: mode === 'Reference' ? sink.url : undefined,
  });
  running.push(sources);
  return { sink, sources };
}

const patchData = (name: string, data: Record<string, string | null>) =>
  core.patchNamespacedConfigMap({ name, namespace: NS, body: { data } }, merge);
const types = (sink: TestSink) => sink.requests.map((r) => r.headers['ce-type']!.split('.').pop());

describe('emulated ApiServerSource on the API emulator (scenarios 00-09)', () => {
  it('Resource mode: the sink receives the recorded sequence, in order, in the recorded format', async () => {
    // 00: an object that exists before the source starts is never sent (no replay at start).
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: configMap('helloworld-preexisting', { ENV_MESSAGE: 'old' }),
    });
    const { sink } = await startWatching('Resource');

    await core.createNamespacedConfigMap({
      namespace: NS,
      body: configMap('helloworld-test', { ENV_MESSAGE: 'Hello from test' }),
    }); // 01
    await patchData('helloworld-test', { ENV_MESSAGE: 'Hello again' }); // 02
    await core.patchNamespacedConfigMap(
      {
        name: 'helloworld-test',
        namespace: NS,
        body: { metadata: { annotations: { 'reroll.dev/note': 'metadata only' } } },
      },
      merge,
    ); // 03
    await patchData('helloworld-test', { ENV_MESSAGE: 'Hello again' }); // 04a: identical → no event
    for (let i = 1; i <= 5; i++) await patchData('helloworld-test', { ENV_MESSAGE: `rapid-${i}` }); // 05
    await core.deleteNamespacedConfigMap({ name: 'helloworld-test', namespace: NS }); // 06
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: configMap(
        'helloworld-bin',
        { ENV_MESSAGE: 'bin', SECOND_KEY: 'two' },
        { binaryData: { 'blob.bin': 'AAECYmluYXJ5/w==' } },
      ),
    }); // 07
    await waitFor(() => sink.requests.length >= 10, '10 events for scenarios 01-07');

    const recorded = [
      '01-create',
      '02-patch-data',
      '03-metadata-only',
      '04a-noop-merge-patch',
      '05-rapid-5-patches',
      '06-delete',
      '07-binarydata-two-keys',
    ].flatMap((s) => loadScenario('Resource', s));
    expect(types(sink)).toEqual(recorded.map((r) => r.headers['ce-type']!.split('.').pop()));
    const bodies = sink.requests.map(
      (r) =>
        JSON.parse(r.body) as {
          data: Record<string, string>;
          binaryData?: Record<string, string>;
          metadata: { name: string };
        },
    );
    expect(bodies.map((b) => b.data.ENV_MESSAGE)).toEqual([
      'Hello from test',
      'Hello again',
      'Hello again',
      'rapid-1',
      'rapid-2',
      'rapid-3',
      'rapid-4',
      'rapid-5',
      'rapid-5',
      'bin',
    ]);
    expect(bodies[9]!.binaryData).toEqual({ 'blob.bin': 'AAECYmluYXJ5/w==' });
    expect(bodies.some((b) => b.metadata.name === 'helloworld-preexisting')).toBe(false);
    for (const [i, r] of sink.requests.entries()) {
      expect(Object.keys(r.headers).sort(), `request ${i}`).toEqual(Object.keys(recorded[i]!.headers).sort());
      expect(r.headers['ce-subject']).toBe(
        recorded[i]!.headers['ce-subject']!.replace('helloworld-test', bodies[i]!.metadata.name),
      );
      expect(r.headers['ce-source']).toBe(emulator.url);
      // Go's encoding: keys sorted at every level.
      expect(r.body).toBe(JSON.stringify(sortDeep(JSON.parse(r.body))));
    }

    // 08: losing the label is a delete, a patch while unlabelled is nothing, the label back is an add.
    await core.patchNamespacedConfigMap(
      { name: 'helloworld-bin', namespace: NS, body: { metadata: { labels: { [WATCH_LABEL]: null } } } },
      merge,
    );
    await patchData('helloworld-bin', { SECOND_KEY: 'changed while unlabelled' });
    await core.patchNamespacedConfigMap(
      { name: 'helloworld-bin', namespace: NS, body: { metadata: { labels: { [WATCH_LABEL]: 'true' } } } },
      merge,
    );
    await waitFor(() => sink.requests.length >= 12, 'the delete and add of scenario 08');
    expect(types(sink).slice(10)).toEqual(['delete', 'add']);
    // As recorded from a real API server: the delete carries the last SELECTED state (label still
    // on) stamped with a newer version than the last add.
    const deleted = JSON.parse(sink.requests[10]!.body) as {
      metadata: { resourceVersion: string; labels: Record<string, string> };
    };
    expect(deleted.metadata.labels[WATCH_LABEL]).toBe('true');
    const added = JSON.parse(sink.requests[9]!.body) as { metadata: { resourceVersion: string } };
    expect(Number(deleted.metadata.resourceVersion)).toBeGreaterThan(Number(added.metadata.resourceVersion));
    const readded = JSON.parse(sink.requests[11]!.body) as { data: Record<string, string> };
    expect(readded.data.SECOND_KEY).toBe('changed while unlabelled');
  }, 60_000);

  it('09: changes made while the source is stopped never arrive; later ones do', async () => {
    const first = await startWatching('Reference');
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: configMap('helloworld-restart', { ENV_MESSAGE: 'before stop' }),
    });
    await waitFor(() => first.sink.requests.length === 1, 'the add before the stop');
    first.sources.stop();

    await patchData('helloworld-restart', { ENV_MESSAGE: 'while stopped' });
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: configMap('helloworld-created-while-stopped', { ENV_MESSAGE: 'x' }),
    });

    const second = await startWatching('Reference');
    await patchData('helloworld-restart', { ENV_MESSAGE: 'after restart' });
    await waitFor(() => second.sink.requests.length >= 1, 'the post-restart update');
    const recorded = loadScenario('Reference', '09-restart-adapter');
    expect([...first.sink.requests, ...second.sink.requests].map((r) => r.headers['ce-type'])).toEqual(
      recorded.map((r) => r.headers['ce-type']),
    );
    expect(second.sink.requests[0]!.body).toBe(recorded[1]!.body);
    expect(first.sink.requests).toHaveLength(1);
  }, 60_000);
});

describe('emulated ApiServerSource watching two resources (scenario 10)', () => {
  it('Secrets come with their base64 data and type, subject /apis/v1/…/secrets/<name>', async () => {
    const sink = await startSink();
    sinks.push(sink);
    const source = apiServerSource('Resource', sink.url);
    source.spec.resources.push({
      apiVersion: 'v1',
      kind: 'Secret',
      selector: { matchLabels: { [WATCH_LABEL]: 'true' } },
    });
    running.push(await startSources({ kubeConfig: kc, objects: [source] }));
    const labels = { app: 'helloworld', env: 'test', [WATCH_LABEL]: 'true' };
    await core.createNamespacedSecret({
      namespace: NS,
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'helloworld-secret', namespace: NS, labels },
        type: 'Opaque',
        stringData: { PASSWORD: 's3cr3t' },
      },
    });
    await core.patchNamespacedSecret(
      { name: 'helloworld-secret', namespace: NS, body: { stringData: { PASSWORD: 'n3w' } } },
      merge,
    );
    await core.deleteNamespacedSecret({ name: 'helloworld-secret', namespace: NS });
    await waitFor(() => sink.requests.length >= 3, 'add, update, delete of the Secret');

    const recorded = loadScenario('Resource', '10-secret');
    expect(sink.requests.map((r) => r.headers['ce-type'])).toEqual(recorded.map((r) => r.headers['ce-type']));
    expect(sink.requests.map((r) => r.headers['ce-subject'])).toEqual(recorded.map((r) => r.headers['ce-subject']));
    expect(sink.requests.map((r) => r.headers['ce-kind'])).toEqual(['Secret', 'Secret', 'Secret']);
    const first = JSON.parse(sink.requests[0]!.body) as { data: Record<string, string>; type: string };
    expect(first).toMatchObject({ data: { PASSWORD: 'czNjcjN0' }, type: 'Opaque' });
    expect(Object.keys(first)).toEqual(Object.keys(JSON.parse(recorded[0]!.body) as object));
  }, 60_000);
});

describe('startSources on the manifests of a namespace', () => {
  it('starts the PingSource too, ignores other kinds, and sendNow() reaches the sink override', async () => {
    const sink = await startSink();
    sinks.push(sink);
    const ping = {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'reroll-resync', namespace: NS },
      spec: {
        schedule: '*/5 * * * *',
        contentType: 'application/json',
        data: '{"resync":true}',
        sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'restart' } },
      },
    };
    const other = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'helloworld-test', namespace: NS } };
    const sources = await startSources({ kubeConfig: kc, objects: [other, ping], sinkUrl: sink.url });
    running.push(sources);
    expect(sources.apiServerSources).toHaveLength(0);
    expect(sources.pingSources).toHaveLength(1);
    expect(sources.pingSources[0]!.nextFireAt()!.getUTCMinutes() % 5).toBe(0);
    const result = await sources.pingSources[0]!.sendNow();
    expect(result.delivered).toBe(true);
    expect(sink.requests[0]!.headers).toMatchObject({
      'ce-type': 'dev.knative.sources.ping',
      'ce-source': '/apis/v1/namespaces/demo/pingsources/reroll-resync',
      'content-type': 'application/json',
    });
    expect(sink.requests[0]!.body).toBe('{"resync":true}');
  }, 30_000);

  it('a broken source object fails start-up with an error naming the field', async () => {
    const broken = {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'ApiServerSource',
      metadata: { name: 'x', namespace: NS },
      spec: { mode: 'Resource', resources: [{ kind: 'ConfigMap' }] },
    };
    await expect(startSources({ kubeConfig: kc, objects: [broken], sinkUrl: 'http://127.0.0.1:1/' })).rejects.toThrow(
      'ApiServerSource spec.resources[0].apiVersion is missing',
    );
  });
});

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
    );
  return v;
}

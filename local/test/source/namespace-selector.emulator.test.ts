// The emulated ApiServerSource with spec.namespaceSelector (the cluster-wide install's source, and
// routes-source's `kubernetes.io/metadata.name In [...]`), against the API emulator through
// client-node: it watches exactly the namespaces the selector selects; a namespace labelled later is
// watched from then on (as Knative's controller updates the adapter's list), an unlabelled one no
// longer; matchExpressions select as the API server does.
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index';
import { parseApiServerSource } from '../../src/source/apiserver-source-spec';
import type { RunningSelectedSource } from '../../src/source/namespace-selected-source';
import { startSources, type RunningSources } from '../../src/source/start-sources';
import { startSink, waitFor, type TestSink } from './sink-server';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let emulator: Emulator;
let core: CoreV1Api;
let kc: KubeConfig;
const sinks: TestSink[] = [];
const running: RunningSources[] = [];

function source(name: string, namespaceSelector: unknown) {
  return {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'ApiServerSource',
    metadata: { name, namespace: 'reroll-system' },
    spec: {
      mode: 'Reference',
      namespaceSelector,
      resources: [{ apiVersion: 'v1', kind: 'ConfigMap', selector: { matchLabels: { 'reroll.dev/watch': 'true' } } }],
      sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'restart' } },
    },
  };
}

async function namespace(name: string, labels: Record<string, string> = {}) {
  await core.createNamespace({ body: { metadata: { name, labels } } });
  await core.createNamespacedConfigMap({
    namespace: name,
    body: { metadata: { name: 'app-config', labels: { 'reroll.dev/watch': 'true' } }, data: { message: 'one' } },
  });
}
const change = (ns: string, message: string) =>
  core.patchNamespacedConfigMap({ name: 'app-config', namespace: ns, body: { data: { message } } }, merge);
const label = (ns: string, value: string | null) =>
  core.patchNamespace({ name: ns, body: { metadata: { labels: { 'reroll.dev/enabled': value } } } }, merge);
const fromNamespaces = (sink: TestSink) => sink.requests.map((r) => r.headers['ce-namespace']);

async function start(object: unknown) {
  const sink = await startSink();
  sinks.push(sink);
  const sources = await startSources({ kubeConfig: kc, objects: [object], sinkUrl: sink.url });
  running.push(sources);
  return { sink, selected: sources.apiServerSources[0] as RunningSelectedSource };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  kc = new KubeConfig();
  kc.loadFromFile(emulator.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  await namespace('team-a', { 'reroll.dev/enabled': 'true' });
  await namespace('team-b', { 'reroll.dev/enabled': 'true', tier: 'gold' });
  await namespace('team-c');
}, 30_000);

afterAll(async () => {
  running.forEach((r) => r.stop());
  await Promise.all(sinks.map((s) => s.close()));
  await emulator?.stop();
});

describe('parseApiServerSource: spec.namespaceSelector', () => {
  const cases: Array<[string, unknown, { labelSelector: string | undefined } | undefined]> = [
    ['absent: its own namespace only', undefined, undefined],
    ['matchLabels', { matchLabels: { 'reroll.dev/enabled': 'true' } }, { labelSelector: 'reroll.dev/enabled=true' }],
    [
      'matchExpressions',
      { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['b', 'a'] }] },
      { labelSelector: 'kubernetes.io/metadata.name in (a,b)' },
    ],
    ['empty: every namespace', {}, { labelSelector: undefined }],
  ];
  for (const [name, selector, expected] of cases) {
    it(name, () => {
      expect(parseApiServerSource(source('s', selector)).namespaceSelector).toEqual(expected);
    });
  }
  it('a bad operator names the field', () => {
    expect(() =>
      parseApiServerSource(source('s', { matchExpressions: [{ key: 'k', operator: 'Equals', values: ['v'] }] })),
    ).toThrow(/spec\.namespaceSelector\.matchExpressions\[0\]\.operator must be In, NotIn, Exists or DoesNotExist/);
  });
});

describe('emulated ApiServerSource with a namespaceSelector', () => {
  it('watches the labelled namespaces only; labelling and unlabelling take effect like Knative updating the list', async () => {
    const { sink, selected } = await start(source('cluster', { matchLabels: { 'reroll.dev/enabled': 'true' } }));
    expect(selected.namespaces()).toEqual(['team-a', 'team-b']);

    await change('team-c', 'two');
    await change('team-a', 'two');
    await change('team-b', 'two');
    await waitFor(() => sink.requests.length >= 2, 'sink.requests.length >= 2');
    expect(fromNamespaces(sink).sort()).toEqual(['team-a', 'team-b']);
    expect(sink.requests.map((r) => r.headers['ce-type'])).toEqual([
      'dev.knative.apiserver.ref.update',
      'dev.knative.apiserver.ref.update',
    ]);

    // labelled later: watched from then on (its earlier change is not replayed, as with the real adapter)
    await label('team-c', 'true');
    await waitFor(() => selected.namespaces().includes('team-c'), 'selected.namespaces().includes("team-c")');
    await change('team-c', 'three');
    await waitFor(() => fromNamespaces(sink).includes('team-c'), 'fromNamespaces(sink).includes("team-c")');
    expect(fromNamespaces(sink).filter((ns) => ns === 'team-c')).toHaveLength(1);

    // unlabelled: no longer watched
    await label('team-b', null);
    await waitFor(() => !selected.namespaces().includes('team-b'), '!selected.namespaces().includes("team-b")');
    const sent = sink.requests.length;
    await change('team-b', 'three');
    await change('team-a', 'three');
    await waitFor(() => sink.requests.length > sent, 'sink.requests.length > sent');
    expect(fromNamespaces(sink).slice(sent)).toEqual(['team-a']);
    await label('team-b', 'true');
    await label('team-c', null);
    await waitFor(
      () => selected.namespaces().join() === 'team-a,team-b',
      'selected.namespaces().join() === "team-a,team-b"',
    );
  });

  it('matchExpressions: NotIn and Exists select as the API server does', async () => {
    const { selected } = await start(
      source('expressions', {
        matchExpressions: [
          { key: 'reroll.dev/enabled', operator: 'Exists' },
          { key: 'tier', operator: 'NotIn', values: ['gold'] },
        ],
      }),
    );
    expect(selected.namespaces()).toEqual(['team-a']);
  });

  it("routes-source's selector by name (kubernetes.io/metadata.name In [...]) watches those namespaces", async () => {
    const { sink, selected } = await start(
      source('by-name', {
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-c', 'team-b'] }],
      }),
    );
    expect(selected.namespaces()).toEqual(['team-b', 'team-c']);
    await change('team-a', 'four');
    await change('team-c', 'four');
    await waitFor(() => sink.requests.length >= 1, 'sink.requests.length >= 1');
    expect(fromNamespaces(sink)).toEqual(['team-c']);
  });
});

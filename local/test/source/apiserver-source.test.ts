// The reflector logic against an in-memory ListWatchPort (the narrow port), so disconnects and
// 410s can be produced on demand; the emulator test covers the real client-node path.
import { describe, expect, it } from 'vitest';
import { startApiServerSource } from '../../src/source/apiserver-source';
import { parseApiServerSource } from '../../src/source/apiserver-source-spec';
import type { Delivery } from '../../src/source/delivery';
import type { ListWatchPort, WatchTarget } from '../../src/source/list-watch-port';
import type { OutgoingRequest } from '../../src/source/outgoing-request';
import { loadScenario } from './recordings';
import { waitFor } from './sink-server';

type OpenWatch = {
  target: WatchTarget;
  rv: string;
  onEvent: (t: string, o: unknown) => void;
  onDone: (e: unknown) => void;
  stopped: boolean;
};

function fakeListWatch(listVersions: string[], failingWatchOpens: number[] = []) {
  const watches: OpenWatch[] = [];
  let opens = 0;
  const lists: WatchTarget[] = [];
  const port: ListWatchPort = {
    // Not async methods, but the same promises: a throw in the body becomes a rejection.
    listResourceVersion: (target) =>
      new Promise((resolve) => {
        lists.push(target);
        const rv = listVersions.shift();
        if (!rv) throw new Error('forbidden: configmaps is forbidden');
        resolve(rv);
      }),
    watch: (target, rv, onEvent, onDone) =>
      new Promise((resolve) => {
        if (failingWatchOpens.includes(++opens)) throw new Error('connect ECONNREFUSED');
        const w: OpenWatch = { target, rv, onEvent, onDone, stopped: false };
        watches.push(w);
        resolve({ stop: () => (w.stopped = true) });
      }),
  };
  return { port, watches, lists, current: () => watches[watches.length - 1]! };
}

function recordingDelivery() {
  const sent: { sink: string; request: OutgoingRequest }[] = [];
  const delivery: Delivery = {
    deliver: (sink, request) => (
      sent.push({ sink, request }),
      Promise.resolve({ delivered: true, attempts: 1, last: { status: 202 } })
    ),
    idle: async () => {},
  };
  return { delivery, sent };
}

const sourceObject = {
  apiVersion: 'sources.knative.dev/v1',
  kind: 'ApiServerSource',
  metadata: { name: 'reroll-source', namespace: 'demo' },
  spec: {
    mode: 'Resource',
    resources: [{ apiVersion: 'v1', kind: 'ConfigMap', selector: { matchLabels: { 'reroll.dev/watch': 'true' } } }],
    sink: { uri: 'http://sink.local/' },
  },
};
const recorded = loadScenario('Resource', '05-rapid-5-patches');
const objects = recorded.map((r) => JSON.parse(r.body) as { metadata: { resourceVersion: string } });

async function start(listVersions: string[], failingWatchOpens: number[] = []) {
  const fake = fakeListWatch(listVersions, failingWatchOpens);
  const out = recordingDelivery();
  const sleeps: number[] = [];
  const running = await startApiServerSource({
    source: parseApiServerSource(sourceObject),
    apiServerUrl: 'https://127.0.0.1:6443',
    listWatch: fake.port,
    delivery: out.delivery,
    sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
  });
  return { ...fake, ...out, running, sleeps };
}

describe('emulated ApiServerSource reflector', () => {
  it('starts from now: lists for the version, watches from it with the selector, sends nothing for existing objects', async () => {
    const t = await start(['360']);
    expect(t.lists).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'demo', labelSelector: 'reroll.dev/watch=true' },
    ]);
    expect(t.watches.map((w) => w.rv)).toEqual(['360']);
    expect(t.sent).toEqual([]);
    t.running.stop();
  });

  it('forwards each watch event as its recorded request, in order, to the sink', async () => {
    const t = await start(['365']);
    for (const o of objects) t.current().onEvent('MODIFIED', o);
    t.current().onEvent('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '371' } });
    expect(t.sent.map((s) => s.request.body)).toEqual(recorded.map((r) => r.body));
    expect(t.sent.map((s) => s.request.headers['ce-type'])).toEqual(recorded.map((r) => r.headers['ce-type']));
    expect(new Set(t.sent.map((s) => s.sink))).toEqual(new Set(['http://sink.local/']));
    t.running.stop();
  });

  const endCases = [
    {
      name: 'a clean disconnect re-watches from the last version seen, nothing replayed',
      end: (w: OpenWatch) => w.onDone(null),
      lists: 1,
      rv: '371',
    },
    {
      name: 'a dropped connection re-watches from the last version seen after a backoff',
      end: (w: OpenWatch) => w.onDone(new Error('socket hang up')),
      lists: 1,
      rv: '371',
    },
    {
      name: 'an in-stream 410 relists (no replay) and watches from the new version',
      end: (w: OpenWatch) => w.onEvent('ERROR', { kind: 'Status', code: 410, reason: 'Expired' }),
      lists: 2,
      rv: '400',
    },
    {
      name: 'a 410 answer to the watch relists too',
      end: (w: OpenWatch) => w.onDone(Object.assign(new Error('Gone'), { statusCode: 410 })),
      lists: 2,
      rv: '400',
    },
  ];
  for (const c of endCases) {
    it(c.name, async () => {
      const t = await start(['365', '400']);
      for (const o of objects) t.current().onEvent('MODIFIED', o);
      t.current().onEvent('BOOKMARK', { metadata: { resourceVersion: '371' } });
      const first = t.current();
      c.end(first);
      await waitFor(() => t.watches.length === 2, 'the re-watch');
      expect(t.lists).toHaveLength(c.lists);
      expect(t.current().rv).toBe(c.rv);
      expect(t.sent).toHaveLength(5);
      t.current().onEvent('DELETED', objects[4]);
      expect(t.sent.map((s) => s.request.headers['ce-type']).at(-1)).toBe('dev.knative.apiserver.resource.delete');
      t.running.stop();
      expect(t.current().stopped).toBe(true);
    });
  }

  it('a refused re-watch backs off (doubling) and retries from the same version', async () => {
    const t = await start(['365'], [2, 3]);
    t.current().onEvent('MODIFIED', objects[0]);
    t.current().onDone(new Error('socket hang up'));
    await waitFor(() => t.watches.length === 2, 'the third re-watch attempt');
    expect(t.sleeps).toEqual([200, 400, 800]);
    expect(t.current().rv).toBe(objects[0]!.metadata.resourceVersion);
    expect(t.lists).toHaveLength(1);
    t.running.stop();
  });

  it('after stop, late events are ignored', async () => {
    const t = await start(['1']);
    t.running.stop();
    t.current().onEvent('ADDED', objects[0]);
    expect(t.sent).toEqual([]);
  });

  it('an object the formatter cannot read is logged and skipped, later ones still flow', async () => {
    const t = await start(['1']);
    t.current().onEvent('ADDED', { kind: 'ConfigMap' });
    t.current().onEvent('ADDED', objects[0]);
    expect(t.sent).toHaveLength(1);
    t.running.stop();
  });

  it('fails to start with a clear error when the first list is refused', async () => {
    await expect(start([])).rejects.toThrow(/demo\/reroll-source: cannot list v1 ConfigMap: forbidden/);
  });
});

describe('parseApiServerSource', () => {
  const good = [
    {
      name: 'recorded config',
      spec: sourceObject.spec,
      expect: {
        mode: 'Resource',
        sinkUri: 'http://sink.local/',
        resources: [{ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: 'reroll.dev/watch=true' }],
      },
    },
    {
      name: 'mode defaults to Reference; expressions sorted by key',
      spec: {
        resources: [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            selector: {
              matchLabels: { z: '1' },
              matchExpressions: [
                { key: 'env', operator: 'In', values: ['test', 'prod'] },
                { key: 'app', operator: 'Exists' },
                { key: 'b', operator: 'DoesNotExist' },
              ],
            },
          },
        ],
        sink: { ref: { kind: 'Service', name: 'restart' } },
      },
      expect: {
        mode: 'Reference',
        sinkUri: undefined,
        resources: [{ apiVersion: 'v1', kind: 'Secret', labelSelector: 'app,!b,env in (prod,test),z=1' }],
      },
    },
  ];
  for (const c of good) {
    it(c.name, () => expect(parseApiServerSource({ ...sourceObject, spec: c.spec })).toMatchObject(c.expect));
  }
  const bad = [
    {
      name: 'no resources',
      spec: { mode: 'Resource', resources: [] },
      error: /spec.resources must list at least one resource/,
    },
    {
      name: 'bad mode',
      spec: { mode: 'Ref', resources: [{ apiVersion: 'v1', kind: 'ConfigMap' }] },
      error: /spec.mode must be Resource or Reference/,
    },
    { name: 'no kind', spec: { resources: [{ apiVersion: 'v1' }] }, error: /spec.resources\[0\].kind is missing/ },
    {
      name: 'bad operator',
      spec: {
        resources: [
          { apiVersion: 'v1', kind: 'ConfigMap', selector: { matchExpressions: [{ key: 'a', operator: 'Gt' }] } },
        ],
      },
      error: /matchExpressions\[0\].operator must be In, NotIn/,
    },
    { name: 'no spec', spec: undefined, error: /spec is missing/ },
  ];
  for (const c of bad) {
    it(`rejects: ${c.name}`, () =>
      expect(() => parseApiServerSource({ ...sourceObject, spec: c.spec })).toThrow(c.error));
  }
});

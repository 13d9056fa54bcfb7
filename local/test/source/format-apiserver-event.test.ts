import { describe, expect, it } from 'vitest';
import { formatApiServerEvent, type SourceMode, type WatchEventType } from '../../src/source/format-apiserver-event';
import type { IdGenerator } from '../../src/source/clock';
import { loadRecordings } from './recordings';

const WATCH_TYPE: Record<string, WatchEventType> = { add: 'ADDED', update: 'MODIFIED', delete: 'DELETED' };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/;
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/;
const VOLATILE = new Set(['ce-id', 'ce-time', 'traceparent']);

describe('formatApiServerEvent reproduces every recorded request', () => {
  for (const mode of ['Resource', 'Reference'] as SourceMode[]) {
    const recordings = loadRecordings(mode);
    it(`${mode}: the recordings are there`, () => expect(recordings.length).toBeGreaterThan(10));
    for (const { file, line, request } of recordings) {
      it(`${file}:${line} ${request.headers['ce-type']}`, () => {
        const rec = request.headers;
        const eventType = WATCH_TYPE[rec['ce-type']!.split('.').pop()!]!;
        // Reference bodies carry no object: rebuild the minimal object the watch would have carried.
        const body = JSON.parse(request.body) as Record<string, string>;
        const object =
          mode === 'Resource'
            ? body
            : {
                apiVersion: body.apiVersion,
                kind: body.kind,
                metadata: { name: body.name, namespace: body.namespace, resourceVersion: '1' },
                data: { x: 'y' },
              };
        const out = formatApiServerEvent({ mode, eventType, object, source: rec['ce-source']! });

        const { host: _host, ...expected } = rec; // Host is written by the HTTP client from the sink URL
        expect(Object.keys(out.headers).sort()).toEqual(Object.keys(expected).sort());
        for (const [name, value] of Object.entries(expected)) {
          if (!VOLATILE.has(name)) expect(out.headers[name], name).toBe(value);
        }
        expect(out.headers['ce-id']).toMatch(UUID_V4);
        expect(out.headers['ce-time']).toMatch(CE_TIME);
        expect(out.headers['traceparent']).toMatch(TRACEPARENT);
        expect(out.body).toBe(request.body);
        expect(out.method).toBe(request.method);
      });
    }
  }
});

const fixedIds: IdGenerator = {
  uuid: () => '0b9a6f4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b',
  randomHex: (bytes) => 'ab'.repeat(bytes),
};
const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'helloworld-test', namespace: 'demo', labels: { 'reroll.dev/watch': 'true' } },
  data: { ENV_MESSAGE: 'a <b> & "c"\u2028', Z: 'z', A: '\u0001' },
};

describe('formatApiServerEvent details a consumer can see', () => {
  const timeCases = [
    { name: 'nanoseconds kept', ns: 1795422067562260725n, time: '2026-11-23T08:21:07.562260725Z' },
    { name: 'trailing zeros trimmed', ns: 1795422070870548500n, time: '2026-11-23T08:21:10.8705485Z' },
    { name: 'whole second has no fraction', ns: 1795422070000000000n, time: '2026-11-23T08:21:10Z' },
  ];
  for (const c of timeCases) {
    it(`ce-time: ${c.name}`, () => {
      const out = formatApiServerEvent(
        { mode: 'Reference', eventType: 'ADDED', object: configMap, source: 'https://10.96.0.1:443' },
        { clock: () => c.ns, ids: fixedIds },
      );
      expect(out.headers['ce-time']).toBe(c.time);
      expect(out.headers['ce-id']).toBe('0b9a6f4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b');
      expect(out.headers['traceparent']).toBe(`00-${'ab'.repeat(16)}-${'ab'.repeat(8)}-00`);
    });
  }

  const bodyCases = [
    {
      name: 'Resource body escapes like Go (HTML-safe, \\u00XX control chars) and sorts keys',
      mode: 'Resource' as const,
      object: configMap,
      body: '{"apiVersion":"v1","data":{"A":"\\u0001","ENV_MESSAGE":"a \\u003cb\\u003e \\u0026 \\"c\\"\\u2028","Z":"z"},"kind":"ConfigMap","metadata":{"labels":{"reroll.dev/watch":"true"},"name":"helloworld-test","namespace":"demo"}}',
      subject: '/apis/v1/namespaces/demo/configmaps/helloworld-test',
    },
    {
      name: 'Reference of a cluster-scoped object omits the empty namespace',
      mode: 'Reference' as const,
      object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view' } },
      body: '{"kind":"ClusterRole","name":"view","apiVersion":"rbac.authorization.k8s.io/v1"}',
      subject: '/apis/rbac.authorization.k8s.io/v1/namespaces//clusterroles/view',
    },
    {
      name: 'grouped kinds get the same guessed plural',
      mode: 'Reference' as const,
      object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'helloworld-test', namespace: 'demo' } },
      body: '{"kind":"Deployment","namespace":"demo","name":"helloworld-test","apiVersion":"apps/v1"}',
      subject: '/apis/apps/v1/namespaces/demo/deployments/helloworld-test',
    },
  ];
  for (const c of bodyCases) {
    it(c.name, () => {
      const out = formatApiServerEvent({
        mode: c.mode,
        eventType: 'MODIFIED',
        object: c.object,
        source: 'https://10.96.0.1:443',
      });
      expect(out.body).toBe(c.body);
      expect(out.headers['ce-subject']).toBe(c.subject);
      expect(out.headers['content-length']).toBe(String(Buffer.byteLength(c.body)));
    });
  }

  const badCases = [
    { name: 'not an object', input: { object: 'x' }, error: /JSON object/ },
    { name: 'no kind', input: { object: { apiVersion: 'v1', metadata: { name: 'a' } } }, error: /no kind/ },
    {
      name: 'no name',
      input: { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } },
      error: /metadata.name/,
    },
    { name: 'bad mode', input: { mode: 'Ref', object: configMap }, error: /mode must be Resource or Reference/ },
    {
      name: 'bad event type',
      input: { eventType: 'BOOKMARK', object: configMap },
      error: /ADDED, MODIFIED or DELETED/,
    },
  ];
  for (const c of badCases) {
    it(`rejects bad input clearly: ${c.name}`, () => {
      const input = { mode: 'Resource', eventType: 'ADDED', source: 'https://x', ...c.input } as Parameters<
        typeof formatApiServerEvent
      >[0];
      expect(() => formatApiServerEvent(input)).toThrow(c.error);
    });
  }
});

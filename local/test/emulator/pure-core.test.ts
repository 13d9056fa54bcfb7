// The pure pieces under the HTTP layer, table-driven over realistic Kubernetes JSON.
import { describe, expect, it } from 'vitest';
import { matchesLabels, parseLabelSelector } from '../../src/emulator/selectors';
import { strategicMerge } from '../../src/emulator/strategic-merge';
import { evaluateJsonPath } from '../../src/emulator/json-path';
import { humanDuration } from '../../src/emulator/table-convert';
import { ApiCore } from '../../src/emulator/api-core';
import { findResource } from '../../src/emulator/resource-table';
import { ApiError } from '../../src/emulator/status-errors';

describe('label selectors', () => {
  const labels = { app: 'helloworld', env: 'test', 'app.kubernetes.io/name': 'hello' };
  const cases: Array<[string, boolean]> = [
    ['app=helloworld', true],
    ['app==helloworld,env=prod', false],
    ['env!=prod', true],
    ['tier!=web', true],
    ['env in (test, prod)', true],
    ['env notin (test)', false],
    ['app.kubernetes.io/name', true],
    ['!app.kubernetes.io/name', false],
    ['!tier', true],
    ['', true],
  ];
  for (const [sel, want] of cases)
    it(`"${sel}" -> ${want}`, () => expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want));

  for (const bad of ['env in (a', 'a b c', 'app=hello world', 'x,,y']) {
    it(`"${bad}" is a 400 naming the problem`, () => {
      try {
        parseLabelSelector(bad);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ApiError);
        expect((e as ApiError).code).toBe(400);
        expect((e as ApiError).message).toMatch(/unable to parse requirement/);
      }
    });
  }
});

describe('strategic merge patch', () => {
  const podSpec = {
    containers: [
      {
        name: 'app',
        image: 'hello:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
      },
      { name: 'sidecar', image: 'busybox' },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'hello-config' } }],
    tolerations: [{ key: 'a', operator: 'Exists' }],
  };
  interface MergedContainer {
    name: string;
    image: string;
    env?: unknown;
    ports?: Array<{ containerPort: number }>;
    volumeMounts?: unknown;
  }
  /** The merged pod spec, as far as the checks read it. */
  interface MergedPodSpec {
    containers: [MergedContainer, ...MergedContainer[]];
    volumes?: unknown;
    tolerations?: unknown;
  }
  const cases: Array<{ name: string; patch: unknown; check: (r: MergedPodSpec) => void }> = [
    {
      name: 'merges a container by name, keeps the others',
      patch: { containers: [{ name: 'app', image: 'hello:2' }] },
      check: (r) => expect(r.containers.map((c: { image: string }) => c.image)).toEqual(['hello:2', 'busybox']),
    },
    {
      name: 'merges env by name',
      patch: {
        containers: [
          {
            name: 'app',
            env: [
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
          },
        ],
      },
      check: (r) =>
        expect(r.containers[0].env).toEqual([
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
          { name: 'C', value: '4' },
        ]),
    },
    {
      name: '$patch: delete removes a container',
      patch: { containers: [{ name: 'sidecar', $patch: 'delete' }] },
      check: (r) => expect(r.containers.map((c: { name: string }) => c.name)).toEqual(['app']),
    },
    {
      name: 'list item $patch: replace replaces the list',
      patch: { volumes: [{ name: 'new', emptyDir: {} }, { $patch: 'replace' }] },
      check: (r) => expect(r.volumes).toEqual([{ name: 'new', emptyDir: {} }]),
    },
    {
      name: 'container ports merge by containerPort',
      patch: { containers: [{ name: 'app', ports: [{ containerPort: 9090 }] }] },
      check: (r) => expect(r.containers[0].ports?.map((p) => p.containerPort)).toEqual([8080, 9090]),
    },
    {
      name: 'volumeMounts merge by mountPath',
      patch: { containers: [{ name: 'app', volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }] }] },
      check: (r) =>
        expect(r.containers[0].volumeMounts).toEqual([{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }]),
    },
    {
      name: 'lists without a merge key replace',
      patch: { tolerations: [{ key: 'b', operator: 'Exists' }] },
      check: (r) => expect(r.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]),
    },
    {
      name: 'null deletes a field',
      patch: { containers: [{ name: 'app', ports: null }] },
      check: (r) => expect(r.containers[0].ports).toBeUndefined(),
    },
    {
      name: '$setElementOrder reorders',
      patch: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] },
      check: (r) => expect(r.containers.map((c: { name: string }) => c.name)).toEqual(['sidecar', 'app']),
    },
    {
      name: '$retainKeys drops keys not listed',
      patch: { $retainKeys: ['containers'], containers: [] },
      check: (r) => expect(Object.keys(r)).toEqual(['containers']),
    },
  ];
  for (const c of cases) it(c.name, () => c.check(strategicMerge(podSpec, c.patch) as MergedPodSpec));

  it('Service ports merge by port', () => {
    const r = strategicMerge(
      { ports: [{ port: 80, targetPort: 8080 }] },
      { ports: [{ port: 443, targetPort: 8443 }] },
    ) as { ports: unknown[] };
    expect(r.ports).toHaveLength(2);
  });
});

describe('JSONPath for printer columns', () => {
  const ksvc = {
    status: {
      url: 'http://x',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Ok' },
        { type: 'RoutesReady', status: 'False' },
      ],
    },
    metadata: { labels: { 'serving.knative.dev/configuration': 'hello' } },
  };
  const cases: Array<[string, unknown[]]> = [
    ['.status.url', ['http://x']],
    [".status.conditions[?(@.type=='Ready')].status", ['True']],
    ['.status.conditions[?(@.type=="RoutesReady")].status', ['False']],
    [".metadata.labels['serving\\.knative\\.dev/configuration']", ['hello']],
    ['.status.conditions[*].type', ['Ready', 'RoutesReady']],
    ['.status.conditions[1].type', ['RoutesReady']],
    ['.status.missing', []],
    ['.status.conditions[?(@.type==', []],
  ];
  for (const [expr, want] of cases) it(expr, () => expect(evaluateJsonPath(ksvc, expr)).toEqual(want));
});

describe('age column', () => {
  const cases: Array<[number, string]> = [
    [5_000, '5s'],
    [119_000, '119s'],
    [150_000, '2m30s'],
    [3_600_000 * 2, '120m'],
    [3_600_000 * 5.5, '5h30m'],
    [86_400_000 * 3, '3d'],
    [86_400_000 * 400, '400d'],
  ];
  for (const [ms, want] of cases) it(`${ms} ms -> ${want}`, () => expect(humanDuration(ms)).toBe(want));
});

describe('watch history', () => {
  it('a watch from before the kept history gets one ERROR 410 event', () => {
    const core = new ApiCore({ historyLimit: 3 });
    const cm = findResource('', 'v1', 'configmaps')!;
    for (let i = 0; i < 6; i++) core.create(cm, 'default', { metadata: { name: `c${i}` } }, false);
    const events: Array<{ type: string; object: unknown }> = [];
    let ended = false;
    core.watch(
      cm,
      'default',
      new URLSearchParams({ resourceVersion: '4' }),
      (e) => events.push(e),
      () => (ended = true),
    );
    expect(ended).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('a watch from a kept resourceVersion replays the events after it', () => {
    const core = new ApiCore({ historyLimit: 100 });
    const cm = findResource('', 'v1', 'configmaps')!;
    const first = core.create(cm, 'default', { metadata: { name: 'a' } }, false);
    core.patch(cm, 'default', 'a', 'merge', { data: { k: 'v' } }, false);
    core.delete(cm, 'default', 'a', undefined, false);
    const events: string[] = [];
    const h = core.watch(
      cm,
      'default',
      new URLSearchParams({ resourceVersion: first.metadata.resourceVersion! }),
      (e) => events.push(e.type),
      () => {},
    );
    h.stop();
    expect(events).toEqual(['MODIFIED', 'DELETED']);
  });

  it('sendInitialEvents + allowWatchBookmarks ends the initial ADDED events with a marked BOOKMARK', () => {
    const core = new ApiCore();
    const cm = findResource('', 'v1', 'configmaps')!;
    core.create(cm, 'default', { metadata: { name: 'a' } }, false);
    const events: Array<{
      type: string;
      object: { metadata?: { annotations?: Record<string, string>; resourceVersion?: string } };
    }> = [];
    const h = core.watch(
      cm,
      'default',
      new URLSearchParams({
        sendInitialEvents: 'true',
        allowWatchBookmarks: 'true',
        resourceVersionMatch: 'NotOlderThan',
      }),
      (e) => events.push(e),
      () => {},
    );
    h.stop();
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(events[1]!.object.metadata?.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(events[1]!.object.metadata?.resourceVersion).toBe(String(core.store.currentRv()));
  });

  it('allowWatchBookmarks sends periodic BOOKMARKs carrying the latest resourceVersion', async () => {
    const core = new ApiCore();
    const cm = findResource('', 'v1', 'configmaps')!;
    const types: string[] = [];
    const h = core.watch(
      cm,
      'default',
      new URLSearchParams({ resourceVersion: String(core.store.currentRv()), allowWatchBookmarks: 'true' }),
      (e) => types.push(e.type),
      () => {},
      { bookmarkIntervalMs: 20 },
    );
    core.create(cm, 'default', { metadata: { name: 'b' } }, false);
    const until = Date.now() + 5_000;
    while (!types.includes('BOOKMARK') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    h.stop();
    expect(types[0]).toBe('ADDED');
    expect(types).toContain('BOOKMARK');
  });

  it('a label-selected watch turns objects leaving or entering the selector into DELETED / ADDED', () => {
    const core = new ApiCore();
    const cm = findResource('', 'v1', 'configmaps')!;
    core.create(cm, 'default', { metadata: { name: 'a', labels: { app: 'x' } } }, false);
    const events: string[] = [];
    const h = core.watch(
      cm,
      'default',
      new URLSearchParams({ resourceVersion: String(core.store.currentRv()), labelSelector: 'app=x' }),
      (e) => events.push(e.type),
      () => {},
    );
    core.patch(cm, 'default', 'a', 'merge', { metadata: { labels: { app: 'y' } } }, false);
    core.patch(cm, 'default', 'a', 'merge', { metadata: { labels: { app: 'x' } } }, false);
    core.patch(cm, 'default', 'a', 'merge', { data: { k: 'v' } }, false);
    h.stop();
    expect(events).toEqual(['DELETED', 'ADDED', 'MODIFIED']);
  });
});

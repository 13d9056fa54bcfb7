// stakater/Reloader's annotations with Reloader's meaning (handler/upgrade.go PerformAction), decided
// by reroll's rules: a table of workload + config + event → what happens, through the real reconcile.
import { describe, expect, it } from 'vitest';
import { readReloaderOptIn } from '../../src/core/reloader-annotations';
import type { ConfigKind, KubeObject } from '../../src/core/types';
import { ANNOTATIONS } from '../../src/core/types';
import { Reconciler, type ReconcileSettings } from '../../src/reconcile';
import { MemoryPort } from '../helpers/memory-port';
import { makeWorkload } from '../helpers/workloads';

const settings: ReconcileSettings = {
  namespaces: ['demo'],
  excludeNamespaces: [],
  match: 'reference',
  onDelete: 'ignore',
  dryRun: false,
};

function config(kind: ConfigKind, name: string, annotations: Record<string, string> = {}, data = { A: '1', B: '2' }) {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: 'demo', annotations },
    data: kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, btoa(v)])) : data,
  } satisfies KubeObject;
}

/** A workload with no seed 001 annotation, using the given configs through envFrom. */
function workload(annotations: Record<string, string>, uses: Array<[ConfigKind, string]> = [], templateOnly = false) {
  const envFrom = uses.map(([kind, name]) =>
    kind === 'ConfigMap' ? { configMapRef: { name } } : { secretRef: { name } },
  );
  const w = makeWorkload({
    name: 'app',
    optIn: false,
    annotations: templateOnly ? {} : annotations,
    podSpec: { containers: [{ name: 'c', image: 'app:1', envFrom }] },
  });
  if (templateOnly) (w.spec!.template as { metadata: Record<string, unknown> }).metadata.annotations = annotations;
  return w;
}

interface Case {
  name: string;
  workload: KubeObject;
  configs: KubeObject[];
  event: { kind: ConfigKind; name: string; action?: 'add' | 'update' };
  /** the app's decision; undefined = the config does not concern it (no decision at all) */
  expect?: 'rolled' | 'recorded' | 'skipped' | 'unchanged';
  reason?: RegExp;
}

const cm = (name: string, a?: Record<string, string>) => config('ConfigMap', name, a);
const secret = (name: string, a?: Record<string, string>) => config('Secret', name, a);

const cases: Case[] = [
  {
    name: 'auto "true": a referenced ConfigMap without any annotation rolls it',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'rolled',
  },
  {
    name: 'auto "true": a referenced Secret rolls it too',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['Secret', 'creds']]),
    configs: [secret('creds')],
    event: { kind: 'Secret', name: 'creds' },
    expect: 'rolled',
  },
  {
    name: 'auto "true": an unreferenced ConfigMap does not concern it',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg'), cm('other')],
    event: { kind: 'ConfigMap', name: 'other' },
  },
  {
    name: 'auto "True" (Go ParseBool) counts as true',
    workload: workload({ 'reloader.stakater.com/auto': 'True' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'rolled',
  },
  {
    name: 'auto "false" alone opts out',
    workload: workload({ 'reloader.stakater.com/auto': 'false' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'skipped',
    reason: /no rolling\.restart\.controller\/restartOnTrigger.*nor a Reloader annotation/,
  },
  {
    name: 'auto "false" does not turn off an explicit reload list (Reloader checks it independently)',
    workload: workload({ 'reloader.stakater.com/auto': 'false', 'configmap.reloader.stakater.com/reload': 'cfg' }, [
      ['ConfigMap', 'cfg'],
    ]),
    configs: [cm('cfg')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'rolled',
  },
  {
    name: 'configmap.reloader.stakater.com/auto follows ConfigMaps…',
    workload: workload({ 'configmap.reloader.stakater.com/auto': 'true' }, [
      ['ConfigMap', 'cfg'],
      ['Secret', 'creds'],
    ]),
    configs: [cm('cfg'), secret('creds')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'rolled',
  },
  {
    name: '…and not Secrets',
    workload: workload({ 'configmap.reloader.stakater.com/auto': 'true' }, [
      ['ConfigMap', 'cfg'],
      ['Secret', 'creds'],
    ]),
    configs: [cm('cfg'), secret('creds')],
    event: { kind: 'Secret', name: 'creds' },
    expect: 'skipped',
    reason: /Secret demo\/creds is not selected by the workload's Reloader annotations/,
  },
  {
    name: 'secret.reloader.stakater.com/auto follows Secrets, not ConfigMaps',
    workload: workload({ 'secret.reloader.stakater.com/auto': 'true' }, [
      ['ConfigMap', 'cfg'],
      ['Secret', 'creds'],
    ]),
    configs: [cm('cfg'), secret('creds')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'skipped',
  },
  {
    name: 'configmap reload list: a listed ConfigMap counts even when the pod does not reference it',
    workload: workload({ 'configmap.reloader.stakater.com/reload': 'a, b' }),
    configs: [cm('a'), cm('b')],
    event: { kind: 'ConfigMap', name: 'b' },
    expect: 'rolled',
  },
  {
    name: 'secret reload list names Secrets only',
    workload: workload({ 'secret.reloader.stakater.com/reload': 'creds' }),
    configs: [cm('creds'), secret('creds')],
    event: { kind: 'ConfigMap', name: 'creds' },
  },
  {
    name: 'secret reload list: the listed Secret rolls it',
    workload: workload({ 'secret.reloader.stakater.com/reload': 'creds' }),
    configs: [secret('creds')],
    event: { kind: 'Secret', name: 'creds' },
    expect: 'rolled',
  },
  {
    name: 'reload list items are regular expressions…',
    workload: workload({ 'configmap.reloader.stakater.com/reload': 'app-.*' }),
    configs: [cm('app-config')],
    event: { kind: 'ConfigMap', name: 'app-config' },
    expect: 'rolled',
  },
  {
    name: '…anchored at both ends ("config" does not match "config-2")',
    workload: workload({ 'configmap.reloader.stakater.com/reload': 'config' }),
    configs: [cm('config'), cm('config-2')],
    event: { kind: 'ConfigMap', name: 'config-2' },
  },
  {
    name: '…and at the start ("app" does not match "my-app")',
    workload: workload({ 'configmap.reloader.stakater.com/reload': 'app' }),
    configs: [cm('my-app')],
    event: { kind: 'ConfigMap', name: 'my-app' },
  },
  {
    name: 'an invalid pattern is ignored (Reloader would panic), the valid ones still apply',
    workload: workload({ 'configmap.reloader.stakater.com/reload': '[broken, ok' }),
    configs: [cm('ok')],
    event: { kind: 'ConfigMap', name: 'ok' },
    expect: 'rolled',
  },
  {
    name: 'search + match: a referenced ConfigMap with match "true" rolls it',
    workload: workload({ 'reloader.stakater.com/search': 'true' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg', { 'reloader.stakater.com/match': 'true' })],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'rolled',
  },
  {
    name: 'search: a referenced ConfigMap without match does not',
    workload: workload({ 'reloader.stakater.com/search': 'true' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'skipped',
  },
  {
    name: 'search: a ConfigMap with match that the pod does not reference does not concern it',
    workload: workload({ 'reloader.stakater.com/search': 'true' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg'), cm('other', { 'reloader.stakater.com/match': 'true' })],
    event: { kind: 'ConfigMap', name: 'other' },
  },
  {
    name: 'ignore on the ConfigMap wins over auto',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg', { 'reloader.stakater.com/ignore': 'true' })],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'skipped',
    reason: /carries reloader\.stakater\.com\/ignore: "true"/,
  },
  {
    name: 'ignore wins over an explicit reload list',
    workload: workload({ 'configmap.reloader.stakater.com/reload': 'cfg' }),
    configs: [cm('cfg', { 'reloader.stakater.com/ignore': 'true' })],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'skipped',
  },
  {
    name: 'ignore wins over seed 001 triggerRestart too',
    workload: makeWorkload({
      name: 'app',
      podSpec: { containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] }] },
    }),
    configs: [cm('cfg', { [ANNOTATIONS.triggerRestart]: 'true', 'reloader.stakater.com/ignore': 'true' })],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'skipped',
  },
  {
    name: 'annotations on the pod template are read when the workload carries none (Reloader’s fallback)',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']], true),
    configs: [cm('cfg')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'rolled',
  },
  {
    name: 'reroll’s rules still hold: first sight on add only records',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']]),
    configs: [cm('cfg')],
    event: { kind: 'ConfigMap', name: 'cfg', action: 'add' },
    expect: 'recorded',
  },
  {
    name: 'seed 001’s annotations keep working unchanged (config without triggerRestart is skipped)',
    workload: makeWorkload({
      name: 'app',
      podSpec: { containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] }] },
    }),
    configs: [cm('cfg')],
    event: { kind: 'ConfigMap', name: 'cfg' },
    expect: 'skipped',
    reason: /has no rolling\.restart\.controller\/triggerRestart/,
  },
];

describe('Reloader annotations', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const port = new MemoryPort([...c.configs, c.workload]);
      const reconciler = new Reconciler({ port, settings });
      const ref = { kind: c.event.kind, namespace: 'demo', name: c.event.name };
      const result = await reconciler.reconcileConfig({ ref, action: c.event.action ?? 'update' });
      const mine = result.decisions.filter((d) => d.name === 'app');
      if (c.expect === undefined) {
        expect(mine).toEqual([]);
        expect(port.patches()).toEqual([]);
        return;
      }
      expect(mine.map((d) => d.action)).toEqual([c.expect]);
      if (c.reason) expect(mine[0]!.reason).toMatch(c.reason);
      expect(port.patches()).toHaveLength(c.expect === 'rolled' || c.expect === 'recorded' ? 1 : 0);
    });
  }

  it('an unreferenced config matched by a regex is remembered, so the next event hashes the same set', async () => {
    const w = workload({ 'configmap.reloader.stakater.com/reload': 'app-.*' }, [['ConfigMap', 'own']]);
    const port = new MemoryPort([cm('own'), cm('app-x'), w]);
    const reconciler = new Reconciler({ port, settings });
    const first = await reconciler.reconcileConfig({
      ref: { kind: 'ConfigMap', namespace: 'demo', name: 'app-x' },
      action: 'update',
    });
    expect(first.decisions.map((d) => d.action)).toEqual(['rolled']);
    expect(port.read('Deployment', 'demo', 'app')!.metadata!.annotations![ANNOTATIONS.labelMatches]).toBe(
      'ConfigMap/app-x',
    );
    // a resync (which cannot list ConfigMaps by pattern) still covers app-x: nothing changed, nothing rolls
    const resync = await reconciler.resync();
    expect(resync.decisions.map((d) => d.action)).toEqual(['unchanged']);
    // a real change of the remembered config rolls again
    port.put({ ...cm('app-x'), data: { A: 'changed' } });
    const again = await reconciler.reconcileConfig({
      ref: { kind: 'ConfigMap', namespace: 'demo', name: 'app-x' },
      action: 'update',
    });
    expect(again.decisions.map((d) => d.action)).toEqual(['rolled']);
  });

  it('auto keeps reroll’s key-level hashing: a change to a key the pod does not read rolls nothing', async () => {
    const w = makeWorkload({
      name: 'app',
      optIn: false,
      annotations: { 'reloader.stakater.com/auto': 'true' },
      podSpec: {
        containers: [{ name: 'c', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'A' } } }] }],
      },
    });
    const port = new MemoryPort([cm('cfg'), w]);
    const reconciler = new Reconciler({ port, settings });
    const ref = { kind: 'ConfigMap' as const, namespace: 'demo', name: 'cfg' };
    expect((await reconciler.reconcileConfig({ ref, action: 'add' })).decisions[0]!.action).toBe('recorded');
    port.put({ ...cm('cfg'), data: { A: '1', B: 'changed' } });
    expect((await reconciler.reconcileConfig({ ref, action: 'update' })).decisions[0]!.action).toBe('unchanged');
    port.put({ ...cm('cfg'), data: { A: 'changed', B: 'changed' } });
    expect((await reconciler.reconcileConfig({ ref, action: 'update' })).decisions[0]!.action).toBe('rolled');
  });

  it('parses the lists Reloader’s way: trimmed items, empty ones dropped, plain names readable directly', () => {
    const opt = readReloaderOptIn(workload({ 'configmap.reloader.stakater.com/reload': ' a ,, b-.* ,c.d' }))!;
    expect(opt.reload.ConfigMap.map(String)).toEqual(['/^a$/', '/^b-.*$/', '/^c.d$/']);
    expect(opt.literal.ConfigMap).toEqual(['a', 'c.d']);
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/core/types';
import { ANNOTATIONS } from '../src/core/types';
import { ApiUnavailableError } from '../src/kube/port';
import { Reconciler, type ReconcileSettings } from '../src/reconcile';
import { recordedObject } from './helpers/fixtures';
import { MemoryPort } from './helpers/memory-port';
import { makeWorkload } from './helpers/workloads';

const settings: ReconcileSettings = {
  namespaces: ['demo'],
  excludeNamespaces: ['kube-system'],
  match: 'both',
  onDelete: 'ignore',
  dryRun: false,
};
const cmRef = { kind: 'ConfigMap' as const, namespace: 'demo', name: 'helloworld-test' };

function setup(
  objects: KubeObject[] = [recordedObject('02'), makeWorkload()],
  overrides: Partial<ReconcileSettings> = {},
) {
  const port = new MemoryPort(objects);
  const reconciler = new Reconciler({
    port,
    settings: { ...settings, ...overrides },
    now: () => new Date('2026-11-23T09:00:00Z'),
  });
  return { port, reconciler };
}

describe('reconcile', () => {
  it('an update rolls the workload once; the same event again changes nothing', async () => {
    const { port, reconciler } = setup();
    const first = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(first.decisions).toMatchObject([{ kind: 'Deployment', name: 'helloworld-test', action: 'rolled' }]);
    expect(first.restartedAt).toEqual({ 'Deployment/demo/helloworld-test': '2026-11-23T09:00:00Z' });
    const again = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(again.decisions).toMatchObject([{ action: 'unchanged' }]);
    expect(port.patches()).toHaveLength(1);
    const live = port.read('Deployment', 'demo', 'helloworld-test')!;
    expect(
      (live.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations[
        ANNOTATIONS.restartTimestamp
      ],
    ).toBe('2026-11-23T09:00:00Z');
  });

  it('with kinds configured, only those kinds are listed (and a StatefulSet using the ConfigMap is left alone)', async () => {
    const { port, reconciler } = setup(
      [recordedObject('02'), makeWorkload(), makeWorkload({ kind: 'StatefulSet', name: 'sts' })],
      { kinds: ['Deployment'] },
    );
    const result = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(result.decisions).toMatchObject([{ kind: 'Deployment', action: 'rolled' }]);
    expect(port.calls.filter((c) => c.verb === 'list').map((c) => c.kind)).toEqual(['Deployment']);
  });

  it('five concurrent events for one ConfigMap: one reconcile + one coalesced follow-up, one rollout', async () => {
    const { port, reconciler } = setup();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => reconciler.reconcileConfig({ ref: cmRef, action: 'update' })),
    );
    expect(port.patches()).toHaveLength(1);
    expect(port.calls.filter((c) => c.verb === 'get' && c.kind === 'ConfigMap')).toHaveLength(2);
    expect(results[0]!.decisions[0]!.action).toBe('rolled');
    for (const r of results.slice(1)) expect(r.decisions[0]!.action).toBe('unchanged');
    // the four coalesced callers share the follow-up's result
    expect(new Set(results.slice(1))).toHaveProperty('size', 1);
  });

  it('rapid patches delivered out of order still converge with one rollout per real state', async () => {
    const { port, reconciler } = setup([recordedObject('05', 4), makeWorkload()]);
    for (const _ of [5, 3, 1, 4, 2]) await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(port.patches()).toHaveLength(1);
  });

  it('an excluded namespace is never read nor written', async () => {
    const { port, reconciler } = setup(
      [
        { ...recordedObject('02'), metadata: { ...recordedObject('02').metadata, namespace: 'kube-system' } },
        makeWorkload({ namespace: 'kube-system' }),
      ],
      { namespaces: ['demo', 'kube-system'] },
    );
    const result = await reconciler.reconcileConfig({ ref: { ...cmRef, namespace: 'kube-system' }, action: 'update' });
    expect(result.decisions).toEqual([]);
    expect(result.note).toMatch(/excluded/);
    expect(port.calls).toEqual([]);
  });

  it('a namespace that is not served is never read', async () => {
    const { port, reconciler } = setup();
    const result = await reconciler.reconcileConfig({ ref: { ...cmRef, namespace: 'prod' }, action: 'update' });
    expect(result.note).toMatch(/not served/);
    expect(port.calls).toEqual([]);
  });

  it('a 409 (another replica rolled it first) re-reads and decides again: no second rollout', async () => {
    const { port, reconciler } = setup();
    let raced = false;
    // another writer changes the workload between our read and our patch
    port.beforePatch = (ref) => {
      if (raced) return;
      raced = true;
      const w = port.read(ref.kind, ref.namespace, ref.name)!;
      w.metadata!.annotations = { ...w.metadata!.annotations, [ANNOTATIONS.configHash]: 'rival-wrote-this' };
      port.put(w);
    };
    const result = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    // first patch hit 409, the re-read saw a (different) recorded hash and rolled once more with a fresh resourceVersion
    expect(port.calls.filter((c) => c.verb === 'get' && c.kind === 'Deployment')).toHaveLength(1);
    expect(result.decisions).toMatchObject([{ action: 'rolled', reason: /config hash changed rival-wrote/ }]);
  });

  it('a 409 after which the workload already carries our hash ends unchanged', async () => {
    const { port, reconciler } = setup();
    const winner = setup([recordedObject('02'), makeWorkload()]);
    await winner.reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    const rolled = winner.port.read('Deployment', 'demo', 'helloworld-test')!;
    let raced = false;
    port.beforePatch = (ref) => {
      if (raced) return;
      raced = true;
      const w = port.read(ref.kind, ref.namespace, ref.name)!;
      w.metadata!.annotations = rolled.metadata!.annotations;
      w.spec = rolled.spec;
      port.put(w);
    };
    const result = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(result.decisions).toMatchObject([{ action: 'unchanged' }]);
    expect(port.patches()).toHaveLength(1); // the one that got the 409
  });

  it('403 on the ConfigMap becomes a failed decision, not a crash', async () => {
    const { port, reconciler } = setup();
    port.inject({ verb: 'get', kind: 'ConfigMap', status: 403 });
    const result = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(result.decisions).toMatchObject([
      { kind: 'ConfigMap', name: 'helloworld-test', action: 'failed', reason: /403/ },
    ]);
  });

  it('403 on patch becomes a failed decision', async () => {
    const { port, reconciler } = setup();
    port.inject({ verb: 'patch', status: 403 });
    const result = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(result.decisions).toMatchObject([{ action: 'failed', reason: /patch failed/ }]);
  });

  it('API unavailable propagates (the HTTP adapter answers 503)', async () => {
    const { port, reconciler } = setup();
    port.inject({ verb: 'list', status: 'unavailable' });
    await expect(reconciler.reconcileConfig({ ref: cmRef, action: 'update' })).rejects.toBeInstanceOf(
      ApiUnavailableError,
    );
  });

  it('dry run decides but never patches', async () => {
    const { port, reconciler } = setup(undefined, { dryRun: true });
    const result = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(result.decisions).toMatchObject([{ action: 'rolled', reason: /dry run/ }]);
    expect(port.patches()).toEqual([]);
  });

  it('a deleted ConfigMap rolls nothing by default', async () => {
    const { port, reconciler } = setup([makeWorkload()]);
    const result = await reconciler.reconcileConfig({ ref: cmRef, action: 'delete', lastKnown: recordedObject('06') });
    expect(result.decisions).toMatchObject([{ action: 'skipped' }]);
    expect(port.patches()).toEqual([]);
  });

  it('resync records first sight in every served namespace and skips excluded ones', async () => {
    const prodCm = { ...recordedObject('02'), metadata: { ...recordedObject('02').metadata, namespace: 'prod' } };
    const { port, reconciler } = setup(
      [
        recordedObject('02'),
        makeWorkload(),
        prodCm,
        makeWorkload({ namespace: 'prod' }),
        makeWorkload({ namespace: 'kube-system' }),
      ],
      { namespaces: ['demo', 'prod', 'kube-system'] },
    );
    const result = await reconciler.resync();
    expect(result.decisions.map((d) => `${d.namespace}:${d.action}`).sort()).toEqual([
      'demo:recorded',
      'prod:recorded',
    ]);
    expect(port.calls.some((c) => c.namespace === 'kube-system')).toBe(false);
    expect((await reconciler.resync()).decisions.map((d) => d.action)).toEqual(['unchanged', 'unchanged']);
  });
});

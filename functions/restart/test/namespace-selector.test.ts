// REROLL_NAMESPACE_SELECTOR (the cluster-wide install), over Namespace objects shaped as
// kube-apiserver 1.26 returns them (test/fixtures/namespaces.json): an event from a namespace whose
// live labels do not match is answered with no decisions and a reason, and nothing of it is read; a
// resync lists namespaces once by the selector and reconciles only the served ones. Excluded wins.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { decideNamespace, selectServedNamespaces, type NamespacePolicy } from '../src/core/namespaces';
import type { KubeObject } from '../src/core/types';
import { Reconciler, type ReconcileSettings } from '../src/reconcile';
import { recordedObject } from './helpers/fixtures';
import { MemoryPort } from './helpers/memory-port';
import { makeWorkload } from './helpers/workloads';

const NAMESPACES = JSON.parse(
  readFileSync(new URL('./fixtures/namespaces.json', import.meta.url), 'utf8'),
) as KubeObject[];
const namespace = (name: string) => NAMESPACES.find((n) => n.metadata!.name === name)!;

function policyFor(env: Record<string, string>): ReconcileSettings {
  const result = loadConfig(
    { REROLL_NAMESPACE_SELECTOR: 'reroll.dev/enabled=true', ...env },
    { ownNamespace: 'reroll-system' },
  );
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.config;
}

/** the recorded ConfigMap (update of seed 000's helloworld-test) and a Deployment using it, in `ns` */
function appIn(ns: string): KubeObject[] {
  const config = recordedObject('02');
  config.metadata = { ...config.metadata, namespace: ns };
  return [config, makeWorkload({ namespace: ns })];
}

function setup(settings: ReconcileSettings, namespaces = NAMESPACES) {
  const names = namespaces.map((n) => n.metadata!.name!);
  const port = new MemoryPort([...namespaces, ...names.flatMap(appIn)]);
  const reconciler = new Reconciler({ port, settings, now: () => new Date('2026-12-02T17:00:00Z') });
  return { port, reconciler };
}

const update = (ns: string) => ({
  ref: { kind: 'ConfigMap' as const, namespace: ns, name: 'helloworld-test' },
  action: 'update' as const,
});

describe('decideNamespace', () => {
  const cases: Array<[string, Record<string, string>, string, true | RegExp]> = [
    ['labelled true', {}, 'team-a', true],
    ['labelled true, more labels', {}, 'team-b', true],
    ['no label', {}, 'team-c', /namespace team-c does not match REROLL_NAMESPACE_SELECTOR=reroll\.dev\/enabled=true/],
    ['labelled false', {}, 'team-d', /does not match REROLL_NAMESPACE_SELECTOR/],
    ['labelled true but excluded (excluded wins)', {}, 'kube-system', /excluded \(REROLL_EXCLUDE_NAMESPACES\)/],
    [
      'labelled true, outside REROLL_NAMESPACES (the list narrows)',
      { REROLL_NAMESPACES: 'team-b' },
      'team-a',
      /not served \(REROLL_NAMESPACES=team-b\)/,
    ],
    [
      'listed but not labelled (the selector narrows too)',
      { REROLL_NAMESPACES: 'team-a,team-c' },
      'team-c',
      /does not match/,
    ],
    ['a selector with matchExpressions-like operators', { REROLL_NAMESPACE_SELECTOR: 'env in (prod)' }, 'team-b', true],
  ];
  for (const [name, env, ns, expected] of cases) {
    it(name, () => {
      const verdict = decideNamespace(ns, namespace(ns), policyFor(env));
      if (expected === true) expect(verdict).toEqual({ served: true });
      else expect(verdict.served === false && verdict.reason).toMatch(expected);
    });
  }

  it('a namespace that does not exist is not served', () => {
    expect(decideNamespace('gone', null, policyFor({}))).toEqual({
      served: false,
      reason: 'namespace gone does not exist: nothing read or written',
    });
  });

  it('without a selector the labels do not matter (the namespaced install, as before)', () => {
    const policy: NamespacePolicy = { namespaces: ['team-c'], excludeNamespaces: ['kube-system'] };
    expect(decideNamespace('team-c', namespace('team-c'), policy)).toEqual({ served: true });
  });

  it('selectServedNamespaces keeps what the whole policy serves, even if a LIST returned more', () => {
    expect(selectServedNamespaces(NAMESPACES, policyFor({}))).toEqual(['team-a', 'team-b']);
  });
});

describe('reconcile with REROLL_NAMESPACE_SELECTOR', () => {
  const events: Array<[string, string, 'rolled' | RegExp]> = [
    ['team-a', 'labelled', 'rolled'],
    ['team-b', 'labelled', 'rolled'],
    ['team-c', 'not labelled', /team-c does not match REROLL_NAMESPACE_SELECTOR/],
    ['team-d', 'labelled false', /team-d does not match/],
    ['kube-system', 'excluded', /excluded/],
  ];
  for (const [ns, what, expected] of events) {
    it(`an update in ${ns} (${what}): ${expected === 'rolled' ? 'rolls' : 'no decisions, a reason'}`, async () => {
      const { port, reconciler } = setup(policyFor({}));
      const result = await reconciler.reconcileConfig(update(ns));
      if (expected === 'rolled') {
        expect(result.decisions).toMatchObject([{ kind: 'Deployment', namespace: ns, action: 'rolled' }]);
        expect(port.patches()).toHaveLength(1);
      } else {
        expect(result.decisions).toEqual([]);
        expect(result.note).toMatch(expected);
        // nothing of the namespace read: at most its own labels
        expect(port.calls.filter((c) => c.kind !== 'Namespace')).toEqual([]);
      }
    });
  }

  it('labels are read live: a namespace labelled after a refused event is served from the next one', async () => {
    const { port, reconciler } = setup(policyFor({}));
    expect((await reconciler.reconcileConfig(update('team-c'))).note).toMatch(/does not match/);
    const labelled = namespace('team-c');
    port.put({
      ...labelled,
      metadata: { ...labelled.metadata, labels: { ...labelled.metadata!.labels, 'reroll.dev/enabled': 'true' } },
    });
    expect((await reconciler.reconcileConfig(update('team-c'))).decisions).toMatchObject([{ action: 'rolled' }]);
    // and unlabelling stops it again
    port.put(labelled);
    expect((await reconciler.reconcileConfig(update('team-c'))).decisions).toEqual([]);
    expect(port.patches()).toHaveLength(1);
  });

  it("a namespace's labels that cannot be read (403) fail the event with the reason; nothing else is read", async () => {
    const { port, reconciler } = setup(policyFor({}));
    port.inject({ verb: 'get', kind: 'Namespace', status: 403 });
    const result = await reconciler.reconcileConfig(update('team-a'));
    expect(result.decisions).toMatchObject([
      {
        kind: 'ConfigMap',
        namespace: 'team-a',
        action: 'failed',
        reason: expect.stringMatching(/cannot read namespace team-a: get Namespace: 403/) as string,
      },
    ]);
    expect(port.calls.filter((c) => c.kind !== 'Namespace')).toEqual([]);
  });

  it('a resync lists namespaces once, by the selector, and reconciles only the served ones', async () => {
    const { port, reconciler } = setup(policyFor({}));
    const result = await reconciler.resync();
    expect(port.calls.filter((c) => c.kind === 'Namespace')).toEqual([
      { verb: 'list', kind: 'Namespace', namespace: '', name: 'reroll.dev/enabled=true' },
    ]);
    expect(
      new Set(port.calls.filter((c) => c.verb === 'list' && c.kind !== 'Namespace').map((c) => c.namespace)),
    ).toEqual(new Set(['team-a', 'team-b']));
    // first sight: recorded, never rolled, and only in the served namespaces
    expect(result.decisions.map((d) => `${d.namespace}:${d.action}`).sort()).toEqual([
      'team-a:recorded',
      'team-b:recorded',
    ]);
    expect(
      port.calls
        .filter((c) => c.verb === 'patch')
        .map((c) => c.namespace)
        .sort(),
    ).toEqual(['team-a', 'team-b']);
  });

  it('a resync with REROLL_NAMESPACES too serves only namespaces both allow', async () => {
    const { port, reconciler } = setup(policyFor({ REROLL_NAMESPACES: 'team-b,team-c' }));
    await reconciler.resync();
    expect(
      new Set(port.calls.filter((c) => c.verb === 'list' && c.kind !== 'Namespace').map((c) => c.namespace)),
    ).toEqual(new Set(['team-b']));
  });

  it('a resync whose namespace LIST is refused reports one failed decision and rolls nothing', async () => {
    const { port, reconciler } = setup(policyFor({}));
    port.inject({ verb: 'list', kind: 'Namespace', status: 403 });
    const result = await reconciler.resync();
    expect(result.decisions).toMatchObject([
      {
        kind: 'Namespace',
        action: 'failed',
        reason: expect.stringMatching(/cannot list namespaces \(reroll\.dev\/enabled=true\)/) as string,
      },
    ]);
    expect(port.patches()).toEqual([]);
  });
});

// Issue 15's rules as tables: min-interval (inside, at, after), the namespace budget (under, at,
// over, and the stable queue order across events), notify-only (once per change).
import { describe, expect, it } from 'vitest';
import { decideEvent, decideResync, type DecideOptions, type Plan, type Workload } from '../../src/core/decide';
import { readTemplateStamp } from '../../src/core/build-patch';
import { findConfigsUsed } from '../../src/core/match-workload';
import { hashConfigs } from '../../src/core/hash-config';
import { parseGoDuration } from '../../src/core/go-duration';
import { ROLLOUT_ANNOTATIONS } from '../../src/core/rollout-annotations';
import { applyRolloutBudget, countRecentRollouts } from '../../src/core/rollout-budget';
import type { ConfigRef, KubeObject } from '../../src/core/types';
import { ANNOTATIONS, configKey } from '../../src/core/types';
import { recordedObject } from '../helpers/fixtures';
import { envFromPod, makeWorkload } from '../helpers/workloads';

const created = recordedObject('01'); // ENV_MESSAGE="Hello from test"
const patched = recordedObject('02'); // ENV_MESSAGE="Hello again"
const cmRef: ConfigRef = { kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test' };
const T0 = new Date('2026-11-23T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const options = (now: Date): DecideOptions => ({ match: 'both', onDelete: 'ignore', now });
const hashOf = (w: KubeObject, config: KubeObject) =>
  hashConfigs(findConfigsUsed(w, 'both'), (u) => (u.name === config.metadata!.name ? config : null));

/** A workload in sync with `created`, last rolled at `lastRollout`, plus extra annotations. */
function workload(name: string, annotations: Record<string, string> = {}, lastRollout?: Date): Workload {
  const object = makeWorkload({ name, podSpec: envFromPod('helloworld-test'), annotations });
  object.metadata!.annotations![ANNOTATIONS.configHash] = hashOf(object, created);
  if (lastRollout) {
    const template = object.spec!.template as { metadata: { annotations?: Record<string, string> } };
    template.metadata.annotations = {
      [ANNOTATIONS.restartTimestamp]: lastRollout.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }
  return { kind: 'Deployment', object };
}

function onUpdate(workloads: Workload[], now: Date, live: KubeObject = patched): Plan[] {
  const lookup = new Map([[configKey(cmRef), live]]);
  return decideEvent(cmRef, 'update', { live }, workloads, lookup, options(now));
}

/** The workload as the API server would hold it after the plan's merge patch. */
function applyPlan(w: Workload, plan: Plan): Workload {
  const o = structuredClone(w.object);
  const ann = { ...o.metadata!.annotations };
  for (const [k, v] of Object.entries(plan.patch?.metadata.annotations ?? {})) {
    if (v === null) delete ann[k];
    else ann[k] = v;
  }
  o.metadata!.annotations = ann;
  const tpl = plan.patch ? readTemplateStamp(plan.patch, w.object.kind) : undefined;
  if (tpl) {
    const template = o.spec!.template as { metadata: { annotations?: Record<string, string> } };
    template.metadata.annotations = { ...template.metadata.annotations, ...tpl };
  }
  return { kind: w.kind, object: o };
}

describe('Go durations', () => {
  const table: Array<[string, number | undefined]> = [
    ['10m', 10 * MIN],
    ['1h30m', 90 * MIN],
    ['1.5h', 90 * MIN],
    ['90s', 90_000],
    ['300ms', 300],
    ['0', 0],
    ['10 minutes', undefined],
    ['10', undefined],
    ['-5m', undefined],
    ['', undefined],
    ['1d', undefined],
  ];
  for (const [text, ms] of table) it(`${JSON.stringify(text)} → ${ms}`, () => expect(parseGoDuration(text)).toBe(ms));
});

describe('min-interval: at most one rollout per interval', () => {
  const interval = { [ROLLOUT_ANNOTATIONS.minInterval]: '10m' };
  const cases: Array<{ name: string; now: Date; action: string; reason?: RegExp; dueAt?: string }> = [
    {
      name: 'inside the interval: deferred, the reason says when it is due',
      now: at(4 * MIN),
      action: 'deferred',
      reason: /min-interval 10m: last rollout 2026-11-23T09:00:00Z, due at 2026-11-23T09:10:00Z/,
      dueAt: '2026-11-23T09:10:00Z',
    },
    { name: 'one second before it ends: still deferred', now: at(10 * MIN - 1000), action: 'deferred' },
    { name: 'exactly at the interval: rolled', now: at(10 * MIN), action: 'rolled' },
    { name: 'after the interval: rolled', now: at(25 * MIN), action: 'rolled' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [plan] = onUpdate([workload('app', interval, T0)], c.now);
      expect(plan!.decision.action).toBe(c.action);
      if (c.reason) expect(plan!.decision.reason).toMatch(c.reason);
      if (c.dueAt) expect(plan!.decision.dueAt).toBe(c.dueAt);
      if (c.action === 'deferred') {
        // nothing of the pod template is touched and the recorded hash stays, so the change is not lost
        expect(plan!.patch?.spec).toBeUndefined();
        expect(plan!.patch?.metadata.annotations[ANNOTATIONS.configHash]).toBeUndefined();
      }
    });
  }

  it('never rolled before: the interval does not hold it back', () => {
    expect(onUpdate([workload('app', interval)], at(MIN))[0]!.decision.action).toBe('rolled');
  });

  it('a deferred change is rolled once by the first resync after the interval, then stays unchanged', () => {
    let w = workload('app', interval, T0);
    const deferred = onUpdate([w], at(MIN))[0]!;
    expect(deferred.decision.action).toBe('deferred');
    w = applyPlan(w, deferred);
    const lookup = new Map([[configKey(cmRef), patched]]);
    expect(decideResync([w], lookup, options(at(5 * MIN)))[0]!.decision.action).toBe('deferred');
    const rolled = decideResync([w], lookup, options(at(11 * MIN)))[0]!;
    expect(rolled.decision.action).toBe('rolled');
    // the wait is over: the mark goes in the same write
    expect(rolled.patch!.metadata.annotations[ROLLOUT_ANNOTATIONS.deferredSince]).toBeNull();
    w = applyPlan(w, rolled);
    expect(decideResync([w], lookup, options(at(12 * MIN)))[0]!.decision.action).toBe('unchanged');
  });

  it('an invalid interval is reported, not guessed at', () => {
    const [plan] = onUpdate([workload('app', { [ROLLOUT_ANNOTATIONS.minInterval]: '10 minutes' }, T0)], at(MIN));
    expect(plan!.decision).toMatchObject({ action: 'skipped', reason: /"10 minutes" is not a Go duration/ });
    expect(plan!.patch).toBeUndefined();
  });
});

describe('rollout budget: per namespace, per minute', () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `app-${String(i).padStart(3, '0')}`);
  const budgeted = (plans: Plan[], listed: Workload[], max: number, now: Date) =>
    applyRolloutBudget(plans, countRecentRollouts(listed, max, now), now);
  const count = (plans: Plan[], action: string) => plans.filter((p) => p.decision.action === action).length;

  const cases: Array<{ name: string; changed: number; recent: number; max: number; rolled: number }> = [
    { name: 'under the budget: every due rollout happens', changed: 3, recent: 1, max: 5, rolled: 3 },
    { name: 'exactly at the budget: all of them, none deferred', changed: 4, recent: 1, max: 5, rolled: 4 },
    { name: 'over the budget: the rest are deferred', changed: 10, recent: 2, max: 5, rolled: 3 },
    { name: 'budget already spent: all deferred', changed: 3, recent: 5, max: 5, rolled: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const now = at(30_000);
      const changed = names(c.changed).map((n) => workload(n));
      const others = Array.from({ length: c.recent }, (_, i) => workload(`other-${i}`, {}, at(-i * 1000)));
      const plans = budgeted(onUpdate(changed, now), [...changed, ...others], c.max, now);
      expect(count(plans, 'rolled')).toBe(c.rolled);
      expect(count(plans, 'deferred')).toBe(c.changed - c.rolled);
      for (const p of plans.filter((x) => x.decision.action === 'deferred')) {
        expect(p.decision.reason).toMatch(/REROLL_MAX_ROLLOUTS_PER_MINUTE=5/);
        expect(p.patch?.spec).toBeUndefined();
      }
    });
  }

  it('rollouts older than a minute do not count', () => {
    const now = at(2 * MIN);
    const old = Array.from({ length: 5 }, (_, i) => workload(`old-${i}`, {}, at(-i * 1000)));
    const changed = names(3).map((n) => workload(n));
    expect(count(budgeted(onUpdate(changed, now), [...changed, ...old], 5, now), 'rolled')).toBe(3);
  });

  it('across events the queue is stable, oldest change first, and each workload rolls exactly once', () => {
    // 12 workloads use the ConfigMap; a second ConfigMap changes later for 3 more (the newer change)
    let cluster = names(12).map((n) => workload(n));
    const rolledAt = new Map<string, Date>();
    const step = (now: Date, live = patched) => {
      const lookup = new Map([[configKey(cmRef), live]]);
      const plans = applyRolloutBudget(
        decideResync(cluster, lookup, options(now)),
        countRecentRollouts(cluster, 5, now),
        now,
      );
      const byName = new Map(plans.map((p) => [p.decision.name, p]));
      cluster = cluster.map((w) => {
        const p = byName.get(w.object.metadata!.name!)!;
        if (p.decision.action === 'rolled') {
          expect(rolledAt.has(p.decision.name)).toBe(false);
          rolledAt.set(p.decision.name, now);
        }
        return applyPlan(w, p);
      });
      return plans.filter((p) => p.decision.action === 'rolled').map((p) => p.decision.name);
    };
    expect(step(T0)).toEqual(names(5));
    // a later change comes in for three newcomers: they queue behind the ones waiting since T0
    const late = ['aaa-late', 'bbb-late', 'ccc-late'].map((n) => workload(n));
    cluster.push(...late);
    expect(step(at(30_000))).toEqual([]); // the budget is spent until T0 + 1m
    expect(step(at(MIN))).toEqual(names(10).slice(5));
    expect(step(at(2 * MIN))).toEqual([...names(12).slice(10), 'aaa-late', 'bbb-late', 'ccc-late']);
    expect(step(at(3 * MIN))).toEqual([]);
    expect(rolledAt.size).toBe(15);
  });
});

describe('notify-only mode', () => {
  const notify = { [ROLLOUT_ANNOTATIONS.mode]: 'notify' };

  it('decides as usual but never patches the pod template; the same change notifies once', () => {
    let w = workload('watcher', notify);
    const first = onUpdate([w], at(MIN))[0]!;
    expect(first.decision).toMatchObject({ action: 'notified', reason: /config hash changed .*notify/ });
    expect(first.patch!.spec).toBeUndefined();
    expect(first.patch!.metadata.annotations[ANNOTATIONS.configHash]).toBe(hashOf(w.object, patched));
    w = applyPlan(w, first);
    expect(onUpdate([w], at(2 * MIN))[0]!.decision.action).toBe('unchanged');
    // a second real change notifies again, once
    const third = { ...structuredClone(patched), data: { ENV_MESSAGE: 'third' } };
    const again = onUpdate([w], at(3 * MIN), third)[0]!;
    expect(again.decision.action).toBe('notified');
    w = applyPlan(w, again);
    expect(onUpdate([w], at(4 * MIN), third)[0]!.decision.action).toBe('unchanged');
  });

  it('notify-only workloads take nothing from the budget', () => {
    const now = at(MIN);
    const w = [workload('n1', notify), workload('r1'), workload('r2')];
    const plans = applyRolloutBudget(onUpdate(w, now), countRecentRollouts(w, 2, now), now);
    expect(plans.map((p) => p.decision.action)).toEqual(['notified', 'rolled', 'rolled']);
  });

  it('an unknown mode is refused, never read as roll', () => {
    const [plan] = onUpdate([workload('typo', { [ROLLOUT_ANNOTATIONS.mode]: 'notfy' })], at(MIN));
    expect(plan!.decision).toMatchObject({ action: 'skipped', reason: /"notfy" is not one of roll\|notify/ });
    expect(plan!.patch).toBeUndefined();
  });
});

describe('a deferred first-sight update is still owed its rollout', () => {
  it('no hash recorded + budget deferral: the next resync rolls it instead of only recording', () => {
    const fresh = makeWorkload({ name: 'fresh', podSpec: envFromPod('helloworld-test') });
    let w: Workload = { kind: 'Deployment', object: fresh };
    const busy = Array.from({ length: 2 }, (_, i) => workload(`busy-${i}`, {}, T0));
    const now = at(10_000);
    const [plan] = applyRolloutBudget(onUpdate([w], now), countRecentRollouts(busy, 2, now), now);
    expect(plan!.decision.action).toBe('deferred');
    w = applyPlan(w, plan!);
    const lookup = new Map([[configKey(cmRef), patched]]);
    const later = decideResync([w], lookup, options(at(2 * MIN)))[0]!;
    expect(later.decision).toMatchObject({ action: 'rolled', reason: /deferred since .* is still owed/ });
  });
});

// Issue 15's mass change: 200 workloads use one ConfigMap, the namespace budget is 50 per minute,
// one change. The real function + client-node against the emulator, its clock advanced by the test:
// 50 roll at once, 150 are deferred, and the following resyncs roll the rest, exactly once each.
import { RESOURCE_TABLE } from '@reroll/local/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, KubeObject } from '../../src/core/types';
import { ANNOTATIONS } from '../../src/core/types';
import { configMapEvent, pingEvent } from '../helpers/cloud-events';
import { DEMO_NAMESPACE } from '../helpers/fixtures';
import { startHarness, type Harness } from '../helpers/harness';
import { envFromPod, makeWorkload } from '../helpers/workloads';

const WORKLOADS = 200;
const BUDGET = 50;
const DEPLOYMENTS = RESOURCE_TABLE.find((r) => r.group === 'apps' && r.kind === 'Deployment')!;
const names = Array.from({ length: WORKLOADS }, (_, i) => `app-${String(i).padStart(3, '0')}`);

let h: Harness;
let clock = new Date('2026-11-23T09:00:00Z');
const advance = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));

beforeAll(async () => {
  h = await startHarness({
    seed: [
      DEMO_NAMESPACE,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'shared', namespace: 'demo', annotations: { [ANNOTATIONS.triggerRestart]: 'true' } },
        data: { ENV_MESSAGE: 'v1' },
      },
      ...names.map((name) => makeWorkload({ name, labels: { app: name, env: 'test' }, podSpec: envFromPod('shared') })),
    ],
    config: { maxRolloutsPerMinute: BUDGET, logLevel: 'info' },
    now: () => clock,
    // 200 patches at once on a shared 2-core machine: give the API calls room before a 503
    retry: { budgetMs: 20_000, attemptTimeoutMs: 10_000 },
  });
}, 60_000);
afterAll(() => h?.stop());

async function post(event: { headers: Record<string, string>; body: string }): Promise<Decision[]> {
  const res = await h.post(event.headers, event.body);
  expect(res.status).toBe(200);
  return res.json.decisions as Decision[];
}
const count = (decisions: Decision[], action: string) => decisions.filter((d) => d.action === action).length;

function templateRollouts(): Map<string, string | undefined> {
  const list = h.emulator!.core.list(DEPLOYMENTS, 'demo', new URLSearchParams()) as unknown as { items: KubeObject[] };
  return new Map(
    list.items.map((o) => [
      o.metadata!.name!,
      (o.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations?.[
        ANNOTATIONS.restartTimestamp
      ],
    ]),
  );
}

describe(`rollout budget: ${WORKLOADS} workloads, ${BUDGET}/min, one change`, () => {
  it('first sight records every hash, nothing rolls', async () => {
    expect(count(await post(pingEvent()), 'recorded')).toBe(WORKLOADS);
  }, 60_000);

  it('the change rolls 50 and defers 150; later resyncs roll the rest at the pace, exactly once each', async () => {
    const res = await fetch(`${h.emulator!.url}/api/v1/namespaces/demo/configmaps/shared`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ data: { ENV_MESSAGE: 'v2' } }),
    });
    expect(res.status).toBe(200);
    h.emulator!.clearRequests();

    advance(1);
    const first = await post(configMapEvent('update', 'shared'));
    expect(count(first, 'rolled')).toBe(BUDGET);
    expect(count(first, 'deferred')).toBe(WORKLOADS - BUDGET);
    expect(first.find((d) => d.action === 'deferred')!.reason).toMatch(/REROLL_MAX_ROLLOUTS_PER_MINUTE=50/);

    // inside the same minute: a duplicate event and a resync roll nothing more
    advance(20);
    expect(count(await post(configMapEvent('update', 'shared')), 'rolled')).toBe(0);
    advance(20);
    expect(count(await post(pingEvent()), 'rolled')).toBe(0);

    const rolledPerRound = [BUDGET];
    for (let round = 0; round < 4; round++) {
      advance(60); // the last round's 50 rollouts leave the one-minute window
      const decisions = await post(pingEvent());
      rolledPerRound.push(count(decisions, 'rolled'));
    }
    expect(rolledPerRound).toEqual([50, 50, 50, 50, 0]);

    const rollouts = templateRollouts();
    expect([...rollouts.values()].filter(Boolean)).toHaveLength(WORKLOADS);
    // exactly once each: one pod-template patch per workload, and no workload patched twice
    const templatePatches = h
      .emulator!.requests()
      .filter((r) => r.verb === 'patch' && r.resource === 'deployments')
      .map((r) => r.name);
    const rolls = new Map<string, number>();
    for (const n of templatePatches) rolls.set(n!, (rolls.get(n!) ?? 0) + 1);
    // each workload: one rollout patch, plus at most one deferral mark before it
    expect([...rolls.values()].every((c) => c === 1 || c === 2)).toBe(true);
    expect([...rolls.values()].filter((c) => c === 2)).toHaveLength(WORKLOADS - BUDGET);
    // the queue was worked in a stable order: the first round took the first 50 names, and so on
    const byTime = [...rollouts].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : a[0] < b[0] ? -1 : 1));
    expect(byTime.map(([n]) => n)).toEqual(names);
    expect(count(await post(pingEvent()), 'unchanged')).toBe(WORKLOADS);
  }, 120_000);
});

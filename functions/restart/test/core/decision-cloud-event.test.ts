// Each decision CloudEvent's payload, built from decisions the core really made over configs
// holding random values: type, subject, data fields per action, and no value (plain or base64)
// anywhere in the event, as the log-leak test searches logs.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decideEvent, type Workload } from '../../src/core/decide';
import { buildDecisionEvent, isDecisionEventWorthy } from '../../src/core/decision-cloud-event';
import { ROLLOUT_ANNOTATIONS } from '../../src/core/rollout-annotations';
import { applyRolloutBudget, countRecentRollouts } from '../../src/core/rollout-budget';
import type { ConfigRef, Decision, KubeObject } from '../../src/core/types';
import { ANNOTATIONS, configKey } from '../../src/core/types';
import { makeWorkload } from '../helpers/workloads';

const value = () => `v-${randomBytes(12).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ref: ConfigRef = { kind: 'ConfigMap', namespace: 'demo', name: 'app-config' };
const NOW = new Date('2026-11-23T09:00:00Z');

describe('decision CloudEvents: payload per action, never a value', () => {
  const values = [value(), value(), value()];
  const config: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app-config', namespace: 'demo', annotations: { [ANNOTATIONS.triggerRestart]: 'true' } },
    data: { A: values[0]!, B: values[1]! },
    binaryData: { C: b64(values[2]!) },
  };
  const pod = { containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'app-config' } }] }] };
  const recentlyRolled = makeWorkload({
    name: 'paced',
    podSpec: pod,
    annotations: { [ROLLOUT_ANNOTATIONS.minInterval]: '1h', [ANNOTATIONS.configHash]: 'f'.repeat(64) },
  });
  (recentlyRolled.spec!.template as { metadata: Record<string, unknown> }).metadata.annotations = {
    [ANNOTATIONS.restartTimestamp]: '2026-11-23T08:50:00Z',
  };
  const workloads: Workload[] = [
    {
      kind: 'Deployment',
      object: makeWorkload({ name: 'roller', podSpec: pod, annotations: { [ANNOTATIONS.configHash]: 'e'.repeat(64) } }),
    },
    {
      kind: 'Deployment',
      object: makeWorkload({ name: 'watcher', podSpec: pod, annotations: { [ROLLOUT_ANNOTATIONS.mode]: 'notify' } }),
    },
    { kind: 'Deployment', object: recentlyRolled },
    {
      kind: 'Service',
      object: makeWorkload({
        kind: 'Service',
        name: 'ksvc',
        podSpec: pod,
        annotations: { [ANNOTATIONS.configHash]: 'd'.repeat(64) },
      }),
    },
  ];
  const plans = applyRolloutBudget(
    decideEvent(ref, 'update', { live: config }, workloads, new Map([[configKey(ref), config]]), {
      match: 'both',
      onDelete: 'ignore',
      now: NOW,
    }),
    countRecentRollouts(workloads, 1, NOW),
    NOW,
  );
  const decisions: Decision[] = [
    ...plans.map((p) => p.decision),
    {
      kind: 'Deployment',
      namespace: 'demo',
      name: 'broken',
      action: 'failed',
      reason: 'patch deployments: 403 forbidden',
    },
  ];

  it('the core decided one of each action', () => {
    expect(Object.fromEntries(decisions.map((d) => [d.name, d.action]))).toEqual({
      roller: 'rolled',
      watcher: 'notified',
      paced: 'deferred',
      ksvc: 'deferred', // over the budget of 1
      broken: 'failed',
    });
  });

  it.each([
    ['roller', 'dev.reroll.rollout.rolled', '/apis/apps/v1/namespaces/demo/deployments/roller'],
    ['watcher', 'dev.reroll.rollout.notified', '/apis/apps/v1/namespaces/demo/deployments/watcher'],
    ['paced', 'dev.reroll.rollout.deferred', '/apis/apps/v1/namespaces/demo/deployments/paced'],
    ['ksvc', 'dev.reroll.rollout.deferred', '/apis/serving.knative.dev/v1/namespaces/demo/services/ksvc'],
    ['broken', 'dev.reroll.rollout.failed', '/apis/apps/v1/namespaces/demo/deployments/broken'],
  ])('%s → %s, subject %s', (name, type, subject) => {
    const d = decisions.find((x) => x.name === name)!;
    const e = buildDecisionEvent(d);
    expect(e).toMatchObject({ type, source: 'reroll/restart', subject });
    expect(e.data).toMatchObject({ kind: d.kind, namespace: 'demo', name, action: d.action, reason: d.reason });
    if (name !== 'broken') {
      expect(e.data.configs).toEqual(['ConfigMap/app-config']);
      expect(e.data.hash!.live).toMatch(/^[0-9a-f]{12}$/);
    }
    if (d.action === 'deferred') expect(e.data.dueAt).toMatch(/Z$/);
  });

  it('unchanged, recorded and skipped decisions send nothing', () => {
    for (const action of ['unchanged', 'recorded', 'skipped'] as const)
      expect(isDecisionEventWorthy({ kind: 'Deployment', namespace: 'demo', name: 'x', action, reason: '' })).toBe(
        false,
      );
  });

  it('no value, plain or base64, in any event', () => {
    const wire = JSON.stringify(decisions.map(buildDecisionEvent));
    for (const v of values) {
      expect(wire).not.toContain(v);
      expect(wire).not.toContain(b64(v));
    }
  });
});

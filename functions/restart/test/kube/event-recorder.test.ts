// The event writer against the API emulator (which serves events in both groups and checks what the
// apiserver checks): what kubectl shows, series instead of duplicates, and the failure rule.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientNodePort } from '../../src/kube/client-node-port';
import { formatMicroTime, limitNote } from '../../src/kube/event-recorder';
import type { KubePort, WorkloadEvent } from '../../src/kube/port';
import { recordEventSafely, type EventOutcome } from '../../src/kube/record-event-safely';
import { DEMO_NAMESPACE } from '../helpers/fixtures';
import { makeWorkload } from '../helpers/workloads';

const run = promisify(execFile);
const FAST_RETRY = { initialDelayMs: 10, maxDelayMs: 50, budgetMs: 1500, attemptTimeoutMs: 500 };
const ROLLED: WorkloadEvent = {
  type: 'Normal',
  reason: 'Rolled',
  action: 'Roll',
  note: 'ConfigMap helloworld-test changed: config hash 0123456789ab → ba9876543210',
};

let emulator: Emulator;
let port: KubePort;
let uid = '';
const kubectl = async (...args: string[]) =>
  (await run('kubectl', ['--kubeconfig', emulator.kubeconfigPath, '-n', 'demo', ...args])).stdout;

function portFor(kubeconfigPath: string, now?: () => Date): KubePort {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return createClientNodePort({
    kubeConfig,
    retry: FAST_RETRY,
    reportingInstance: 'restart-00001',
    ...(now ? { now } : {}),
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.seed([DEMO_NAMESPACE, makeWorkload(), makeWorkload({ name: 'helloworld-prod' })]);
  port = portFor(emulator.kubeconfigPath);
  uid = (await port.getWorkload({ kind: 'Deployment', namespace: 'demo', name: 'helloworld-test' }))!.metadata!
    .uid as string;
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
});

describe('event writer', () => {
  it('writes an events.k8s.io/v1 Event that kubectl describe shows on that Deployment only', async () => {
    await port.recordEvent({ kind: 'Deployment', namespace: 'demo', name: 'helloworld-test', uid }, ROLLED);
    const created = emulator.requests().filter((r) => r.verb === 'create' && r.resource === 'events');
    expect(created.map((r) => [r.group, r.status])).toEqual([['events.k8s.io', 201]]);
    expect(await kubectl('describe', 'deployment', 'helloworld-test')).toMatch(
      /Normal\s+Rolled\s+\S+\s+reroll\.dev\/restart\s+ConfigMap helloworld-test changed: config hash 0123456789ab → ba9876543210/,
    );
    expect(await kubectl('describe', 'deployment', 'helloworld-prod')).not.toContain('Rolled');
    const wide = await kubectl('get', 'events', '-o', 'wide');
    expect(wide).toContain('reroll.dev/restart, restart-00001');
  });

  it('the same event again bumps its series (one merge patch) instead of a second object', async () => {
    const ref = { kind: 'Deployment' as const, namespace: 'demo', name: 'helloworld-prod', uid: 'u-prod' };
    const failed: WorkloadEvent = {
      type: 'Warning',
      reason: 'RollFailed',
      action: 'Roll',
      note: 'patch: 403 forbidden',
    };
    emulator.clearRequests();
    await port.recordEvent(ref, failed);
    await port.recordEvent(ref, failed);
    await port.recordEvent(ref, { ...failed, note: 'patch: 422 invalid' });
    expect(
      emulator
        .requests()
        .filter((r) => r.resource === 'events')
        .map((r) => [r.verb, r.contentType, r.status]),
    ).toEqual([
      ['create', 'application/json', 201],
      ['patch', 'application/merge-patch+json', 200],
      ['create', 'application/json', 201],
    ]);
    const out = await kubectl('get', 'events', '--field-selector', 'involvedObject.uid=u-prod', '-o', 'wide');
    expect(out).toMatch(
      /RollFailed\s+deployment\/helloworld-prod\s+reroll\.dev\/restart, restart-00001\s+patch: 403 forbidden\s+\S+\s+2\s/,
    );
    expect(out.trim().split('\n')).toHaveLength(3); // header + two events
  });

  it('a new series starts after the 6-minute window', async () => {
    let clock = Date.parse('2026-12-02T10:00:00Z');
    const timed = portFor(emulator.kubeconfigPath, () => new Date(clock));
    const ref = { kind: 'Deployment' as const, namespace: 'demo', name: 'helloworld-test', uid: 'u-window' };
    emulator.clearRequests();
    await timed.recordEvent(ref, ROLLED);
    clock += 5 * 60_000;
    await timed.recordEvent(ref, ROLLED);
    clock += 7 * 60_000;
    await timed.recordEvent(ref, ROLLED);
    expect(
      emulator
        .requests()
        .filter((r) => r.resource === 'events')
        .map((r) => r.verb),
    ).toEqual(['create', 'patch', 'create']);
  });

  it('a note longer than the API limit is cut to 1 KiB and still written', async () => {
    const long = `${'é'.repeat(700)} end`;
    expect(Buffer.byteLength(limitNote(long))).toBeLessThanOrEqual(1024);
    expect(limitNote('short')).toBe('short');
    await port.recordEvent(
      { kind: 'Deployment', namespace: 'demo', name: 'helloworld-test', uid },
      { ...ROLLED, note: long },
    );
  });

  it('eventTime is a MicroTime (six fractional digits), which the apiserver requires', () => {
    expect(formatMicroTime(new Date('2026-12-02T10:07:20.123Z'))).toBe('2026-12-02T10:07:20.123000Z');
  });
});

describe('failure rule', () => {
  it('without RBAC for events the write fails with the API reason, reported, never thrown', async () => {
    const rbac = await startEmulator({ port: 0, authorization: 'rbac' });
    try {
      rbac.seed([DEMO_NAMESPACE, makeWorkload()]);
      const user = 'system:serviceaccount:demo:reroll-restart';
      const limited = portFor(await rbac.writeKubeconfig({ user }));
      const outcomes: EventOutcome[] = [];
      const ok = await recordEventSafely(
        limited,
        { kind: 'Deployment', namespace: 'demo', name: 'helloworld-test' },
        ROLLED,
        (o) => outcomes.push(o),
      );
      expect(ok).toBe(false);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]!.error).toMatch(/403/);
      expect(outcomes[0]!.error).toMatch(/cannot create resource "events" in API group "events.k8s.io"/);
    } finally {
      await rbac.stop();
    }
  });

  it('an unreachable API is reported after the retry budget, never thrown', async () => {
    const dead = await startEmulator({ port: 0 });
    const deadPort = portFor(dead.kubeconfigPath);
    await dead.stop();
    const outcomes: EventOutcome[] = [];
    const ok = await recordEventSafely(deadPort, { kind: 'Deployment', namespace: 'demo', name: 'x' }, ROLLED, (o) =>
      outcomes.push(o),
    );
    expect(ok).toBe(false);
    expect(outcomes[0]!.error).toMatch(/unavailable/);
  });
});

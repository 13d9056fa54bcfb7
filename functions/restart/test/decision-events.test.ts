// Kubernetes Events left on the workload for each decision that matters (Rolled, RollFailed,
// Recorded), none when nothing happened, never in dry run, and never carrying a config value.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/core/types';
import { ANNOTATIONS } from '../src/core/types';
import type { ConfigEvent, ReconcileSettings } from '../src/reconcile';
import { Reconciler } from '../src/reconcile';
import { MemoryPort, type Fault } from './helpers/memory-port';
import { makeWorkload } from './helpers/workloads';

const settings: ReconcileSettings = {
  namespaces: ['demo'],
  excludeNamespaces: [],
  match: 'reference',
  onDelete: 'ignore',
  dryRun: false,
};
const cmRef = { kind: 'ConfigMap' as const, namespace: 'demo', name: 'helloworld-test' };
const SECRET_VALUE = 'value-that-must-never-leave';
const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'helloworld-test', namespace: 'demo', annotations: { [ANNOTATIONS.triggerRestart]: 'true' } },
  data: { ENV_MESSAGE: SECRET_VALUE },
};
const recordedHash = 'a'.repeat(64);
const withUid = (w: KubeObject, extra: Record<string, string> = {}): KubeObject => ({
  ...w,
  metadata: { ...w.metadata, uid: 'uid-1', annotations: { ...w.metadata!.annotations, ...extra } },
});

interface Case {
  name: string;
  workload: KubeObject;
  event: ConfigEvent['action'];
  fault?: Fault;
  dryRun?: boolean;
  action: string;
  expected?: { type: string; reason: string; action: string; note: RegExp };
}

const cases: Case[] = [
  {
    name: 'a real change: Rolled (Normal), naming the config and the old → new hash prefix',
    workload: withUid(makeWorkload(), { [ANNOTATIONS.configHash]: recordedHash }),
    event: 'update',
    action: 'rolled',
    expected: {
      type: 'Normal',
      reason: 'Rolled',
      action: 'Roll',
      note: /^Rolled for ConfigMap helloworld-test: config hash aaaaaaaaaaaa → [0-9a-f]{12}$/,
    },
  },
  {
    name: 'first sight on add: Recorded (Normal)',
    workload: withUid(makeWorkload()),
    event: 'add',
    action: 'recorded',
    expected: {
      type: 'Normal',
      reason: 'Recorded',
      action: 'Record',
      note: /^First sight of ConfigMap helloworld-test: config hash [0-9a-f]{12} recorded, no rollout$/,
    },
  },
  {
    name: 'the patch is refused: RollFailed (Warning) with the API reason',
    workload: withUid(makeWorkload(), { [ANNOTATIONS.configHash]: recordedHash }),
    event: 'update',
    fault: { verb: 'patch', status: 403 },
    action: 'failed',
    expected: { type: 'Warning', reason: 'RollFailed', action: 'Roll', note: /the patch failed: .*403/ },
  },
  { name: 'unchanged: no event', workload: withUid(makeWorkload()), event: 'add', action: 'unchanged' },
  {
    name: 'a workload that did not opt in: no event',
    workload: withUid(makeWorkload({ optIn: false })),
    event: 'update',
    action: 'skipped',
  },
  {
    name: 'dry run decides but writes nothing, events included',
    workload: withUid(makeWorkload(), { [ANNOTATIONS.configHash]: recordedHash }),
    event: 'update',
    dryRun: true,
    action: 'rolled',
  },
];

describe('Kubernetes Events per decision', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const port = new MemoryPort([configMap, c.workload]);
      const reconciler = new Reconciler({ port, settings: { ...settings, dryRun: c.dryRun ?? false } });
      if (c.name.startsWith('unchanged')) {
        // record first, then the same add again finds the hash matching
        await reconciler.reconcileConfig({ ref: cmRef, action: 'add' });
        port.events.length = 0;
      }
      if (c.fault) port.inject(c.fault);
      const result = await reconciler.reconcileConfig({ ref: cmRef, action: c.event });
      expect(result.decisions.map((d) => d.action)).toEqual([c.action]);
      if (!c.expected) {
        expect(port.events).toEqual([]);
        return;
      }
      expect(port.events).toHaveLength(1);
      const [{ regarding, event }] = port.events as [(typeof port.events)[number]];
      expect(regarding).toEqual({ kind: 'Deployment', namespace: 'demo', name: 'helloworld-test', uid: 'uid-1' });
      expect(event).toMatchObject({ type: c.expected.type, reason: c.expected.reason, action: c.expected.action });
      expect(event.note).toMatch(c.expected.note);
      expect(event.note).not.toContain(SECRET_VALUE);
    });
  }

  it('an event that cannot be written leaves the decision and the rollout as they were', async () => {
    const port = new MemoryPort([configMap, withUid(makeWorkload(), { [ANNOTATIONS.configHash]: recordedHash })]);
    port.inject({ kind: 'Event', status: 500, times: 10 });
    const failures: string[] = [];
    const reconciler = new Reconciler({
      port,
      settings,
      onEvent: (o) => {
        if (!o.ok) failures.push(o.event.reason);
      },
    });
    const result = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(result.decisions.map((d) => d.action)).toEqual(['rolled']);
    expect(port.patches()).toHaveLength(1);
    expect(failures).toEqual(['Rolled']);
  });
});

// reroll.dev/mode: notify through the reconciler: the pod template is never patched, a RollNeeded
// Kubernetes Event is written (through the events writer), and the same change notifies once.
import { describe, expect, it } from 'vitest';
import { ROLLOUT_ANNOTATIONS } from '../src/core/rollout-annotations';
import type { KubeObject } from '../src/core/types';
import { ANNOTATIONS } from '../src/core/types';
import { Reconciler } from '../src/reconcile';
import { recordedObject } from './helpers/fixtures';
import { MemoryPort } from './helpers/memory-port';
import { makeWorkload } from './helpers/workloads';

const cmRef = { kind: 'ConfigMap' as const, namespace: 'demo', name: 'helloworld-test' };
const template = (o: KubeObject) =>
  (o.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata;

describe('notify-only mode', () => {
  it('records RollNeeded once per change, never touches the pod template', async () => {
    const port = new MemoryPort([
      recordedObject('02'),
      makeWorkload({ annotations: { [ROLLOUT_ANNOTATIONS.mode]: 'notify' } }),
    ]);
    const reconciler = new Reconciler({
      port,
      settings: { namespaces: ['demo'], excludeNamespaces: [], match: 'both', onDelete: 'ignore', dryRun: false },
      now: () => new Date('2026-11-23T09:00:00Z'),
    });
    const first = await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    expect(first.decisions).toMatchObject([{ name: 'helloworld-test', action: 'notified' }]);
    const live = port.read('Deployment', 'demo', 'helloworld-test')!;
    expect(template(live).annotations?.[ANNOTATIONS.restartTimestamp]).toBeUndefined();
    expect(live.metadata!.annotations![ANNOTATIONS.configHash]).toMatch(/^[0-9a-f]{64}$/);
    expect(port.events).toEqual([
      {
        regarding: expect.objectContaining({ kind: 'Deployment', namespace: 'demo', name: 'helloworld-test' }),
        event: expect.objectContaining({ type: 'Normal', reason: 'RollNeeded', note: expect.stringMatching(/notify/) }),
      },
    ]);
    // the same change again, and a resync: nothing more
    await reconciler.reconcileConfig({ ref: cmRef, action: 'update' });
    await reconciler.resync();
    expect(port.events).toHaveLength(1);
    // a new change notifies again
    port.put({ ...recordedObject('02'), data: { ENV_MESSAGE: 'third' } });
    expect((await reconciler.reconcileConfig({ ref: cmRef, action: 'update' })).decisions[0]!.action).toBe('notified');
    expect(port.events).toHaveLength(2);
  });
});

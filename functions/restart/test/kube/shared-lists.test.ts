// Concurrent events in one namespace share LISTs, and never one that started before they asked.
import { describe, expect, it } from 'vitest';
import type { WorkloadKind } from '../../src/core/types';
import type { KubePort, WorkloadList } from '../../src/kube/port';
import { withSharedLists } from '../../src/kube/shared-lists';

/** A port whose LISTs finish when the test says; each LIST returns the generation it started in. */
function controlledPort() {
  let generation = 0;
  const pending: Array<() => void> = [];
  const started: Array<{ namespace: string; kinds: readonly WorkloadKind[]; generation: number }> = [];
  const port: KubePort = {
    getConfig: () => Promise.resolve(null),
    getNamespace: () => Promise.resolve(null),
    listNamespaces: () => Promise.resolve([]),
    getWorkload: () => Promise.resolve(null),
    patchWorkload: () => Promise.reject(new Error('not used')),
    recordEvent: () => Promise.resolve(),
    listWorkloads(namespace, kinds) {
      const seen = generation;
      started.push({ namespace, kinds, generation: seen });
      return new Promise<WorkloadList>((resolve) =>
        pending.push(() =>
          resolve({
            workloads: kinds.map((kind) => ({ kind, object: { metadata: { name: `seen-${seen}`, namespace } } })),
            failures: [],
          }),
        ),
      );
    },
  };
  return {
    port,
    started,
    /** the cluster changes (an event is about to be sent) */
    change: () => generation++,
    finishAll: () => pending.splice(0).forEach((f) => f()),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('shared LISTs', () => {
  it('eight concurrent callers in one namespace cost two LISTs, each caller a LIST started after it asked', async () => {
    const c = controlledPort();
    const shared = withSharedLists(c.port);
    const first = shared.listWorkloads('demo', ['Deployment']);
    await tick();
    c.change(); // seven more events announce a change that happened after the first LIST started
    const others = Array.from({ length: 7 }, () => shared.listWorkloads('demo', ['Deployment']));
    await tick();
    expect(c.started).toHaveLength(1);
    c.finishAll();
    await first;
    await tick();
    expect(c.started).toHaveLength(2); // one follow-up for all seven
    c.finishAll();
    const results = await Promise.all(others);
    expect((await first).workloads[0]!.object.metadata?.name).toBe('seen-0');
    for (const r of results) expect(r.workloads[0]!.object.metadata?.name).toBe('seen-1');
  });

  it('other namespaces are not held up, and each caller gets only the kinds it asked for', async () => {
    const c = controlledPort();
    const shared = withSharedLists(c.port);
    const a = shared.listWorkloads('a', ['Deployment']);
    const b = shared.listWorkloads('b', ['Deployment']);
    await tick();
    expect(c.started.map((s) => s.namespace)).toEqual(['a', 'b']);
    const deployments = shared.listWorkloads('a', ['Deployment']);
    const statefulSets = shared.listWorkloads('a', ['StatefulSet']);
    c.finishAll();
    await Promise.all([a, b]);
    await tick();
    expect(c.started[2]!.kinds).toEqual(['Deployment', 'StatefulSet']);
    c.finishAll();
    expect((await deployments).workloads.map((w) => w.kind)).toEqual(['Deployment']);
    expect((await statefulSets).workloads.map((w) => w.kind)).toEqual(['StatefulSet']);
  });
});

// A ConfigMap change reaching a CronJob (suspended or not) and an Argo Rollout, through the real
// server and client-node against the emulator with the Rollout CRD installed: what `kubectl get`
// shows afterwards, and what never happens (a Job started, schedule or suspend touched).
import { CloudEvent, HTTP } from 'cloudevents';
import { RESOURCE_TABLE } from '@reroll/local/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/core/types';
import { ANNOTATIONS } from '../../src/core/types';
import { DEMO_NAMESPACE } from '../helpers/fixtures';
import { startHarness, type Harness } from '../helpers/harness';
import { envFromPod, makeWorkload } from '../helpers/workloads';

const CM = 'report-config';
const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: CM,
    namespace: 'demo',
    labels: { app: 'report', env: 'test', 'reroll.dev/watch': 'true' },
    annotations: { [ANNOTATIONS.triggerRestart]: 'true' },
  },
  data: { ENV_MESSAGE: 'v1' },
};
const labels = { app: 'report', env: 'test' };
const WORKLOADS = [
  makeWorkload({ kind: 'CronJob', name: 'nightly', labels, podSpec: envFromPod(CM) }),
  makeWorkload({ kind: 'CronJob', name: 'paused', labels, podSpec: envFromPod(CM), suspend: true }),
  makeWorkload({ kind: 'Rollout', name: 'web', labels, podSpec: envFromPod(CM) }),
];
const borrowing: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'web-ref', namespace: 'demo', labels, annotations: { [ANNOTATIONS.restartOnTrigger]: 'true' } },
  spec: { replicas: 2, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-ref' } },
};

function event(type: 'add' | 'update') {
  const msg = HTTP.binary(
    new CloudEvent({
      type: `dev.knative.apiserver.ref.${type}`,
      source: 'https://10.96.0.1:443',
      subject: `/apis/v1/namespaces/demo/configmaps/${CM}`,
      kind: 'ConfigMap',
      name: CM,
      namespace: 'demo',
      datacontenttype: 'application/json',
      data: { kind: 'ConfigMap', namespace: 'demo', name: CM, apiVersion: 'v1' },
    }),
  );
  return [msg.headers as Record<string, string>, msg.body as string] as const;
}

let h: Harness;

function read(kind: 'CronJob' | 'Rollout', name: string): KubeObject {
  const t = RESOURCE_TABLE.find((r) => r.kind === kind && (kind === 'CronJob' ? r.group === 'batch' : true))!;
  return h.emulator!.core.get(t, 'demo', name);
}
function templateAnnotations(o: KubeObject): Record<string, string> | undefined {
  const spec = o.spec as { template?: PodTemplate; jobTemplate?: { spec: { template: PodTemplate } } };
  return (spec.jobTemplate?.spec.template ?? spec.template)?.metadata?.annotations;
}
interface PodTemplate {
  metadata?: { annotations?: Record<string, string> };
}
const decisionsOf = (json: Record<string, unknown>) =>
  (json.decisions as Array<{ kind: string; name: string; action: string; reason: string }>)
    .map((d) => `${d.kind}/${d.name} ${d.action}`)
    .sort();

beforeAll(async () => {
  h = await startHarness({ seed: [DEMO_NAMESPACE] });
  // before the function's first LIST: this cluster has Argo Rollouts
  h.emulator!.installCrd('rollouts.argoproj.io');
  h.emulator!.seed([configMap, ...WORKLOADS, borrowing]);
}, 30_000);
afterAll(async () => {
  await h?.stop();
});

describe('CronJob and Rollout through the emulator', () => {
  it('add records; one real change rolls each once; a duplicate or replay rolls nothing', async () => {
    const added = await h.post(...event('add'));
    expect(decisionsOf(added.json)).toEqual([
      'CronJob/nightly recorded',
      'CronJob/paused recorded',
      'Rollout/web recorded',
      'Rollout/web-ref skipped',
    ]);
    const before = { nightly: read('CronJob', 'nightly'), paused: read('CronJob', 'paused') };

    const res = await fetch(`${h.emulator!.url}/api/v1/namespaces/demo/configmaps/${CM}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ data: { ENV_MESSAGE: 'v2' } }),
    });
    expect(res.status).toBe(200);
    h.emulator!.clearRequests();
    const rolled = await h.post(...event('update'));
    expect(decisionsOf(rolled.json)).toEqual([
      'CronJob/nightly rolled',
      'CronJob/paused rolled',
      'Rollout/web rolled',
      'Rollout/web-ref skipped',
    ]);
    const reasons = Object.fromEntries(
      (rolled.json.decisions as Array<{ name: string; reason: string }>).map((d) => [d.name, d.reason]),
    );
    expect(reasons.paused).toMatch(/suspended \(left so\)/);
    expect(reasons['web-ref']).toMatch(/Deployment demo\/web-ref/);

    // the writes: one merge patch per rolled workload, nothing created but Kubernetes Events
    const writes = h.emulator!.requests().filter((r) => !['get', 'list', 'watch'].includes(r.verb));
    expect(
      writes
        .filter((r) => r.verb === 'patch')
        .map((r) => `${r.resource}/${r.name}`)
        .sort(),
    ).toEqual(['cronjobs/nightly', 'cronjobs/paused', 'rollouts/web']);
    expect(writes.filter((r) => r.verb !== 'patch').every((r) => r.verb === 'create' && r.resource === 'events')).toBe(
      true,
    );
    expect(h.emulator!.requests().some((r) => r.resource === 'jobs')).toBe(false);

    for (const name of ['nightly', 'paused'] as const) {
      const after = read('CronJob', name);
      const stamp = templateAnnotations(after);
      expect(stamp?.[ANNOTATIONS.restartTimestamp]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(stamp?.[ANNOTATIONS.configHash]).toBe(after.metadata?.annotations?.[ANNOTATIONS.configHash]);
      const spec = after.spec as { schedule: string; suspend: boolean };
      const was = before[name].spec as { schedule: string; suspend: boolean };
      expect([spec.schedule, spec.suspend]).toEqual([was.schedule, was.suspend]);
      expect(after.metadata?.generation).toBe(Number(before[name].metadata?.generation) + 1);
    }
    expect(templateAnnotations(read('Rollout', 'web'))?.[ANNOTATIONS.restartTimestamp]).toBeDefined();
    expect(templateAnnotations(read('Rollout', 'web-ref'))).toBeUndefined();

    h.emulator!.clearRequests();
    const again = await h.post(...event('update'));
    expect(decisionsOf(again.json)).toEqual([
      'CronJob/nightly unchanged',
      'CronJob/paused unchanged',
      'Rollout/web unchanged',
      'Rollout/web-ref skipped',
    ]);
    expect(h.emulator!.requests().filter((r) => r.verb === 'patch')).toEqual([]);
  });
});

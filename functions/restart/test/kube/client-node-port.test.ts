// The client-node 1.4 port against the API emulator: pagination, 404s, the patch Content-Type,
// definite errors vs. an unreachable API.
import { KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { CloudEvent, HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientNodePort } from '../../src/kube/client-node-port';
import { ApiUnavailableError, KubeApiError, type KubePort } from '../../src/kube/port';
import { DEMO_NAMESPACE, asNew, recordedObject } from '../helpers/fixtures';
import { startHarness } from '../helpers/harness';
import { makeWorkload } from '../helpers/workloads';

const FAST_RETRY = { initialDelayMs: 10, maxDelayMs: 50, budgetMs: 1500, attemptTimeoutMs: 500 };
let emulator: Emulator;
let port: KubePort;
const calls: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.seed([
    DEMO_NAMESPACE,
    asNew(recordedObject('02')),
    ...Array.from({ length: 5 }, (_, i) => makeWorkload({ name: `d${i}` })),
    makeWorkload({ kind: 'StatefulSet', name: 's0' }),
  ]);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(emulator.kubeconfigPath);
  port = createClientNodePort({
    kubeConfig,
    pageSize: 2,
    retry: FAST_RETRY,
    onRequest: (verb, resource, code) => calls.push(`${verb} ${resource} ${code}`),
  });
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
});

describe('client-node port', () => {
  it('reads a namespace (null when gone) and lists namespaces by label selector in one request', async () => {
    emulator.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { 'reroll.dev/enabled': 'true' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-c' } },
    ]);
    expect((await port.getNamespace('team-a'))?.metadata?.labels).toMatchObject({ 'reroll.dev/enabled': 'true' });
    expect(await port.getNamespace('no-such-namespace')).toBeNull();
    emulator.clearRequests();
    const listed = await port.listNamespaces('reroll.dev/enabled=true');
    expect(listed.map((n) => n.metadata?.name)).toEqual(['team-a']);
    expect(listed[0]).toMatchObject({ apiVersion: 'v1', kind: 'Namespace' });
    const lists = emulator.requests().filter((r) => r.verb === 'list' && r.resource === 'namespaces');
    expect(lists).toHaveLength(1);
    expect(decodeURIComponent(lists[0]!.query)).toContain('labelSelector=reroll.dev/enabled=true');
  });

  it('lists every page (limit/continue) of each kind', async () => {
    emulator.clearRequests();
    const list = await port.listWorkloads('demo', ['Deployment', 'StatefulSet', 'DaemonSet', 'Service']);
    expect(list.failures).toEqual([]);
    expect(list.workloads.map((w) => `${w.kind}/${w.object.metadata?.name}`).sort()).toEqual([
      'Deployment/d0',
      'Deployment/d1',
      'Deployment/d2',
      'Deployment/d3',
      'Deployment/d4',
      'StatefulSet/s0',
    ]);
    const deploymentLists = emulator.requests().filter((r) => r.verb === 'list' && r.resource === 'deployments');
    expect(deploymentLists).toHaveLength(3);
    expect(deploymentLists.every((r) => r.query.includes('limit=2'))).toBe(true);
    expect(deploymentLists.slice(1).every((r) => r.query.includes('continue='))).toBe(true);
  });

  it('a kind that is not installed (404 on its LIST) is not asked again by this instance', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(emulator.kubeconfigPath);
    const fresh = createClientNodePort({ kubeConfig, retry: FAST_RETRY });
    emulator.inject({ verb: 'list', resource: 'services', status: 404 });
    emulator.clearRequests();
    for (let i = 0; i < 3; i++) {
      const list = await fresh.listWorkloads('demo', ['Deployment', 'Service']);
      expect(list.failures).toEqual([]);
      expect(list.workloads.filter((w) => w.kind === 'Deployment')).toHaveLength(5);
    }
    const lists = emulator.requests().filter((r) => r.verb === 'list');
    expect(lists.filter((r) => r.resource === 'services')).toHaveLength(1);
    expect(lists.filter((r) => r.resource === 'deployments')).toHaveLength(3); // 5 items, one page of 500
  });

  it('Argo Rollouts not installed: the 404 of the rollouts LIST is asked once per warm instance', async () => {
    // no fault injected: the emulator, like a cluster without the CRD, does not serve argoproj.io
    const emu = await startEmulator();
    try {
      emu.seed([DEMO_NAMESPACE, makeWorkload({ name: 'd0' })]);
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(emu.kubeconfigPath);
      const warm = createClientNodePort({ kubeConfig, retry: FAST_RETRY });
      for (let i = 0; i < 3; i++) {
        const list = await warm.listWorkloads('demo', ['Deployment', 'Rollout']);
        expect(list).toMatchObject({ failures: [], workloads: [{ kind: 'Deployment' }] });
      }
      const rolloutLists = () => emu.requests().filter((r) => r.verb === 'list' && r.resource === 'rollouts');
      expect(rolloutLists().map((r) => r.status)).toEqual([404]);

      // installed meanwhile: this instance keeps its answer (until it is scaled to zero); a new one sees them
      emu.installCrd('rollouts.argoproj.io');
      emu.seed([makeWorkload({ kind: 'Rollout', name: 'web' })]);
      expect((await warm.listWorkloads('demo', ['Rollout'])).workloads).toEqual([]);
      expect(rolloutLists()).toHaveLength(1);
      const cold = createClientNodePort({ kubeConfig, retry: FAST_RETRY });
      const listed = await cold.listWorkloads('demo', ['Rollout']);
      expect(listed.workloads.map((w) => [w.kind, w.object.apiVersion, w.object.metadata?.name])).toEqual([
        ['Rollout', 'argoproj.io/v1alpha1', 'web'],
      ]);
      expect(rolloutLists().map((r) => r.status)).toEqual([404, 200]);
    } finally {
      await emu.stop();
    }
  });

  it('a CronJob is listed from batch/v1 and merge-patched under its job template', async () => {
    emulator.seed([makeWorkload({ kind: 'CronJob', name: 'nightly', suspend: true })]);
    const [cj] = (await port.listWorkloads('demo', ['CronJob'])).workloads;
    expect([cj?.kind, cj?.object.apiVersion, cj?.object.metadata?.name]).toEqual(['CronJob', 'batch/v1', 'nightly']);
    emulator.clearRequests();
    const after = await port.patchWorkload(
      { kind: 'CronJob', namespace: 'demo', name: 'nightly' },
      {
        metadata: { resourceVersion: cj!.object.metadata!.resourceVersion!, annotations: { a: 'b' } },
        spec: { jobTemplate: { spec: { template: { metadata: { annotations: { c: 'd' } } } } } },
      },
    );
    expect(emulator.requests().map((r) => [r.verb, r.resource, r.contentType, r.status])).toEqual([
      ['patch', 'cronjobs', 'application/merge-patch+json', 200],
    ]);
    const spec = after.spec as { suspend: boolean; schedule: string; jobTemplate: { spec: { template: unknown } } };
    expect([spec.suspend, spec.schedule]).toEqual([true, '*/15 * * * *']);
    expect(spec.jobTemplate.spec.template).toMatchObject({ metadata: { annotations: { c: 'd' } } });
  });

  it('reads a ConfigMap as plain JSON; a missing one is null', async () => {
    const cm = await port.getConfig({ kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test' });
    expect(cm?.data).toEqual({ ENV_MESSAGE: 'Hello again' });
    expect(await port.getConfig({ kind: 'Secret', namespace: 'demo', name: 'nope' })).toBeNull();
  });

  it('patches with application/merge-patch+json and the resourceVersion precondition', async () => {
    const current = (await port.getWorkload({ kind: 'Deployment', namespace: 'demo', name: 'd0' }))!;
    emulator.clearRequests();
    await port.patchWorkload(
      { kind: 'Deployment', namespace: 'demo', name: 'd0' },
      { metadata: { resourceVersion: current.metadata!.resourceVersion!, annotations: { a: 'b' } } },
    );
    expect(emulator.requests().map((r) => [r.verb, r.contentType, r.status])).toEqual([
      ['patch', 'application/merge-patch+json', 200],
    ]);
    // the same (now stale) resourceVersion again: a 409, not retried here
    emulator.clearRequests();
    await expect(
      port.patchWorkload(
        { kind: 'Deployment', namespace: 'demo', name: 'd0' },
        { metadata: { resourceVersion: current.metadata!.resourceVersion!, annotations: { a: 'c' } } },
      ),
    ).rejects.toMatchObject({ status: 409 });
    expect(emulator.requests()).toHaveLength(1);
  });

  it('403 is a definite answer (no retry)', async () => {
    emulator.clearRequests();
    emulator.inject({ verb: 'get', resource: 'configmaps', status: 403 });
    await expect(
      port.getConfig({ kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test' }),
    ).rejects.toBeInstanceOf(KubeApiError);
    expect(emulator.requests()).toHaveLength(1);
  });

  it('5xx past the budget is ApiUnavailableError', async () => {
    emulator.inject({ verb: 'get', resource: 'configmaps', status: 502, times: 1000 });
    try {
      await expect(
        port.getConfig({ kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test' }),
      ).rejects.toBeInstanceOf(ApiUnavailableError);
    } finally {
      emulator.clearFaults();
    }
    expect(calls.filter((c) => c === 'get configmaps 502').length).toBeGreaterThan(1);
  });
});

it('with the API server stopped, the function answers 503 with Retry-After', async () => {
  const h = await startHarness({ seed: [DEMO_NAMESPACE], retry: FAST_RETRY });
  try {
    await h.emulator!.stop();
    const msg = HTTP.binary(
      new CloudEvent({
        type: 'dev.knative.apiserver.ref.update',
        source: 'https://10.96.0.1:443',
        subject: '/apis/v1/namespaces/demo/configmaps/x',
        datacontenttype: 'application/json',
        data: { kind: 'ConfigMap', namespace: 'demo', name: 'x', apiVersion: 'v1' },
      }),
    );
    const res = await h.post(msg.headers as Record<string, string>, msg.body as string);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.json.detail).toMatch(/unavailable/);
  } finally {
    await h.fn.close();
  }
}, 30_000);

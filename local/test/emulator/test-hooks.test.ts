// The emulator's test hooks (request log, fault injection) and the externally driven rollout mode,
// seen through client-node the way reroll's own tests use them.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index';

const run = promisify(execFile);

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'hello', namespace: 'demo' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'hello' } },
    template: { metadata: { labels: { app: 'hello' } }, spec: { containers: [{ name: 'app', image: 'hello:1' }] } },
  },
};

describe('test hooks', () => {
  let emu: Emulator | undefined;
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });
  const start = async (opts?: EmulatorOptions) => {
    emu = await startEmulator(opts);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(emu.kubeconfigPath);
    return { emu, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
  };

  it('records each request with verb, resource, content type and status', async () => {
    const { emu, core } = await start();
    emu.seed([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'demo' } }]);
    await core.patchNamespacedConfigMap(
      { name: 'c', namespace: 'demo', body: { data: { a: '1' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.readNamespacedConfigMap({ name: 'missing', namespace: 'demo' }).catch(() => undefined);
    expect(
      emu.requests().map(({ method, verb, resource, namespace, name, contentType, status }) => ({
        method,
        verb,
        resource,
        namespace,
        name,
        contentType,
        status,
      })),
    ).toEqual([
      {
        method: 'PATCH',
        verb: 'patch',
        resource: 'configmaps',
        namespace: 'demo',
        name: 'c',
        contentType: 'application/merge-patch+json',
        status: 200,
      },
      {
        method: 'GET',
        verb: 'get',
        resource: 'configmaps',
        namespace: 'demo',
        name: 'missing',
        contentType: undefined,
        status: 404,
      },
    ]);
    emu.clearRequests();
    expect(emu.requests()).toEqual([]);
  });

  it('injected faults answer the next N matching requests, then real answers resume', async () => {
    const { emu, core } = await start();
    emu.seed([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'demo' } }]);
    emu.inject({ verb: 'get', resource: 'configmaps', status: 503, times: 2 });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      codes.push(
        await core.readNamespacedConfigMap({ name: 'c', namespace: 'demo' }).then(
          () => 200,
          (e: { code: number }) => e.code,
        ),
      );
    }
    expect(codes).toEqual([503, 503, 200]);
    const body = (await fetch(`${emu.url}/api/v1/namespaces/demo/configmaps/c`).then((r) => r.json())) as {
      kind: string;
    };
    expect(body.kind).toBe('ConfigMap');
  });

  it('a latency fault delays without failing, and only matching requests', async () => {
    const { emu, core } = await start();
    emu.inject({ verb: 'list', resource: 'configmaps', latencyMs: 300 });
    const t0 = Date.now();
    await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(emu.requests().at(-1)?.status).toBe(200);
  });

  it("workloadStatus 'external': status waits for a /status write, then rollout status completes", async () => {
    const { emu, apps } = await start({ workloadStatus: 'external' });
    emu.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }]);
    await apps.createNamespacedDeployment({ namespace: 'demo', body: deployment });
    const before = await apps.readNamespacedDeployment({ name: 'hello', namespace: 'demo' });
    expect(before.status?.observedGeneration).toBeUndefined();
    const status = run('kubectl', [
      '--kubeconfig',
      emu.kubeconfigPath,
      'rollout',
      'status',
      'deployment/hello',
      '-n',
      'demo',
      '--timeout=20s',
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await apps.patchNamespacedDeploymentStatus(
      {
        name: 'hello',
        namespace: 'demo',
        body: {
          status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect((await status).stdout).toContain('successfully rolled out');
  });

  it('a client-node informer sees add, update and delete', async () => {
    const { emu, core } = await start();
    emu.seed([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before', namespace: 'demo' } }]);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(emu.kubeconfigPath);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/demo/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'demo' }),
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'demo', body: { metadata: { name: 'c' } } });
    await core.patchNamespacedConfigMap(
      { name: 'c', namespace: 'demo', body: { data: { a: '1' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'c', namespace: 'demo' });
    const until = Date.now() + 10_000;
    while (seen.length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await informer.stop();
    expect(seen).toEqual(['add before', 'add c', 'update c', 'delete c']);
  });
});

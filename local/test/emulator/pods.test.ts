// Pods and ReplicaSets in the emulator, as kubectl meets them: the Table columns of `kubectl get
// pods,rs`, a DELETE that leaves the pod Terminating until its kubelet lets go, and pods/log served
// from a plugged-in source (tail, follow, previous, the kubelet's 400s).
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type PodLogLine } from '../../src/emulator/index';

const run = promisify(execFile);

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'demo', labels: { app: 'hello' } },
  spec: { containers: [{ name: 'hello', image: 'hello:1' }] },
});

describe('pods', () => {
  let emu: Emulator | undefined;
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });
  const start = async (gracefulPodDeletion = true) => {
    emu = await startEmulator({ gracefulPodDeletion });
    emu.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }]);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(emu.kubeconfigPath);
    return { emu, core: kc.makeApiClient(k8s.CoreV1Api) };
  };
  const kubectl = async (e: Emulator, args: string[]) =>
    (await run('kubectl', [...args, '--kubeconfig', e.kubeconfigPath, '-n', 'demo'], { timeout: 30_000 })).stdout;

  it('kubectl get pods,rs prints the columns a cluster prints, Terminating once deleted', async () => {
    const { emu, core } = await start();
    await core.createNamespacedPod({ namespace: 'demo', body: pod('hello-abc-x1y2z') });
    await core.patchNamespacedPodStatus(
      {
        name: 'hello-abc-x1y2z',
        namespace: 'demo',
        body: {
          status: {
            phase: 'Running',
            containerStatuses: [{ name: 'hello', ready: true, restartCount: 2, image: 'hello:1', imageID: '' }],
          },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    emu.seed([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'hello-abc', namespace: 'demo' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'hello' } }, template: pod('x') },
        status: { replicas: 1, readyReplicas: 1 },
      },
    ]);
    const out = await kubectl(emu, ['get', 'pods,rs']);
    expect(out).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    expect(out).toMatch(/^pod\/hello-abc-x1y2z\s+1\/1\s+Running\s+2\s+\d+s$/m);
    expect(out).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/m);
    expect(out).toMatch(/^replicaset\.apps\/hello-abc\s+1\s+1\s+1\s+\d+s$/m);

    // The first DELETE marks it; the pod stays, Terminating, until deleted with grace 0 (the kubelet).
    await core.deleteNamespacedPod({ name: 'hello-abc-x1y2z', namespace: 'demo' });
    const marked = await core.readNamespacedPod({ name: 'hello-abc-x1y2z', namespace: 'demo' });
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    expect(marked.metadata?.deletionGracePeriodSeconds).toBe(30);
    expect(await kubectl(emu, ['get', 'pods'])).toMatch(/^hello-abc-x1y2z\s+1\/1\s+Terminating\s/m);
    await core.deleteNamespacedPod({ name: 'hello-abc-x1y2z', namespace: 'demo', gracePeriodSeconds: 0 });
    await expect(core.readNamespacedPod({ name: 'hello-abc-x1y2z', namespace: 'demo' })).rejects.toMatchObject({
      code: 404,
    });
  }, 60_000);

  it('deletes at once when nothing runs pods (the default)', async () => {
    const { core } = await start(false);
    await core.createNamespacedPod({ namespace: 'demo', body: pod('p') });
    await core.deleteNamespacedPod({ name: 'p', namespace: 'demo' });
    await expect(core.readNamespacedPod({ name: 'p', namespace: 'demo' })).rejects.toMatchObject({ code: 404 });
  });

  it('kubectl logs reads the plugged-in source: --tail, --previous, -f', async () => {
    const { emu, core } = await start();
    await core.createNamespacedPod({ namespace: 'demo', body: pod('p') });
    const line = (text: string): PodLogLine => ({ time: new Date().toISOString(), text });
    const lines = [line('listening on 8080'), line('GET / 200')];
    const followers = new Set<(l: PodLogLine) => void>();
    let endFollow = () => {};
    emu.setPodLogSource((req) => {
      if (req.previous) return { error: `previous terminated container "hello" in pod "${req.name}" not found` };
      return {
        lines,
        subscribe(onLine, onEnd) {
          followers.add(onLine);
          endFollow = onEnd;
          return () => followers.delete(onLine);
        },
      };
    });
    expect(await kubectl(emu, ['logs', 'p'])).toBe('listening on 8080\nGET / 200\n');
    expect(await kubectl(emu, ['logs', 'p', '--tail', '1'])).toBe('GET / 200\n');
    await expect(kubectl(emu, ['logs', 'p', '--previous'])).rejects.toThrow(
      /previous terminated container "hello" in pod "p" not found/,
    );
    await expect(kubectl(emu, ['logs', 'nope'])).rejects.toThrow(/pods "nope" not found/);

    // -f: the lines so far, then each new one, until the container stops.
    const followed = kubectl(emu, ['logs', 'p', '-f']);
    while (followers.size === 0) await new Promise((r) => setTimeout(r, 20));
    for (const f of followers) f(line('GET /healthz 200'));
    endFollow();
    expect(await followed).toBe('listening on 8080\nGET / 200\nGET /healthz 200\n');

    const res = await fetch(`${emu.url}/api/v1/namespaces/demo/pods/p/log?tailLines=x`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/tailLines: Invalid value: "x"/);
  }, 60_000);
});

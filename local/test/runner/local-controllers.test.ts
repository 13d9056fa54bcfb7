// The local deployment controller, ReplicaSet controller and kubelet against the real emulator, as
// kubectl shows them: ReplicaSets per template with revisions and history limit, a rollout that
// follows maxSurge/maxUnavailable (read back from the ScalingReplicaSet events), a pod deleted
// with kubectl replaced, and a crashed container restarted in place with `logs --previous`.
// The pods are real processes (a stand-in for the hello bundle).
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index';
import { findFreePort } from '../../src/runner/free-port';
import type { DeploymentLike } from '../../src/runner/kube-shapes';
import { connectLocalControllers } from '../../src/runner/local-controllers';
import { type PodSupervisor, createPodSupervisor } from '../../src/runner/pod-supervisor';
import { waitFor } from './http-get';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./fixtures/message-server.mjs', import.meta.url));
const NS = 'demo';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'hello', namespace: NS },
  spec: {
    replicas: 2,
    revisionHistoryLimit: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    selector: { matchLabels: { app: 'hello' } },
    template: {
      metadata: { labels: { app: 'hello' } },
      spec: {
        containers: [
          {
            name: 'hello',
            image: 'hello:1',
            env: [{ name: 'ENV_MESSAGE', valueFrom: { configMapKeyRef: { name: 'hello', key: 'message' } } }],
          },
        ],
      },
    },
  },
};

describe('local controllers', () => {
  let emu: Emulator;
  let supervisor: PodSupervisor;
  let podRoot: string;
  let apps: k8s.AppsV1Api;
  let core: k8s.CoreV1Api;
  let stopPods: () => Promise<void>;
  const logs: string[] = [];

  const kubectl = async (args: string[]) =>
    (await run('kubectl', [...args, '--kubeconfig', emu.kubeconfigPath, '-n', NS], { timeout: 30_000 })).stdout;
  const feed = async () =>
    supervisor.upsert((await apps.readNamespacedDeployment({ name: 'hello', namespace: NS })) as DeploymentLike);
  const scalingEvents = async () =>
    (await core.listNamespacedEvent({ namespace: NS })).items
      .filter((e) => e.reason === 'ScalingReplicaSet')
      .map((e) => e.message ?? '');
  const podNames = async () =>
    (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=hello' })).items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .map((p) => p.metadata?.name ?? '');
  const readyPods = () =>
    waitFor(
      'two ready pods',
      async () => {
        const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=hello' })).items;
        const ready = pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.containerStatuses?.[0]?.ready);
        return pods.length === 2 && ready.length === 2 ? ready.map((p) => p.metadata?.name ?? '') : undefined;
      },
      30_000,
    );
  const patchTemplate = async (note: string) => {
    await apps.patchNamespacedDeployment(
      { name: 'hello', namespace: NS, body: { spec: { template: { metadata: { annotations: { note } } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await feed();
    await supervisor.settled();
  };

  beforeAll(async () => {
    emu = await startEmulator({ workloadStatus: 'external', gracefulPodDeletion: true });
    emu.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hello', namespace: NS }, data: { message: 'one' } },
      deployment,
    ]);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(emu.kubeconfigPath);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    core = kc.makeApiClient(k8s.CoreV1Api);
    podRoot = await mkdtemp(join(tmpdir(), 'reroll-controllers-test-'));
    const controllers = await connectLocalControllers(emu, NS);
    supervisor = createPodSupervisor({
      port: controllers.port,
      containerLogs: controllers.containerLogs,
      programFor: () => ({ script }),
      logFor: () => (line) => logs.push(line),
      findFreePort,
      podRoot,
    });
    stopPods = await controllers.followPods(supervisor, NS, (line) => logs.push(line));
    await feed();
    await supervisor.settled();
  }, 60_000);

  afterAll(async () => {
    await stopPods?.();
    await supervisor?.stop();
    await emu?.stop();
    if (podRoot) await rm(podRoot, { recursive: true, force: true });
  });

  it('runs the replicas as Running pods of one ReplicaSet at revision 1, with their logs', async () => {
    const out = await kubectl(['get', 'pods,rs']);
    expect(out.match(/^pod\/hello-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s/gm)).toHaveLength(2);
    expect(out).toMatch(/^replicaset\.apps\/hello-[a-z0-9]+\s+2\s+2\s+2\s/m);
    expect(await kubectl(['rollout', 'history', 'deployment/hello'])).toMatch(/^1\s+<none>$/m);
    // the pods started unready (2 unavailable); once ready, describe must not keep that count
    expect(await kubectl(['describe', 'deployment', 'hello'])).toMatch(
      /^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$/m,
    );
    expect(await scalingEvents()).toEqual([expect.stringMatching(/^Scaled up replica set hello-\w+ from 0 to 2$/)]);
    const [pod] = await podNames();
    expect(await kubectl(['logs', pod ?? ''])).toMatch(/^listening on \d+: one$/m);
  }, 30_000);

  it('rolls one pod at a time with maxSurge 1 / maxUnavailable 0, as the ScalingReplicaSet events read', async () => {
    const before = (await scalingEvents()).length;
    await patchTemplate('second');
    const steps = (await scalingEvents()).slice(before).map((m) => m.replace(/hello-\w+/, 'RS'));
    expect(steps).toEqual([
      'Scaled up replica set RS from 0 to 1',
      'Scaled down replica set RS from 2 to 1',
      'Scaled up replica set RS from 1 to 2',
      'Scaled down replica set RS from 1 to 0',
    ]);
    expect(await kubectl(['rollout', 'history', 'deployment/hello'])).toMatch(/^1\s+<none>\n2\s+<none>$/m);
    expect(await kubectl(['describe', 'deployment', 'hello'])).toMatch(/\| 2 available \| 0 unavailable$/m);
  }, 60_000);

  it('keeps revisionHistoryLimit old ReplicaSets', async () => {
    await patchTemplate('third');
    const rs = (await apps.listNamespacedReplicaSet({ namespace: NS })).items.map(
      (r) => `${r.spec?.replicas} ${r.metadata?.annotations?.['deployment.kubernetes.io/revision']}`,
    );
    expect(rs.sort()).toEqual(['0 2', '2 3']);
  }, 60_000);

  it('replaces a pod deleted with kubectl: Killing on the old one, SuccessfulCreate for the new one', async () => {
    const [victim] = await podNames();
    await kubectl(['delete', 'pod', victim ?? '', '--wait=false']);
    const replaced = await waitFor(
      'a replacement pod',
      async () => {
        const names = await podNames();
        return names.length === 2 && !names.includes(victim ?? '') ? names : undefined;
      },
      30_000,
    );
    expect(replaced).not.toContain(victim);
    expect((await readyPods()).sort()).toEqual([...replaced].sort());
    await waitFor(
      'the deleted pod to be gone',
      async () =>
        (await core.listNamespacedPod({ namespace: NS })).items.every((p) => p.metadata?.name !== victim) || undefined,
      30_000,
    );
    const events = (await core.listNamespacedEvent({ namespace: NS })).items;
    expect(events.some((e) => e.reason === 'Killing' && e.involvedObject.name === victim)).toBe(true);
    expect(events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message)).toContain(
      `Created pod: ${replaced.find((n) => n !== victim)}`,
    );
  }, 60_000);

  it('restarts a crashed container in the same pod; kubectl logs --previous reads the one before', async () => {
    const [name] = await readyPods();
    const pod = await core.readNamespacedPod({ name: name ?? '', namespace: NS });
    const pid = Number(pod.status?.containerStatuses?.[0]?.containerID?.replace('local://', ''));
    process.kill(pid, 'SIGKILL');
    const restarted = await waitFor(
      'the container to run again',
      async () => {
        const p = await core.readNamespacedPod({ name: name ?? '', namespace: NS });
        const c = p.status?.containerStatuses?.[0];
        return c?.restartCount === 1 && c.ready ? c : undefined;
      },
      30_000,
    );
    expect(restarted.lastState?.terminated?.finishedAt).toBeDefined();
    expect(await kubectl(['logs', name ?? '', '--previous'])).toMatch(/^listening on \d+: one$/m);
    expect(await kubectl(['get', 'pod', name ?? ''])).toMatch(/\s1\/1\s+Running\s+1\s/);
  }, 60_000);
});

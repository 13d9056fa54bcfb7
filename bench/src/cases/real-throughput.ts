// Throughput on a real control plane (skipped, with one line, when KUBEBUILDER_ASSETS is unset): 1,000
// update events over 100 ConfigMaps (10 rounds; in each, every ConfigMap is really changed on
// kube-apiserver first, untimed, then its event is sent), one at a time as the ApiServerSource adapter
// sends, then the same with 8 concurrent senders (a Broker fanning out). The restart bundle runs as
// reroll-restart (token, RBAC, TLS). The apiserver's audit log says how many PATCHes of Deployments
// the function made: exactly one per real change is the goal, either way.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startCountingProxy, type CountingProxy } from '@reroll/envtest/counting-proxy';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { BenchRow } from '../bench-row';
import { sendUpdateEvent } from '../post-update-event';
import { changeConfigMap, createAll, seedPairs, startRealCluster, type RealCluster } from '../real-cluster';
import { RESTART_BUNDLE, spawnRestart, stopProcess } from '../restart-process';

const CONFIGS = 100;
const ROUNDS = 10;
const SENDERS = 8;
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function postEvent(url: string, namespace: string, i: number): Promise<void> {
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace } };
  const { status } = await sendUpdateEvent(url, object);
  if (status !== 200) throw new Error(`event for cm-${i} answered ${status}`);
}

/** `rounds` rounds: change all ConfigMaps (untimed), then send their events `senders` at a time (timed). */
async function sendRounds(
  cluster: RealCluster,
  url: string,
  senders: number,
  label: string,
  rounds = ROUNDS,
): Promise<number> {
  let sending = 0;
  const indices = Array.from({ length: CONFIGS }, (_, i) => i);
  for (let r = 0; r < rounds; r++) {
    await createAll(indices, (i) => changeConfigMap(cluster, `cm-${i}`, `${label}-${r}`), 8);
    const started = performance.now();
    await createAll(indices, (i) => postEvent(url, cluster.namespace, i), senders);
    sending += performance.now() - started;
  }
  return sending / 1000;
}

/**
 * The API server's write floor in the same run: the bench's own keep-alive client merge-patches one
 * annotation of the Deployments' metadata (no rollout: the pod template is untouched), ROUNDS x CONFIGS
 * times, `senders` at a time. Every function event that rolls makes two writes (the PATCH and its
 * Kubernetes Event) besides its reads, so its event rate cannot pass half of this.
 */
async function timeBarePatches(cluster: RealCluster, senders: number): Promise<number> {
  const indices = Array.from({ length: CONFIGS * ROUNDS }, (_, i) => i);
  const started = performance.now();
  await createAll(
    indices,
    (n) =>
      cluster.apps.patchNamespacedDeployment(
        {
          name: `app-${n % CONFIGS}`,
          namespace: cluster.namespace,
          body: { metadata: { annotations: { 'bench.reroll.dev/probe': String(n) } } },
        },
        MERGE_PATCH,
      ),
    senders,
  );
  return (CONFIGS * ROUNDS) / ((performance.now() - started) / 1000);
}

interface Counted {
  patches: number;
  applied: number;
  requests: number;
}

async function countSince(cluster: RealCluster, since: number): Promise<Counted> {
  const mine = await cluster.auditSince(since, 'restart');
  const patches = mine.filter((e) => e.verb === 'patch' && e.objectRef?.resource === 'deployments');
  return {
    patches: patches.length,
    applied: patches.filter((e) => e.responseStatus?.code === 200).length,
    requests: mine.length,
  };
}

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(RESTART_BUNDLE)) throw new Error(`${RESTART_BUNDLE} missing: run npm run build first`);
  const cluster = await startRealCluster('real-throughput', process.env);
  if (!cluster) return [];
  let proxy: CountingProxy | undefined;
  let restart: ChildProcess | undefined;
  try {
    await seedPairs(cluster, CONFIGS);
    proxy = await startCountingProxy(cluster.cp.server);
    const spawned = await spawnRestart(
      { kubeconfigPath: await cluster.kubeconfigFor('restart', proxy.url) },
      cluster.namespace,
    );
    restart = spawned.child;
    // warm-up: the first sight of every ConfigMap (an update with no hash recorded rolls)
    await sendRounds(cluster, spawned.url, 1, 'warm', 1).catch((err: unknown) => {
      throw new Error(`warm-up failed: ${(err as Error).message}`);
    });

    let since = await cluster.auditCount();
    const seconds = await sendRounds(cluster, spawned.url, 1, 'single');
    const single = await countSince(cluster, since);
    proxy.reset();
    since = await cluster.auditCount();
    const burstSeconds = await sendRounds(cluster, spawned.url, SENDERS, 'burst');
    const burst = await countSince(cluster, since);
    const burstConnections = proxy.connections();
    await stopProcess(restart);
    restart = undefined;
    const floorSingle = await timeBarePatches(cluster, 1);
    const floorBurst = await timeBarePatches(cluster, SENDERS);
    const events = CONFIGS * ROUNDS;
    const note = (c: Counted) =>
      `${c.patches} PATCHes of Deployments (${c.applied} applied) for ${events} real changes; ` +
      `${(c.requests / events).toFixed(1)} API requests/event (audit log)`;
    return [
      {
        name: `real throughput: ${events} update events over ${CONFIGS} ConfigMaps, one at a time`,
        value: Math.round(events / seconds),
        unit: 'events/s',
        baseline: { name: 'bare merge PATCHes/s on the same apiserver, one at a time', value: Math.round(floorSingle) },
        note: `kube-apiserver over TLS, token, RBAC; as the adapter sends; ${note(single)}; goal ≥ 300/s`,
      },
      {
        name: `real throughput: the same with ${SENDERS} concurrent senders`,
        value: Math.round(events / burstSeconds),
        unit: 'events/s',
        baseline: {
          name: `bare merge PATCHes/s on the same apiserver, ${SENDERS} at a time`,
          value: Math.round(floorBurst),
        },
        note: `${note(burst)}; ${burstConnections} new connections; one sender: ${Math.round(events / seconds)}/s; goal ≥ 1000/s`,
      },
    ];
  } finally {
    if (restart) await stopProcess(restart);
    await proxy?.stop();
    await cluster.stop();
  }
}

// One ConfigMap event in a big namespace on a real control plane (skipped, with one line, when
// KUBEBUILDER_ASSETS is unset): 1,000 opted-in Deployments first, then 5,000 (10 of them use the
// ConfigMap and roll on every real change). The restart bundle runs as reroll-restart (token, RBAC,
// TLS), freshly spawned for each size; event → answer, median of SAMPLES real changes, API requests
// per event from the apiserver's audit log, and RSS after those events: the 1,000-workload figures
// are the baseline, so "memory flat in namespace size" reads as a ratio near 1.
import { existsSync } from 'node:fs';
import https from 'node:https';
import type { BenchRow } from '../bench-row';
import { postUpdateEvent, readRssMiB } from '../post-update-event';
import {
  benchConfigMap,
  benchDeployment,
  changeConfigMap,
  createAll,
  startRealCluster,
  type RealCluster,
} from '../real-cluster';
import { RESTART_BUNDLE, spawnRestart, stopProcess } from '../restart-process';

const SIZES = [1_000, 5_000];
const USERS = 10;
const SAMPLES = 7;

/** Really changes app-config, sends its update event; ms to the answer and how many workloads rolled. */
async function timeOneEvent(cluster: RealCluster, url: string, value: string): Promise<{ ms: number; rolled: number }> {
  await changeConfigMap(cluster, 'app-config', value);
  return postUpdateEvent(url, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app-config', namespace: cluster.namespace },
  });
}

/**
 * The floor under any reader of the namespace: its Deployments LISTed page by page (limit 500, as the
 * function pages) with node:https over one keep-alive TLS connection, each page only JSON.parsed (for
 * its continue token); median of SAMPLES.
 */
async function timeBareList(cluster: RealCluster): Promise<number> {
  const tls: https.RequestOptions = {};
  await cluster.cp.kubeConfig.applyToHTTPSOptions(tls);
  const agent = new https.Agent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key });
  const get = (path: string) =>
    new Promise<{ metadata?: { continue?: string } }>((resolve, reject) => {
      https
        .get(new URL(path, cluster.cp.server), { agent, headers: { accept: 'application/json' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata?: object }));
          res.on('error', reject);
        })
        .on('error', reject);
    });
  const times: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      let token: string | undefined;
      do {
        const query = `limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
        token = (await get(`/apis/apps/v1/namespaces/${cluster.namespace}/deployments?${query}`)).metadata?.continue;
      } while (token);
      times.push(performance.now() - started);
    }
  } finally {
    agent.destroy();
  }
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

interface Measured {
  list: number;
  ms: number;
  rss: number;
  requestsPerEvent: number;
  rolled: number;
}

async function measure(cluster: RealCluster, size: number): Promise<Measured> {
  const { child, url } = await spawnRestart(
    { kubeconfigPath: await cluster.kubeconfigFor('restart') },
    cluster.namespace,
  );
  try {
    await timeOneEvent(cluster, url, `${size}-warm`);
    const since = await cluster.auditCount();
    const times: number[] = [];
    let rolled = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const r = await timeOneEvent(cluster, url, `${size}-${i}`);
      times.push(r.ms);
      rolled += r.rolled;
    }
    const requests = (await cluster.auditSince(since, 'restart')).length;
    return {
      list: await timeBareList(cluster),
      ms: [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!,
      rss: await readRssMiB(child),
      requestsPerEvent: requests / SAMPLES,
      rolled: rolled / SAMPLES,
    };
  } finally {
    await stopProcess(child);
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(RESTART_BUNDLE)) throw new Error(`${RESTART_BUNDLE} missing: run npm run build first`);
  const cluster = await startRealCluster('real-big-namespace', process.env);
  if (!cluster) return [];
  try {
    const { namespace } = cluster;
    await cluster.core.createNamespacedConfigMap({ namespace, body: benchConfigMap('app-config', 'app', 'v0') });
    const results: Measured[] = [];
    let seeded = 0;
    for (const size of SIZES) {
      const names = Array.from({ length: size - seeded }, (_, k) => seeded + k);
      await createAll(names, (i) =>
        cluster.apps.createNamespacedDeployment({
          namespace,
          body: benchDeployment(`app-${i}`, i < USERS ? 'app-config' : `other-${i}`),
        }),
      );
      seeded = size;
      results.push(await measure(cluster, size));
    }
    const [small, big] = results as [Measured, Measured];
    const note = (m: Measured, size: number) =>
      `median of ${SAMPLES} events, each a real change rolling ${m.rolled} of ${size}; ` +
      `${m.requestsPerEvent.toFixed(1)} API requests per event (audit log)`;
    return [
      {
        name: `real: one event, ${SIZES[1]} workloads in the namespace: event → answer`,
        value: round(big.ms),
        unit: 'ms',
        baseline: { name: `the same with ${SIZES[0]} workloads`, value: round(small.ms) },
        note: `kube-apiserver over TLS, token, RBAC; ${note(big, SIZES[1]!)}; goal ≤ 150 ms`,
      },
      {
        name: `real: the bare paged LIST of those ${SIZES[1]} Deployments`,
        value: round(big.list),
        unit: 'ms',
        baseline: { name: "the function's event → answer (above)", value: round(big.ms) },
        note: `node:https + JSON.parse only, keep-alive TLS (admin cert): the API server's share of an event; ${SIZES[0]} workloads: ${round(small.list)} ms`,
      },
      {
        name: `real: restart RSS after those events, ${SIZES[1]} workloads`,
        value: round(big.rss),
        unit: 'MiB',
        baseline: { name: `RSS after the same events with ${SIZES[0]} workloads`, value: round(small.rss) },
        note: `fresh process per size, no forced GC; ${SIZES[0]}: ${note(small, SIZES[0]!)}; goal: flat`,
      },
    ];
  } finally {
    await cluster.stop();
  }
}

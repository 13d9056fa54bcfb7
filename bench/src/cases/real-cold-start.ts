// restart's cold start against a real control plane (skipped, with one line, when KUBEBUILDER_ASSETS is
// unset): spawn the bundle with reroll-restart's token kubeconfig → the first CloudEvent answered, a
// full reconcile over TLS (first handshake, GET, LISTs, a PATCH that rolls, the Rolled Event). The
// baselines are the bare express+cloudevents+ajv receiver (baselines/bare-receiver.ts) bundled twice,
// as the function ships (code-cache loader) and as one plain ESM bundle, spawned alternately in the
// same run; median of SPAWNS each. Then RSS after 1,000 events, restart against the bare receiver.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '../bench-row';
import { readRssMiB, sendUpdateEvent } from '../post-update-event';
import { benchConfigMap, benchDeployment, changeConfigMap, startRealCluster } from '../real-cluster';
import { RESTART_BUNDLE, freePort, stopProcess } from '../restart-process';
import { bundleBare } from './restart-cold-start';

const SPAWNS = 7;
const EVENTS_FOR_RSS = 1000;

async function post(port: number, namespace: string): Promise<number> {
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-0', namespace } };
  return (await sendUpdateEvent(`http://127.0.0.1:${port}`, object)).status;
}

function spawnServer(file: string, env: Record<string, string>, port: number): ChildProcess {
  return spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: 'ignore',
  });
}

/** spawn → the first event answered 200 (ms); the process is left running */
async function timeFirstEvent(
  file: string,
  env: Record<string, string>,
  namespace: string,
): Promise<{ ms: number; child: ChildProcess; port: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawnServer(file, env, port);
  for (;;) {
    try {
      const status = await post(port, namespace);
      if (status === 200) return { ms: performance.now() - started, child, port };
      throw new Error(`answered ${status}`);
    } catch (err) {
      if (performance.now() > started + 30_000 || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`${file}: no answer (${(err as Error).message})`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

async function rssAfterEvents(child: ChildProcess, port: number, namespace: string): Promise<number> {
  for (let i = 0; i < EVENTS_FOR_RSS; i++) {
    const status = await post(port, namespace);
    if (status !== 200) throw new Error(`event answered ${status}`);
  }
  return readRssMiB(child);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const round = (x: number) => Math.round(x * 10) / 10;

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(RESTART_BUNDLE)) throw new Error(`${RESTART_BUNDLE} missing: run npm run build first`);
  const cluster = await startRealCluster('real-cold-start', process.env);
  if (!cluster) return [];
  const dir = await mkdtemp(join(tmpdir(), 'reroll-bench-'));
  try {
    const { namespace } = cluster;
    await cluster.core.createNamespacedConfigMap({ namespace, body: benchConfigMap('cm-0', 'app-0', 'v0') });
    await cluster.apps.createNamespacedDeployment({ namespace, body: benchDeployment('app-0', 'cm-0') });
    const bare = await bundleBare(dir);
    const restartEnv = {
      KUBECONFIG: await cluster.kubeconfigFor('restart'),
      REROLL_NAMESPACES: namespace,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
    };
    const times = { cached: [] as number[], plain: [] as number[], restart: [] as number[] };
    let rolled = 0;
    for (let i = 0; i < SPAWNS; i++) {
      for (const [which, file] of [
        ['cached', bare.cached],
        ['plain', bare.plain],
      ] as const) {
        const b = await timeFirstEvent(file, {}, namespace);
        times[which].push(b.ms);
        await stopProcess(b.child);
      }
      await changeConfigMap(cluster, 'cm-0', `cold start ${i}`); // so every first event is a real rollout
      const since = await cluster.auditCount();
      const r = await timeFirstEvent(RESTART_BUNDLE, restartEnv, namespace);
      times.restart.push(r.ms);
      await stopProcess(r.child);
      const patches = (await cluster.auditSince(since, 'restart')).filter(
        (e) => e.verb === 'patch' && e.objectRef?.resource === 'deployments' && e.responseStatus?.code === 200,
      );
      if (patches.length >= 1) rolled++;
    }

    const rss: Record<'bare' | 'restart', number> = { bare: 0, restart: 0 };
    for (const [which, file, env] of [
      ['bare', bare.cached, {}],
      ['restart', RESTART_BUNDLE, restartEnv],
    ] as const) {
      const s = await timeFirstEvent(file, env, namespace);
      rss[which] = await rssAfterEvents(s.child, s.port, namespace);
      await stopProcess(s.child);
    }

    const restartMedian = median(times.restart);
    const list = (xs: number[]) => xs.map(round).join('/');
    return [
      {
        name: 'real cold start: spawn → first event answered (TLS, token, a rollout)',
        value: round(restartMedian),
        unit: 'ms',
        baseline: {
          name: 'bare express+cloudevents+ajv receiver, plain ESM bundle',
          value: round(median(times.plain)),
        },
        note:
          `median of ${SPAWNS} spawns each (restart ${list(times.restart)}; bare plain ${list(times.plain)}); ` +
          `${rolled}/${SPAWNS} first events rolled; goal ≤ 1.0x`,
      },
      {
        name: 'real cold start vs the code-cached receiver',
        value: round(restartMedian),
        unit: 'ms',
        baseline: { name: 'bare receiver, same bundling + code cache', value: round(median(times.cached)) },
        note: `bare cached ${list(times.cached)}; goal ≤ 1.3x`,
      },
      {
        name: `real: restart RSS after ${EVENTS_FOR_RSS} events`,
        value: round(rss.restart),
        unit: 'MiB',
        baseline: { name: 'bare receiver (code-cached) RSS after the same events', value: round(rss.bare) },
        note: 'each restart event a full reconcile against kube-apiserver (GET, LISTs); goal ≤ 1.2x',
      },
    ];
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

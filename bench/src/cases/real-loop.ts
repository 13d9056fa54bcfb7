// The whole loop on a real control plane (skipped, with one line, when KUBEBUILDER_ASSETS or
// REROLL_ADAPTER_BIN is unset): a ConfigMap merge-patched on kube-apiserver → the real Knative
// receive adapter (v1.12.6, its ServiceAccount's token) sees it through its watch and POSTs the
// CloudEvent → the restart bundle (reroll-restart's token, the Role from knative/, TLS) GETs the
// ConfigMap, LISTs the workloads and PATCHes the pod template → a watch sees the template change.
// Baseline in the same run, on the same apiserver and objects: the always-on watch controller
// (baselines/watch-controller.ts, seed 001's job) with its own token. Rounds alternate (function,
// controller, function, controller) so drift on a shared machine hits both. Also counted: the TCP
// (+TLS) connections the function opened in 100 warm events, through a pass-through in front of
// the apiserver, against the API requests it made in them (the apiserver's audit log).
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startAdapter, type RunningAdapter } from '@reroll/envtest';
import { startCountingProxy, type CountingProxy } from '@reroll/envtest/counting-proxy';
import type { BenchRow } from '../bench-row';
import { changeConfigMap, seedPairs, startRealCluster, waitFor, type RealCluster } from '../real-cluster';
import { RESTART_BUNDLE, spawnRestart, spawnWatchController, stopProcess } from '../restart-process';
import { watchTemplates, type TemplateWatch } from '../template-watch';

const CONFIGS = 100;
const ROUNDS = 2;
const SAMPLES_PER_ROUND = 100;
const WARM_UP = 20;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const round = (x: number) => Math.round(x * 100) / 100;

/** ConfigMap patched → its Deployment's template changed, `count` times one after the other (ms each). */
async function timeChanges(
  cluster: RealCluster,
  templates: TemplateWatch,
  label: string,
  count: number,
  offset: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let n = 0; n < count; n++) {
    const i = (offset + n) % CONFIGS;
    const landed = templates.nextChange(`app-${i}`);
    const started = performance.now();
    await changeConfigMap(cluster, `cm-${i}`, `${label}-${n}`);
    const at = await Promise.race([
      landed,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error(`${label}: app-${i} did not roll within 30 s`)), 30_000).unref(),
      ),
    ]);
    times.push(at - started);
  }
  return times;
}

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(RESTART_BUNDLE)) throw new Error(`${RESTART_BUNDLE} missing: run npm run build first`);
  const cluster = await startRealCluster('real-loop', process.env, { adapter: true });
  if (!cluster) return [];
  let templates: TemplateWatch | undefined;
  let proxy: CountingProxy | undefined;
  let restart: ChildProcess | undefined;
  let adapter: RunningAdapter | undefined;
  let controller: ChildProcess | undefined;
  try {
    const { cp, namespace } = cluster;
    await seedPairs(cluster, CONFIGS);
    templates = await watchTemplates(cp.kubeConfig, namespace);
    await waitFor('the watch to list every Deployment', () => templates!.size() === CONFIGS);

    proxy = await startCountingProxy(cp.server);
    const spawned = await spawnRestart(
      { kubeconfigPath: await cluster.kubeconfigFor('restart', proxy.url) },
      namespace,
    );
    restart = spawned.child;
    const sourceKubeconfig = await cluster.kubeconfigFor('source');
    const controllerKubeconfig = await cluster.kubeconfigFor('controller');
    const startSource = () =>
      startAdapter({
        controlPlane: cp,
        ...cluster.adapter!,
        kubeconfig: sourceKubeconfig,
        sink: spawned.url,
        name: 'bench-source',
        namespaces: [namespace],
        resources: [{ group: '', version: 'v1', resource: 'configmaps', selector: 'reroll.dev/watch=true' }],
        mode: 'Reference',
      });

    const viaFunction: number[] = [];
    const viaController: number[] = [];
    let connections = 0;
    let requests = 0;
    for (let r = 0; r < ROUNDS; r++) {
      adapter = await startSource();
      // first sight of each ConfigMap records/rolls; then the measured, warm changes
      await timeChanges(cluster, templates, `warm-${r}`, r === 0 ? CONFIGS : WARM_UP, 0);
      proxy.reset();
      const auditFrom = await cluster.auditCount();
      viaFunction.push(...(await timeChanges(cluster, templates, `function-${r}`, SAMPLES_PER_ROUND, r * 7)));
      connections += proxy.connections();
      requests += (await cluster.auditSince(auditFrom, 'restart')).length;
      await adapter.stop();
      adapter = undefined;

      controller = await spawnWatchController(controllerKubeconfig, namespace);
      await timeChanges(cluster, templates, `controller-warm-${r}`, WARM_UP, 0);
      viaController.push(...(await timeChanges(cluster, templates, `controller-${r}`, SAMPLES_PER_ROUND, r * 7)));
      await stopProcess(controller);
      controller = undefined;
    }
    const per100 = (x: number) => round((x * 100) / (ROUNDS * SAMPLES_PER_ROUND));
    const controllerName = 'always-on watch controller (seed 001 job, client-node watch, keep-alive), same apiserver';
    return [
      {
        name: 'real loop: ConfigMap patched → pod template patched, warm, p50',
        value: round(percentile(viaFunction, 50)),
        unit: 'ms',
        baseline: { name: controllerName, value: round(percentile(viaController, 50)) },
        note:
          `kube-apiserver over TLS, ServiceAccount tokens, RBAC; real adapter v${cluster.adapter!.version} → restart; ` +
          `${ROUNDS}x${SAMPLES_PER_ROUND} changes each, rounds alternating; goal ≤ 1.0x`,
      },
      {
        name: 'real loop: ConfigMap patched → pod template patched, warm, p99',
        value: round(percentile(viaFunction, 99)),
        unit: 'ms',
        baseline: { name: 'the watch controller, p99', value: round(percentile(viaController, 99)) },
      },
      {
        name: 'real loop: new TCP+TLS connections per 100 warm events',
        value: per100(connections),
        unit: 'conns',
        baseline: {
          name: 'API requests the function made in them (= connections without a keep-alive pool)',
          value: per100(requests),
        },
        note: 'counted by a TCP pass-through in front of kube-apiserver; requests from its audit log; goal ≤ 2',
      },
    ];
  } finally {
    templates?.stop();
    await adapter?.stop();
    if (controller) await stopProcess(controller);
    if (restart) await stopProcess(restart);
    await proxy?.stop();
    await cluster.stop();
  }
}

// Warm restart against the API emulator over HTTPS with a bearer token (so connection and
// authentication costs are in every figure), the production bundle in its own process:
//  - event → PATCH latency p50/p99: from sending one update event to the emulator's watch seeing the
//    Deployment's pod template change; baseline: the emulator's own GET round trip in the same run;
//  - ConfigMap written → pod template patched, p50, against the always-on watch controller
//    (baselines/watch-controller.ts, seed 001's job) on the same emulator in the same run;
//  - connections the function opened during 100 warm events (a counting TCP pass-through in front
//    of the emulator), against the API requests it made (what client-node 1.4 alone would open);
//  - throughput: 1,000 update events over 100 ConfigMaps (10 rounds, each ConfigMap really changed
//    once per round), sent one at a time as the ApiServerSource adapter sends them, with the exact
//    number of PATCHes the emulator received; then the same with 8 concurrent senders (a Broker).
import type { ChildProcess } from 'node:child_process';
import https from 'node:https';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RESOURCE_TABLE, renderKubeconfig, startEmulator, type Emulator, type KObject } from '@reroll/local/emulator';
import type { BenchRow } from '../bench-row';
import { sendUpdateEvent } from '../post-update-event';
import { startCountingProxy, type CountingProxy } from '@reroll/envtest/counting-proxy';
import { RESTART_BUNDLE, spawnRestart, spawnWatchController, stopProcess } from '../restart-process';

const NS = 'bench';
const CONFIGS = 100;
const LATENCY_SAMPLES = 300;
const THROUGHPUT_ROUNDS = 10;
const CONTROLLER_SAMPLES = 100;
const SENDERS = 8;
const DEPLOYMENTS = RESOURCE_TABLE.find((t) => t.group === 'apps' && t.kind === 'Deployment')!;
const CONFIGMAPS = RESOURCE_TABLE.find((t) => t.group === '' && t.kind === 'ConfigMap')!;

function seedCluster(emulator: Emulator): void {
  const objects: object[] = [];
  for (let i = 0; i < CONFIGS; i++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `cm-${i}`,
        namespace: NS,
        labels: { app: `app-${i}`, env: 'bench' },
        annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
      },
      data: { MESSAGE: 'v0' },
    });
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `app-${i}`,
        namespace: NS,
        labels: { app: `app-${i}`, env: 'bench' },
        annotations: { 'rolling.restart.controller/restartOnTrigger': 'true' },
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: `app-${i}` } },
        template: {
          metadata: { labels: { app: `app-${i}` } },
          spec: {
            containers: [{ name: 'a', image: 'reroll/hello:0.1.0', envFrom: [{ configMapRef: { name: `cm-${i}` } }] }],
          },
        },
      },
    });
  }
  emulator.seed(objects);
}

async function postEvent(url: string, object: unknown): Promise<number> {
  return (await sendUpdateEvent(url, object)).status;
}

function changeConfig(emulator: Emulator, i: number, value: string): KObject {
  return emulator.core.patch(CONFIGMAPS, NS, `cm-${i}`, 'merge', { data: { MESSAGE: value } }, false);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** 1,000 real changes over the 100 ConfigMaps, `senders` at a time (each ConfigMap once per round). */
async function sendRounds(emulator: Emulator, url: string, senders: number, label: string): Promise<number> {
  let events = 0;
  for (let r = 0; r < THROUGHPUT_ROUNDS; r++) {
    let next = 0;
    const worker = async () => {
      while (next < CONFIGS) {
        const i = next++;
        const status = await postEvent(url, changeConfig(emulator, i, `${label}-${r}`));
        if (status !== 200) throw new Error(`event answered ${status}`);
        events++;
      }
    };
    await Promise.all(Array.from({ length: senders }, worker));
  }
  return events;
}

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(RESTART_BUNDLE)) throw new Error(`${RESTART_BUNDLE} missing: run npm run build first`);
  const emulator = await startEmulator({ port: 0, authorization: 'rbac' }); // HTTPS + bearer tokens
  let child: ChildProcess | undefined;
  let controller: ChildProcess | undefined;
  let proxy: CountingProxy | undefined;
  let watch: { stop(): void } | undefined;
  try {
    seedCluster(emulator);
    // template changes seen by the emulator's own watch: the moment a PATCH that rolls has landed
    const landed = new Map<string, () => void>();
    const templates = new Map<string, string>();
    watch = emulator.core.watch(
      DEPLOYMENTS,
      NS,
      new URLSearchParams(),
      (e) => {
        const o = e.object as KObject;
        const template = JSON.stringify((o as { spec?: { template?: unknown } }).spec?.template);
        const name = o.metadata?.name ?? '';
        if (templates.get(name) !== undefined && templates.get(name) !== template) landed.get(name)?.();
        templates.set(name, template);
      },
      () => {},
    );
    const waitLanded = (i: number) =>
      new Promise<number>((resolve) => landed.set(`app-${i}`, () => resolve(performance.now())));

    // the restart process talks to the emulator through the counting pass-through
    proxy = await startCountingProxy(emulator.url);
    const kubeconfigPath = path.join(path.dirname(emulator.kubeconfigPath), 'kubeconfig-proxied');
    await writeFile(kubeconfigPath, renderKubeconfig({ server: proxy.url, token: emulator.adminToken, user: 'admin' }));
    const spawned = await spawnRestart({ kubeconfigPath }, NS);
    child = spawned.child;
    const url = spawned.url;
    // warm-up: the first sight records every hash; then a few real rollouts
    for (let i = 0; i < CONFIGS; i++) await postEvent(url, changeConfig(emulator, i, 'warm-0'));
    for (let i = 0; i < 20; i++) await postEvent(url, changeConfig(emulator, i, 'warm-1'));

    proxy.reset();
    emulator.clearRequests();
    const latencies: number[] = [];
    let connectionsPer100 = 0;
    let requestsPer100 = 0;
    for (let n = 0; n < LATENCY_SAMPLES; n++) {
      const i = n % CONFIGS;
      const object = changeConfig(emulator, i, `latency-${n}`);
      const seen = waitLanded(i);
      const started = performance.now();
      const status = await postEvent(url, object);
      if (status !== 200) throw new Error(`event answered ${status}`);
      latencies.push((await seen) - started);
      landed.delete(`app-${i}`);
      if (n === 99) {
        connectionsPer100 = proxy.connections();
        requestsPer100 = emulator.requests().length;
      }
    }

    const gets: number[] = [];
    const getsDispatcher = emulator.adminToken ? { authorization: `Bearer ${emulator.adminToken}` } : undefined;
    for (let n = 0; n < LATENCY_SAMPLES; n++) {
      const started = performance.now();
      // the emulator's certificate is self-signed: node's fetch cannot skip verification per call,
      // so the GET baseline uses the same keep-alive https path as the function (see getOverTls)
      await getOverTls(emulator.url, `/api/v1/namespaces/${NS}/configmaps/cm-${n % CONFIGS}`, getsDispatcher);
      gets.push(performance.now() - started);
    }

    emulator.clearRequests();
    let started = performance.now();
    const events = await sendRounds(emulator, url, 1, 'throughput');
    const seconds = (performance.now() - started) / 1000;
    const requests = emulator.requests();
    const patches = requests.filter((q) => q.verb === 'patch' && q.resource === 'deployments');

    emulator.clearRequests();
    proxy.reset();
    started = performance.now();
    const burstEvents = await sendRounds(emulator, url, SENDERS, 'burst');
    const burstSeconds = (performance.now() - started) / 1000;
    const burstRequests = emulator.requests();
    const burstPatches = burstRequests.filter((q) => q.verb === 'patch' && q.resource === 'deployments');
    const burstConnections = proxy.connections();
    await stopProcess(child);
    child = undefined;

    // the always-on baseline on the same emulator: ConfigMap written → pod template patched
    const restartWriteToPatch: number[] = [];
    {
      const again = await spawnRestart({ kubeconfigPath }, NS);
      child = again.child;
      for (let n = 0; n < CONTROLLER_SAMPLES; n++) {
        const i = n % CONFIGS;
        const seen = waitLanded(i);
        const started = performance.now();
        const object = changeConfig(emulator, i, `restart-write-${n}`);
        // as the adapter does: the watch event becomes one POST (here without the watch hop)
        const status = await postEvent(again.url, object);
        if (status !== 200) throw new Error(`event answered ${status}`);
        restartWriteToPatch.push((await seen) - started);
        landed.delete(`app-${i}`);
      }
      await stopProcess(child);
      child = undefined;
    }
    controller = await spawnWatchController(kubeconfigPath, NS);
    const controllerWriteToPatch: number[] = [];
    for (let n = 0; n < CONTROLLER_SAMPLES; n++) {
      const i = n % CONFIGS;
      const seen = waitLanded(i);
      const started = performance.now();
      changeConfig(emulator, i, `controller-${n}`);
      controllerWriteToPatch.push((await seen) - started);
      landed.delete(`app-${i}`);
    }

    return [
      {
        name: 'warm event → PATCH landed, p50',
        value: round(percentile(latencies, 50)),
        unit: 'ms',
        baseline: { name: 'emulator GET round trip p50 (same run)', value: round(percentile(gets, 50)) },
        note: `${LATENCY_SAMPLES} events, one rollout each, sent one at a time; HTTPS + bearer token`,
      },
      {
        name: 'warm event → PATCH landed, p99',
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        baseline: { name: 'emulator GET round trip p99 (same run)', value: round(percentile(gets, 99)) },
      },
      {
        name: 'ConfigMap written → pod template patched, p50',
        value: round(percentile(restartWriteToPatch, 50)),
        unit: 'ms',
        baseline: {
          name: 'always-on watch controller (seed 001 job, client-node, keep-alive)',
          value: round(percentile(controllerWriteToPatch, 50)),
        },
        note:
          `${CONTROLLER_SAMPLES} changes each, one at a time; restart gets the event POSTed at once (no watch ` +
          `hop), the controller through its watch; goal ≤ 1.0x (real adapter loop: real-control-plane case)`,
      },
      {
        name: 'connections opened per 100 warm events',
        value: connectionsPer100,
        unit: 'conns',
        baseline: {
          name: 'API requests in those events (= connections client-node 1.4 alone opens)',
          value: requestsPer100,
        },
        note: 'counted by a TCP pass-through in front of the emulator (HTTPS); goal ≤ 2',
      },
      {
        name: `throughput: ${events} update events over ${CONFIGS} ConfigMaps, one at a time`,
        value: Math.round(events / seconds),
        unit: 'events/s',
        baseline: {
          name: 'always-on controller, changes/s one at a time (1 / its write→patch p50)',
          value: Math.round(1000 / percentile(controllerWriteToPatch, 50)),
        },
        note:
          `as the adapter sends; exactly ${patches.length} PATCHes (${patches.filter((p) => p.status === 200).length} applied) for ` +
          `${events} real changes; ${requests.length} API requests in all (${(requests.length / events).toFixed(1)}/event); goal ≥ 300/s`,
      },
      {
        name: `throughput: the same with ${SENDERS} concurrent senders (a Broker fanning out)`,
        value: Math.round(burstEvents / burstSeconds),
        unit: 'events/s',
        baseline: { name: 'one sender at a time (above)', value: Math.round(events / seconds) },
        note:
          `exactly ${burstPatches.length} PATCHes (${burstPatches.filter((p) => p.status === 200).length} applied) for ${burstEvents} real changes; ` +
          `${(burstRequests.length / burstEvents).toFixed(1)} API requests/event (LISTs shared per namespace); ${burstConnections} new connections; goal ≥ 1000/s`,
      },
    ];
  } finally {
    watch?.stop();
    if (child) await stopProcess(child);
    if (controller) await stopProcess(controller);
    await proxy?.stop();
    await emulator.stop();
  }
}

/** One GET over a keep-alive https agent that skips verification (the emulator's self-signed cert). */
const tlsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
function getOverTls(base: string, pathname: string, headers?: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.get(new URL(pathname, base), { agent: tlsAgent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
  });
}

// Warm restart against the API emulator, the production bundle in its own process:
//  - event → PATCH latency p50/p99: from sending one update event to the emulator's watch seeing the
//    Deployment's pod template change; baseline: the emulator's own GET round trip in the same run;
//  - throughput: 1,000 update events over 100 ConfigMaps (10 rounds, each ConfigMap really changed
//    once per round), sent one at a time as the ApiServerSource adapter sends them, with the exact
//    number of PATCHes the emulator received.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { RESOURCE_TABLE, startEmulator, type Emulator, type KObject } from '@reroll/local/emulator';
import { formatApiServerEvent } from '@reroll/local/source';
import type { BenchRow } from '../bench-row';
import { RESTART_BUNDLE, spawnRestart, stopProcess } from '../restart-process';

const NS = 'bench';
const CONFIGS = 100;
const LATENCY_SAMPLES = 300;
const THROUGHPUT_ROUNDS = 10;
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
        labels: { app: `app-${i}` },
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
  const request = formatApiServerEvent({
    mode: 'Reference',
    eventType: 'MODIFIED',
    object,
    source: 'https://10.96.0.1:443',
  });
  const { 'content-length': _l, 'accept-encoding': _e, ...headers } = request.headers;
  const res = await fetch(`${url}/`, { method: 'POST', headers, body: request.body });
  await res.arrayBuffer();
  return res.status;
}

function changeConfig(emulator: Emulator, i: number, value: string): KObject {
  return emulator.core.patch(CONFIGMAPS, NS, `cm-${i}`, 'merge', { data: { MESSAGE: value } }, false);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(RESTART_BUNDLE)) throw new Error(`${RESTART_BUNDLE} missing: run npm run build first`);
  const emulator = await startEmulator({ port: 0 });
  let child: ChildProcess | undefined;
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
    const spawned = await spawnRestart(emulator, NS);
    child = spawned.child;
    const url = spawned.url;
    // warm-up: the first sight records every hash; then a few real rollouts
    for (let i = 0; i < CONFIGS; i++) await postEvent(url, changeConfig(emulator, i, 'warm-0'));
    for (let i = 0; i < 20; i++) await postEvent(url, changeConfig(emulator, i, 'warm-1'));

    const latencies: number[] = [];
    for (let n = 0; n < LATENCY_SAMPLES; n++) {
      const i = n % CONFIGS;
      const object = changeConfig(emulator, i, `latency-${n}`);
      const seen = new Promise<number>((resolve) => landed.set(`app-${i}`, () => resolve(performance.now())));
      const started = performance.now();
      const status = await postEvent(url, object);
      if (status !== 200) throw new Error(`event answered ${status}`);
      latencies.push((await seen) - started);
      landed.delete(`app-${i}`);
    }

    const gets: number[] = [];
    for (let n = 0; n < LATENCY_SAMPLES; n++) {
      const started = performance.now();
      const res = await fetch(`${emulator.url}/api/v1/namespaces/${NS}/configmaps/cm-${n % CONFIGS}`);
      await res.arrayBuffer();
      gets.push(performance.now() - started);
    }

    emulator.clearRequests();
    const started = performance.now();
    let events = 0;
    for (let r = 0; r < THROUGHPUT_ROUNDS; r++) {
      for (let i = 0; i < CONFIGS; i++) {
        const status = await postEvent(url, changeConfig(emulator, i, `throughput-${r}`));
        if (status !== 200) throw new Error(`event answered ${status}`);
        events++;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const requests = emulator.requests();
    const patches = requests.filter((q) => q.verb === 'patch' && q.resource === 'deployments');
    return [
      {
        name: 'warm event → PATCH landed, p50',
        value: round(percentile(latencies, 50)),
        unit: 'ms',
        baseline: { name: 'emulator GET round trip p50 (same run)', value: round(percentile(gets, 50)) },
        note: `${LATENCY_SAMPLES} events, one rollout each, sent one at a time`,
      },
      {
        name: 'warm event → PATCH landed, p99',
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        baseline: { name: 'emulator GET round trip p99 (same run)', value: round(percentile(gets, 99)) },
      },
      {
        name: `throughput: ${events} update events over ${CONFIGS} ConfigMaps`,
        value: Math.round(events / seconds),
        unit: 'events/s',
        note: `one at a time (as the adapter sends); exactly ${patches.length} PATCHes (${patches.filter((p) => p.status === 200).length} applied) for ${events} real changes; ${requests.length} API requests in all (${(requests.length / events).toFixed(1)}/event)`,
      },
    ];
  } finally {
    watch?.stop();
    if (child) await stopProcess(child);
    await emulator.stop();
  }
}

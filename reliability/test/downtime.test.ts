// Downtime: the function is scaled to zero (its server closed) while ConfigMaps change; the emulated
// ApiServerSource (from knative/30-apiserversource.yaml, the real adapter's delivery policy) tries,
// retries, and gives up: nothing is delivered and the adapter never re-sends. The function comes back
// and the PingSource's resync arrives → every workload whose used data changed rolls exactly once,
// the others don't; a second resync rolls nothing.
import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Emulator } from '@reroll/local/emulator';
import {
  createDelivery,
  createHttpSender,
  createKubeListWatch,
  parseApiServerSource,
  startApiServerSource,
  type Delivery,
  type RunningApiServerSource,
} from '@reroll/local/source';
import { configMapApi, readAnnotations, readConfigData, readWorkload, RolloutCounter } from './helpers/cluster-access';
import { createDeliverer } from './helpers/deliver-events';
import { API_SERVER_URL, resyncEvent } from './helpers/events';
import { liveHash } from './helpers/live-hash';
import { startCluster, startRestart, type RunningRestart } from './helpers/restart-under-test';
import { createRandom, readSeed } from './helpers/seeded-random';
import { planStormCluster, workloadKey, type StormCluster } from './helpers/storm-cluster';

const NS = 'reroll-demo';
const SEED = readSeed();
const random = createRandom(SEED);
const SOURCE_YAML = new URL('../../knative/30-apiserversource.yaml', import.meta.url);

let emulator: Emulator;
let restart: RunningRestart;
let cluster: StormCluster;
let counter: RolloutCounter;
let source: RunningApiServerSource;
let delivery: Delivery;
const dropped: Array<Record<string, unknown>> = [];
const delivered: Array<Record<string, unknown>> = [];

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  console.log(`downtime: seed ${SEED}`);
  emulator = await startCluster();
  cluster = planStormCluster(random, [NS], 10, 30);
  emulator.seed([...cluster.configMaps, ...cluster.workloads.map((w) => w.object)]);
  restart = await startRestart(emulator, { namespaces: [NS] });
  counter = new RolloutCounter(emulator);

  const manifest = parse(await readFile(SOURCE_YAML, 'utf8')) as { metadata: Record<string, unknown> };
  manifest.metadata.namespace = NS;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(emulator.kubeconfigPath);
  delivery = createDelivery({
    send: createHttpSender({ timeoutMs: 10_000 }),
    retryBaseMs: 10,
    log: (level, _message, fields) => (level === 'info' ? delivered : dropped).push(fields),
  });
  source = await startApiServerSource({
    source: parseApiServerSource(manifest),
    apiServerUrl: API_SERVER_URL,
    sinkUrl: `${restart.url}/`,
    listWatch: createKubeListWatch(kubeConfig),
    delivery,
  });
});

afterAll(async () => {
  source?.stop();
  counter?.stop();
  await restart?.stop();
  await emulator?.stop();
});

describe('downtime: changes made while the function is gone are rolled by the next resync, once', () => {
  const applied = new Map<string, string | undefined>();
  const deliverer = () => createDeliverer(`${restart.url}/`, 1);

  it('while up: the resync records, a change delivered by the source rolls its workloads', async () => {
    expect((await deliverer().deliver(0, resyncEvent())).last).toEqual({ status: 200 });
    for (const w of cluster.workloads)
      applied.set(workloadKey(w), readAnnotations(readWorkload(emulator, w.kind, w.namespace, w.name)).metadataHash);
    // the ConfigMap (not one changed later) whose key k0 the most workloads read
    const usersOf = (name: string) =>
      cluster.workloads.filter((w) =>
        w.uses.some((u) => u.name === name && (u.keys === null || u.keys.includes('k0'))),
      );
    const name = ['cm-0', 'cm-6', 'cm-7', 'cm-8', 'cm-9'].reduce((best, n) =>
      usersOf(n).length > usersOf(best).length ? n : best,
    );
    const users = usersOf(name);
    expect(users.length).toBeGreaterThan(0);
    const current = readConfigData(emulator, NS, name).k0;
    expect((await configMapApi.mergePatch(emulator, NS, name, { data: { k0: `${current}-changed` } })).status).toBe(
      200,
    );
    await waitFor(`the source to deliver the ${name} update`, () => delivered.length >= 1);
    await delivery.idle();
    for (const w of users) {
      expect(counter.count(workloadKey(w)), workloadKey(w)).toBe(1);
      applied.set(workloadKey(w), liveHash(emulator, w));
    }
    expect(counter.total()).toBe(users.length);
  });

  it('down: the source gives up on every event; nothing rolls', async () => {
    await restart.stop();
    const port = restart.fn.server.port;
    const rolloutsBefore = counter.total();
    const changes: Array<[string, Record<string, unknown>]> = [
      ['cm-1', { data: { k0: 'down-1', k1: 'down-1' } }],
      ['cm-2', { data: { k2: 'down-2' } }],
      ['cm-3', { data: { k3: 'down-3', k0: 'down-3' } }],
      ['cm-4', { metadata: { annotations: { 'reroll.test/touched': 'meta-only' } } }],
      ['cm-5', { data: readConfigData(emulator, NS, 'cm-5') }], // same value: no event at all
    ];
    for (const [name, patch] of changes)
      expect((await configMapApi.mergePatch(emulator, NS, name, patch)).status).toBe(200);
    await waitFor('the source to give up on 4 events', () => dropped.length >= 4);
    await delivery.idle();
    expect(dropped.map((d) => String(d.subject).split('/').pop()).sort()).toEqual(['cm-1', 'cm-2', 'cm-3', 'cm-4']);
    expect(
      dropped.every((d) => d.attempts === 6),
      'each event tried 1 + 5 retries',
    ).toBe(true);
    expect(counter.total()).toBe(rolloutsBefore);

    restart = await startRestart(emulator, { namespaces: [NS], config: { port } }); // back, same address
  });

  it('back: one resync rolls each changed workload exactly once; a second resync rolls nothing', async () => {
    const before = counter.snapshot();
    const changed = cluster.workloads.filter((w) => liveHash(emulator, w) !== applied.get(workloadKey(w)));
    console.log(
      `downtime: ${changed.length} of ${cluster.workloads.length} workloads use data that changed while the function was down`,
    );
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(cluster.workloads.length);

    expect((await deliverer().deliver(0, resyncEvent())).last).toEqual({ status: 200 });
    for (const w of cluster.workloads) {
      const key = workloadKey(w);
      const rolled = counter.count(key) - (before.get(key) ?? 0);
      expect(rolled, key).toBe(changed.includes(w) ? 1 : 0);
      const a = readAnnotations(readWorkload(emulator, w.kind, w.namespace, w.name));
      expect(a.metadataHash, key).toBe(liveHash(emulator, w));
    }

    const total = counter.total();
    expect((await deliverer().deliver(0, resyncEvent())).last).toEqual({ status: 200 });
    expect(counter.total()).toBe(total);
    expect(counter.incomplete).toEqual([]);
  });
});

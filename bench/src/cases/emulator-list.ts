// The API emulator at cluster size: 10,000 ConfigMaps + 5,000 Deployments across 50 namespaces,
// then a label-selected LIST in one namespace through client-node (p50 over repeats). Baseline:
// the same LIST against an emulator holding only that namespace's objects, so the ratio shows
// what the rest of the store costs (the namespace index should make it ~1x). Rounds alternate.
import * as k8s from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import type { BenchRow } from '../bench-row';

const NAMESPACES = 50;
const CONFIGMAPS = 10_000;
const DEPLOYMENTS = 5_000;
const TARGET = 'team-07';
const REPEATS = 150;

function objectsFor(ns: string, cms: number, deps: number): object[] {
  const out: object[] = [];
  for (let i = 0; i < cms; i++) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `config-${i}`,
        namespace: ns,
        labels: { app: i % 4 === 0 ? 'helloworld' : `app-${i % 17}`, env: i % 2 ? 'prod' : 'test' },
      },
      data: { MESSAGE: `hello ${i}`, 'settings.json': JSON.stringify({ replicas: i % 5, feature: `f${i}` }) },
    });
  }
  for (let i = 0; i < deps; i++) {
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `web-${i}`, namespace: ns, labels: { app: `web-${i % 13}` } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: `web-${i}` } },
        template: {
          metadata: { labels: { app: `web-${i}` } },
          spec: {
            containers: [
              {
                name: 'app',
                image: `ghcr.io/reroll/hello:1.${i % 9}.0`,
                envFrom: [{ configMapRef: { name: `config-${i}` } }],
              },
            ],
          },
        },
      },
    });
  }
  return out;
}

function clientFor(emu: Emulator): k8s.CoreV1Api {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(emu.kubeconfigPath);
  return kc.makeApiClient(k8s.CoreV1Api);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export async function run(): Promise<BenchRow[]> {
  const before = process.memoryUsage();
  const full = await startEmulator();
  const seedStart = performance.now();
  for (let n = 0; n < NAMESPACES; n++)
    full.seed(objectsFor(`team-${String(n).padStart(2, '0')}`, CONFIGMAPS / NAMESPACES, DEPLOYMENTS / NAMESPACES));
  const seedMs = performance.now() - seedStart;
  const after = process.memoryUsage();
  const only = await startEmulator();
  only.seed(objectsFor(TARGET, CONFIGMAPS / NAMESPACES, DEPLOYMENTS / NAMESPACES));
  try {
    const clients = { full: clientFor(full), only: clientFor(only) };
    const times: Record<'full' | 'only', number[]> = { full: [], only: [] };
    let items = 0;
    for (let i = 0; i < REPEATS + 10; i++) {
      for (const which of ['only', 'full'] as const) {
        const t0 = performance.now();
        const list = await clients[which].listNamespacedConfigMap({
          namespace: TARGET,
          labelSelector: 'app=helloworld,env in (test)',
        });
        const dt = performance.now() - t0;
        items = list.items.length;
        if (i >= 10) times[which].push(dt); // the first rounds warm up the JIT and sockets
      }
    }
    if (items === 0) throw new Error('the selected LIST returned nothing: the bench would measure an empty answer');
    return [
      {
        name: `label-selected LIST, 1 of ${NAMESPACES} namespaces (${items} items), store of ${CONFIGMAPS + DEPLOYMENTS} objects, p50`,
        value: Number(median(times.full).toFixed(2)),
        unit: 'ms',
        baseline: {
          name: 'same LIST, store holding only that namespace',
          value: Number(median(times.only).toFixed(2)),
        },
        note: `client-node CoreV1Api, ${REPEATS} alternating repeats`,
      },
      {
        name: `RSS with ${CONFIGMAPS} ConfigMaps + ${DEPLOYMENTS} Deployments seeded`,
        value: Math.round(after.rss / 2 ** 20),
        unit: 'MiB',
        baseline: { name: 'RSS before seeding', value: Math.round(before.rss / 2 ** 20) },
      },
      {
        name: 'JS heap taken by the seeded store',
        value: Math.round((after.heapUsed - before.heapUsed) / 2 ** 20),
        unit: 'MiB',
      },
      {
        name: `seed ${CONFIGMAPS + DEPLOYMENTS} objects (validation, defaults, status)`,
        value: Math.round(seedMs),
        unit: 'ms',
      },
    ];
  } finally {
    await full.stop();
    await only.stop();
  }
}

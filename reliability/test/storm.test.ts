// Storm: 100 ConfigMaps, 300 opted-in workloads (4 kinds; reference and label matching), 1,000
// random changes made through the API, their events delivered duplicated, reordered and concurrently
// while the emulator injects 500s, 409s and latency. Then a final resync.
//
// THE RULE this test asserts (rounds make it exact):
//   Changes are made in rounds; each ConfigMap changes at most once per round, and every event of a
//   round is answered before the next round starts (the next round's changes come after). So every
//   reconcile inside round r sees the state at the end of round r. For each workload w and round r,
//   let H = the hash of the data w uses at the end of r (computed here, independently), defined only
//   when every ConfigMap w uses exists (otherwise new pods could not start: the function skips), and
//   `applied` = H at w's last rollout (or at the initial resync, which only records).
//   - some event for a ConfigMap w uses got a 200 and H ≠ applied  → w rolls exactly once in r;
//   - no event for a ConfigMap w uses was answered 200 in r, but one was delivered (all its
//     deliveries ended in 503 after the adapter's retries), or a 200 carried a `failed` decision for
//     w → AMBIGUOUS: 0 or 1 rollout (a 503 may come after some patches landed); if it did not roll,
//     the change coalesces into w's next rollout or the final resync (the final resync is a round
//     that touches every workload);
//   - otherwise → 0 rollouts (metadata-only writes, same-value patches, deletes, re-creates with the
//     old data, data changes to keys w does not read never roll anything).
//   After the final resync every workload's recorded hash equals H of the live data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, KObject } from '@reroll/local/emulator';
import type { OutgoingRequest } from '@reroll/local/source';
import { configMapApi, readAnnotations, readConfigMap, readWorkload, RolloutCounter } from './helpers/cluster-access';
import { createDeliverer, type Deliverer } from './helpers/deliver-events';
import { apiServerEvent, decisionsOf, resyncEvent } from './helpers/events';
import { liveHash } from './helpers/live-hash';
import { startCluster, startRestart, type RunningRestart } from './helpers/restart-under-test';
import { createRandom, readSeed } from './helpers/seeded-random';
import {
  KEYS,
  makeConfigMap,
  planStormCluster,
  randomData,
  randomValue,
  workloadKey,
  type StormCluster,
} from './helpers/storm-cluster';

const SEED = readSeed();
const NAMESPACES = ['storm-a', 'storm-b', 'storm-c', 'storm-d'];
const CONFIGS_PER_NS = 25; // 100 ConfigMaps
const WORKLOADS_PER_NS = 75; // 300 workloads
const CHANGES = Number(process.env.REROLL_SOAK) === 1 ? 5_000 : 1_000;
const LANES = 6;

type ChangeKind = 'data' | 'metadata-only' | 'same-value' | 'delete' | 're-create';

const random = createRandom(SEED);
let emulator: Emulator;
let restart: RunningRestart;
let cluster: StormCluster;
let counter: RolloutCounter;
let deliverer: Deliverer;

beforeAll(async () => {
  console.log(`storm: seed ${SEED} (replay with REROLL_SEED=${SEED})`);
  emulator = await startCluster();
  cluster = planStormCluster(random, NAMESPACES, CONFIGS_PER_NS, WORKLOADS_PER_NS);
  emulator.seed([...cluster.configMaps, ...cluster.workloads.map((w) => w.object)]);
  restart = await startRestart(emulator, { namespaces: NAMESPACES });
  counter = new RolloutCounter(emulator);
  deliverer = createDeliverer(`${restart.url}/`, LANES);
});

afterAll(async () => {
  counter?.stop();
  await restart?.stop();
  await emulator?.stop();
});

function injectFaults(): void {
  // Only the function's verbs (the driver creates, patches and deletes ConfigMaps; it reads the store directly).
  const targets = [
    { verb: 'get' },
    { verb: 'list' },
    ...['deployments', 'statefulsets', 'daemonsets', 'services'].map((resource) => ({ verb: 'patch', resource })),
  ];
  for (const t of targets) {
    emulator.inject({ ...t, status: 500, probability: 0.05, times: Infinity });
    emulator.inject({ ...t, status: 409, probability: 0.02, times: Infinity });
    emulator.inject({ ...t, latencyMs: 40, probability: 0.03, times: Infinity });
    emulator.inject({ ...t, latencyMs: 8, probability: 0.15, times: Infinity });
    emulator.inject({ ...t, latencyMs: 1, probability: 0.3, times: Infinity });
  }
}

interface Made {
  kind: ChangeKind;
  event?: OutgoingRequest;
  namespace: string;
  name: string;
}

/** One change through the API; the watch event the real API server would emit for it (none when nothing changed). */
async function makeChange(namespace: string, index: number): Promise<Made> {
  const name = `cm-${index}`;
  const before = readConfigMap(emulator, namespace, name);
  const mode = random.chance(0.5) ? 'Resource' : 'Reference';
  const emitted = (kind: ChangeKind, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject | undefined): Made => {
    const changed = object && object.metadata.resourceVersion !== before?.metadata.resourceVersion;
    return {
      kind,
      namespace,
      name,
      ...(changed || type === 'DELETED' ? { event: apiServerEvent(mode, type, object ?? before!) } : {}),
    };
  };
  if (!before) {
    const data = random.chance(0.4) ? (lastData.get(`${namespace}/${name}`) ?? randomData(random)) : randomData(random);
    const res = await configMapApi.create(emulator, namespace, makeConfigMap(namespace, index, data));
    expect(res.status).toBe(201);
    return emitted('re-create', 'ADDED', res.object);
  }
  const data = (before as { data?: Record<string, string> }).data ?? {};
  const roll = random.next();
  if (roll < 0.45) {
    const key = random.pick(KEYS);
    let value = randomValue(random);
    while (value === data[key]) value = randomValue(random);
    const res = await configMapApi.mergePatch(emulator, namespace, name, { data: { [key]: value } });
    expect(res.status).toBe(200);
    return emitted('data', 'MODIFIED', res.object);
  }
  if (roll < 0.65) {
    const res = await configMapApi.mergePatch(emulator, namespace, name, {
      metadata: { annotations: { 'reroll.test/touched': String(random.int(0, 1e9)) } },
    });
    expect(res.status).toBe(200);
    return emitted('metadata-only', 'MODIFIED', res.object);
  }
  if (roll < 0.85) {
    const res = await configMapApi.mergePatch(emulator, namespace, name, { data });
    expect(res.status).toBe(200);
    return emitted('same-value', 'MODIFIED', res.object);
  }
  lastData.set(`${namespace}/${name}`, data);
  const res = await configMapApi.remove(emulator, namespace, name);
  expect(res.status).toBe(200);
  return emitted('delete', 'DELETED', undefined);
}

const lastData = new Map<string, Record<string, string>>();
const applied = new Map<string, string | undefined>();
const expectedRollouts = new Map<string, number>();
const stats = {
  changes: { data: 0, 'metadata-only': 0, 'same-value': 0, delete: 0, 're-create': 0 } as Record<ChangeKind, number>,
  restores: 0,
  rounds: 0,
  eventsEmitted: 0,
  deliveries: 0,
  dropped: 0,
  ambiguous: 0,
  ambiguousRolled: 0,
  failedDecisions: 0,
};
const violations: string[] = [];

/** Delivers a round's events (each 1–3×, shuffled, on LANES lanes at once) and checks the rule above. */
async function deliverRound(
  events: Array<{ namespace: string; name: string; request: OutgoingRequest }>,
  touchesAll = false,
): Promise<void> {
  const copies = events.flatMap((e) => Array.from({ length: touchesAll ? 1 : random.int(1, 3) }, () => e));
  random.shuffle(copies);
  const before = counter.snapshot();
  const outcomes = await Promise.all(
    copies.map(async (e, i) => ({ e, result: await deliverer.deliver(i, e.request) })),
  );
  stats.deliveries += copies.length;

  const answered200 = new Set<string>();
  const delivered = new Set<string>();
  const failed = new Set<string>();
  for (const { e, result } of outcomes) {
    const key = `${e.namespace}/${e.name}`;
    delivered.add(key);
    if (!result.delivered) stats.dropped++;
    if ('status' in result.last && result.last.status === 200) {
      answered200.add(key);
      for (const d of decisionsOf(result.body)) {
        if (d.action === 'failed') {
          failed.add(workloadKey(d));
          stats.failedDecisions++;
        }
      }
    }
  }
  const after = counter.snapshot();
  for (const w of cluster.workloads) {
    const key = workloadKey(w);
    const rolled = (after.get(key) ?? 0) - (before.get(key) ?? 0);
    const usesKeys = w.uses.map((u) => `${w.namespace}/${u.name}`);
    const touched200 = touchesAll ? answered200.size > 0 : usesKeys.some((k) => answered200.has(k));
    const touchedAny = touchesAll || usesKeys.some((k) => delivered.has(k));
    const h = liveHash(emulator, w);
    if ((touchedAny && !touched200) || failed.has(key)) {
      stats.ambiguous++;
      if (rolled > 1) violations.push(`round ${stats.rounds}: ${key} rolled ${rolled}× (ambiguous round allows ≤ 1)`);
      if (rolled === 1) {
        stats.ambiguousRolled++;
        applied.set(key, h);
        expectedRollouts.set(key, (expectedRollouts.get(key) ?? 0) + 1);
      }
      continue;
    }
    const must = touched200 && h !== undefined && h !== applied.get(key) ? 1 : 0;
    if (must === 1) {
      applied.set(key, h);
      expectedRollouts.set(key, (expectedRollouts.get(key) ?? 0) + 1);
    }
    if (rolled !== must)
      violations.push(
        `round ${stats.rounds}: ${key} rolled ${rolled}×, expected ${must} (${w.matchedBy}, uses ${w.uses.map((u) => `${u.name}${u.keys ? `[${u.keys.join(',')}]` : ''}`).join(' ')})`,
      );
  }
}

describe('storm: 1,000 changes, duplicated/reordered/concurrent events, injected 500/409/latency', () => {
  it("the first resync records every workload's hash and rolls nothing", async () => {
    const res = await deliverer.deliver(0, resyncEvent());
    expect(res.last).toEqual({ status: 200 });
    for (const w of cluster.workloads) {
      const a = readAnnotations(readWorkload(emulator, w.kind, w.namespace, w.name));
      expect(a.metadataHash, workloadKey(w)).toBe(liveHash(emulator, w));
      expect(a.templateHash).toBeUndefined();
      applied.set(workloadKey(w), a.metadataHash);
    }
    expect(counter.total()).toBe(0);
  });

  it('converges: one rollout per round whose used data really changed, hashes equal the live data', async () => {
    injectFaults();
    emulator.clearRequests();
    const answersBefore = deliverer.answers.length;
    let made = 0;
    while (made < CHANGES) {
      stats.rounds++;
      const size = Math.min(random.int(10, 40), CHANGES - made);
      const picked = random
        .shuffle(NAMESPACES.flatMap((ns) => Array.from({ length: CONFIGS_PER_NS }, (_, i) => [ns, i] as const)))
        .slice(0, size);
      const events: Array<{ namespace: string; name: string; request: OutgoingRequest }> = [];
      for (const [ns, i] of picked) {
        const change = await makeChange(ns, i);
        stats.changes[change.kind]++;
        if (change.event) events.push({ namespace: ns, name: change.name, request: change.event });
      }
      made += size;
      stats.eventsEmitted += events.length;
      await deliverRound(events);
    }

    // Restore what is deleted (re-creates: real changes too), then the final resync.
    stats.rounds++;
    const restores: Array<{ namespace: string; name: string; request: OutgoingRequest }> = [];
    for (const ns of NAMESPACES) {
      for (let i = 0; i < CONFIGS_PER_NS; i++) {
        if (readConfigMap(emulator, ns, `cm-${i}`)) continue;
        const change = await makeChange(ns, i);
        stats.restores++;
        if (change.event) restores.push({ namespace: ns, name: change.name, request: change.event });
      }
    }
    stats.eventsEmitted += restores.length;
    await deliverRound(restores);
    stats.rounds++;
    await deliverRound([{ namespace: '', name: 'resync', request: resyncEvent() }], true);
    const resyncAnswer = deliverer.answers.at(-1)!;

    const answers = deliverer.answers.slice(answersBefore);
    const byStatus: Record<string, number> = {};
    for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    const requests = emulator.requests();
    const patches = requests.filter((r) => r.verb === 'patch' && r.resource !== 'configmaps');
    const byFault: Record<string, number> = {};
    for (const r of requests)
      if (r.status >= 400) byFault[`${r.verb} ${r.status}`] = (byFault[`${r.verb} ${r.status}`] ?? 0) + 1;
    console.log(
      `storm: seed ${SEED}; ${stats.rounds} rounds; changes ${JSON.stringify(stats.changes)} + ${stats.restores} restoring re-creates`,
    );
    console.log(
      `storm: ${stats.eventsEmitted} events, ${stats.deliveries} deliveries (duplicates included), ${answers.length} answers ${JSON.stringify(byStatus)}, ${stats.dropped} dropped after retries`,
    );
    console.log(
      `storm: API ${requests.length} requests, faults/errors ${JSON.stringify(byFault)}; workload PATCHes ${patches.length} (${patches.filter((p) => p.status === 200).length} applied)`,
    );
    console.log(
      `storm: rollouts ${counter.total()} (expected ${[...expectedRollouts.values()].reduce((a, b) => a + b, 0)}), ambiguous workload-rounds ${stats.ambiguous} (rolled in ${stats.ambiguousRolled}), failed decisions ${stats.failedDecisions}, half-done ${counter.incomplete.length}`,
    );

    expect(resyncAnswer.status, 'the final resync must be answered 200').toBe(200);
    expect(
      Object.keys(byStatus).filter((s) => !['200', '400', '503'].includes(s)),
      'answers other than 200/400/503',
    ).toEqual([]);
    expect(violations.slice(0, 20), `rule violations (seed ${SEED})`).toEqual([]);
    expect(counter.incomplete, 'template changed without hash+timestamp').toEqual([]);
    for (const w of cluster.workloads) {
      const key = workloadKey(w);
      const a = readAnnotations(readWorkload(emulator, w.kind, w.namespace, w.name));
      expect(a.metadataHash, `${key}: recorded hash vs live data (seed ${SEED})`).toBe(liveHash(emulator, w));
      if (a.templateHash !== undefined) expect(a.templateHash, `${key}: pod template hash`).toBe(a.metadataHash);
      expect(counter.count(key), `${key}: rollouts (seed ${SEED})`).toBe(expectedRollouts.get(key) ?? 0);
    }
    expect(counter.total()).toBeGreaterThan(0);
  }, 300_000);
});

// Shutdown: the production bundle runs as a real process; the API is slow (latency injected on the
// workload PATCHes), several events are in flight when SIGTERM arrives → each gets its full answer,
// the process exits 0, and no workload is left half-patched (every patched pod template carries both
// the hash and the timestamp, and the workload's recorded hash agrees).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '@reroll/local/emulator';
import { configMapApi, readAnnotations, readConfigData, readConfigMap, readWorkload } from './helpers/cluster-access';
import { apiServerEvent, decisionsOf, resyncEvent } from './helpers/events';
import { expectedHash } from './helpers/expected-hash';
import { startCluster } from './helpers/restart-under-test';
import { makeConfigMap, makeWorkloadObject } from './helpers/storm-cluster';

const BUNDLE = fileURLToPath(new URL('../../functions/restart/dist/restart.mjs', import.meta.url));
const NS = 'demo';
const PAIRS = 6;

let emulator: Emulator;
let child: ChildProcess | undefined;
const output: string[] = [];

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out waiting for ${what}; process output:\n${output.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function post(
  url: string,
  request: { headers: Record<string, string>; body: string },
): Promise<{ status: number; body: string }> {
  const { 'content-length': _l, 'accept-encoding': _e, ...headers } = request.headers;
  const res = await fetch(url, { method: 'POST', headers, body: request.body });
  return { status: res.status, body: await res.text() };
}

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build -w functions/restart\` first`);
  emulator = await startCluster();
  const objects: object[] = [];
  for (let i = 0; i < PAIRS; i++) {
    objects.push(makeConfigMap(NS, i, { k0: 'before' }));
    objects.push(
      makeWorkloadObject(
        'Deployment',
        NS,
        `app-${i}`,
        { app: `app-${i}`, env: 'test' },
        { containers: [{ name: 'a', image: 'reroll/hello:0.1.0', envFrom: [{ configMapRef: { name: `cm-${i}` } }] }] },
      ),
    );
  }
  emulator.seed(objects);
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await emulator?.stop();
});

describe('SIGTERM with events in flight', () => {
  it('answers every in-flight event in full, exits 0, leaves no workload half-patched', async () => {
    child = spawn(process.execPath, [BUNDLE], {
      env: {
        PATH: process.env.PATH ?? '',
        KUBECONFIG: emulator.kubeconfigPath,
        REROLL_NAMESPACES: NS,
        PORT: '0',
        LOG_FORMAT: 'text',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const url = await waitFor('the listening line', () => /listening on (http:\/\/[\d.:]+)/.exec(output.join(''))?.[1]);

    // first sight: hashes recorded, nothing rolled
    const first = await post(`${url}/`, resyncEvent());
    expect(first.status).toBe(200);
    expect(decisionsOf(first.body).map((d) => d.action)).toEqual(Array(PAIRS).fill('recorded'));

    for (let i = 0; i < PAIRS; i++)
      expect((await configMapApi.mergePatch(emulator, NS, `cm-${i}`, { data: { k0: `after-${i}` } })).status).toBe(200);
    emulator.clearRequests();
    emulator.inject({ verb: 'patch', resource: 'deployments', latencyMs: 1200, times: PAIRS });
    const answers = Array.from({ length: PAIRS }, (_, i) =>
      post(
        `${url}/`,
        apiServerEvent(i % 2 ? 'Resource' : 'Reference', 'MODIFIED', readConfigMap(emulator, NS, `cm-${i}`)!),
      ),
    );

    // every event's PATCH has arrived and is held up by the injected latency (each took one use of the
    // fault). Counting LISTs instead would undercount: concurrent events in a namespace share their LISTs.
    await waitFor('every event to reach its PATCH', () => emulator.pendingFaults() === 0);
    expect(
      emulator.requests().filter((r) => r.verb === 'patch'),
      'no PATCH finished before SIGTERM',
    ).toEqual([]);
    child.kill('SIGTERM');

    const results = await Promise.all(answers);
    for (const [i, r] of results.entries()) {
      expect(r.status, `event ${i}: ${r.body}`).toBe(200);
      expect(decisionsOf(r.body)).toMatchObject([{ name: `app-${i}`, action: 'rolled' }]);
    }
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output.join('')).toMatch(/SIGTERM received/);

    for (let i = 0; i < PAIRS; i++) {
      const a = readAnnotations(readWorkload(emulator, 'Deployment', NS, `app-${i}`));
      const hash = expectedHash([{ kind: 'ConfigMap', name: `cm-${i}`, keys: null }], () => ({
        data: readConfigData(emulator, NS, `cm-${i}`),
      }));
      expect(a, `app-${i}`).toEqual({
        metadataHash: hash,
        templateHash: hash,
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
    }
    expect(emulator.requests().filter((r) => r.verb === 'patch' && r.status === 200)).toHaveLength(PAIRS);
  });
});

// Fuzzing the real restart server: generated requests, random and mutated from the recorded
// ApiServerSource traffic (helpers/fuzz-requests.ts) → no crash, no 5xx (the emulator stays healthy,
// so a 503 can't legitimately happen), every 4xx names what is wrong (non-empty `field` and `detail`).
//
// 100,000 requests over HTTP do not fit the per-file budget on a loaded 2-core machine, so:
//   - 100,000 go through readEvents, the framework-neutral intake the express adapter calls
//     (fuzz-intake.test.ts: same headers and body decoding as the adapter);
//   - 10,000 (100,000 with REROLL_SOAK=1) go over real HTTP (keep-alive) here, to the real restart
//     server against the emulator, body limit and reconcile included.
// Seeded: the seed is printed; fast-check prints seed and path of a failing case to replay it.
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '@reroll/local/emulator';
import { fuzzRequests, loadRecorded, type FuzzRequest } from './helpers/fuzz-requests';
import { startCluster, startRestart, type RunningRestart } from './helpers/restart-under-test';
import { readSeed } from './helpers/seeded-random';
import { makeWorkloadObject, TRIGGER } from './helpers/storm-cluster';

const SEED = readSeed();
const SOAK = process.env.REROLL_SOAK === '1';
const HTTP_RUNS = SOAK ? 100_000 : 10_000;

const recorded = loadRecorded();
const arbitrary = fuzzRequests(recorded);

function namesWhatIsWrong(error: unknown): boolean {
  const e = error as { field?: unknown; detail?: unknown } | null;
  return (
    typeof e?.field === 'string' && e.field.trim() !== '' && typeof e.detail === 'string' && e.detail.trim() !== ''
  );
}

describe('fuzz: the real restart server over HTTP', () => {
  let emulator: Emulator;
  let restart: RunningRestart;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  beforeAll(async () => {
    emulator = await startCluster();
    // the recordings' objects, so valid events really reconcile (GET, LISTs, maybe a PATCH)
    emulator.seed([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'helloworld-test',
          namespace: 'demo',
          labels: { app: 'helloworld', env: 'test' },
          annotations: { [TRIGGER]: 'true' },
        },
        data: { ENV_MESSAGE: 'hi' },
      },
      makeWorkloadObject(
        'Deployment',
        'demo',
        'helloworld-test',
        { app: 'helloworld', env: 'test' },
        {
          containers: [
            { name: 'hello', image: 'reroll/hello:0.1.0', envFrom: [{ configMapRef: { name: 'helloworld-test' } }] },
          ],
        },
      ),
    ]);
    restart = await startRestart(emulator, { namespaces: ['demo'], config: { logLevel: 'error' } });
  });

  afterAll(async () => {
    agent.destroy();
    await restart?.stop();
    await emulator?.stop();
  });

  function post(request: FuzzRequest): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${restart.url}/`,
        { method: 'POST', agent, headers: { ...request.headers, 'content-length': String(request.body.length) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
  }

  it(`${HTTP_RUNS} generated requests: no 5xx, every 4xx names what is wrong, the server stays up`, async () => {
    console.log(`fuzz (http): seed ${SEED}, ${HTTP_RUNS} runs`);
    const byStatus: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(arbitrary, async (request) => {
        const { status, body } = await post(request);
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (status >= 500) return false;
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(body) as Record<string, unknown>;
        } catch {
          return false; // every answer of POST / is JSON
        }
        if (status >= 400) return namesWhatIsWrong(json);
        return status === 200 && (Array.isArray(json.decisions) || Array.isArray(json.events));
      }),
      { seed: SEED, numRuns: HTTP_RUNS, endOnFailure: true },
    );
    console.log(`fuzz (http): answers ${JSON.stringify(byStatus)}`);
    expect(Object.keys(byStatus).some((s) => s.startsWith('4'))).toBe(true);
    expect(byStatus['200']).toBeGreaterThan(0);
    expect(restart.lines.filter((l) => /handler failed|reconcile failed|ERROR|FATAL/.test(l)).slice(0, 5)).toEqual([]);
    const health = await fetch(`${restart.url}/healthz`);
    expect(health.status).toBe(200);
  }, 300_000);
});

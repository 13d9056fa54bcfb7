// restart's cold start, as scale-from-zero pays it: spawn `node functions/restart/dist/restart.mjs`
// → the first CloudEvent answered (a real rollout against the API emulator: GET, LISTs, PATCH),
// against a bare express+cloudevents+ajv receiver (bench/src/baselines/bare-receiver.ts) in the
// same run, spawns alternating; median of SPAWNS each. The baseline gets the same treatment as the
// function (esbuild bundle, minified, the same V8 code-cache loader); a second row compares with it
// as a plain ESM bundle. Plus RSS after 1,000 events for both. Goal: restart ≤ 1.5× the receiver.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudEvent, HTTP } from 'cloudevents';
import { build, type BuildOptions } from 'esbuild';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { buildWithCodeCache } from '@reroll/restart/build';
import type { BenchRow } from '../bench-row';
import { readRssMiB } from '../post-update-event';

const RESTART_BUNDLE = fileURLToPath(new URL('../../../functions/restart/dist/restart.mjs', import.meta.url));
const BARE_SOURCE = fileURLToPath(new URL('../baselines/bare-receiver.ts', import.meta.url));
const SPAWNS = 7;
const EVENTS_FOR_RSS = 1000;
const NS = 'demo';
const CM = 'helloworld-test';

const event = () =>
  HTTP.binary(
    new CloudEvent({
      type: 'dev.knative.apiserver.ref.update',
      source: 'https://10.96.0.1:443',
      subject: `/apis/v1/namespaces/${NS}/configmaps/${CM}`,
      kind: 'ConfigMap',
      name: CM,
      namespace: NS,
      datacontenttype: 'application/json',
      data: { kind: 'ConfigMap', namespace: NS, name: CM, apiVersion: 'v1' },
    }),
  );

/** plain: one minified ESM bundle; cached: as the function ships (CommonJS bundle in the code-cache loader) */
export async function bundleBare(dir: string): Promise<{ plain: string; cached: string }> {
  const common: BuildOptions = {
    entryPoints: [BARE_SOURCE],
    bundle: true,
    platform: 'node',
    target: 'node20',
    minify: true,
    keepNames: true,
    logLevel: 'error',
  };
  const plain = join(dir, 'bare-receiver.mjs');
  await build({
    ...common,
    outfile: plain,
    format: 'esm',
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const cached = await buildWithCodeCache({ ...common, outfile: join(dir, 'bare-cached.cjs'), format: 'cjs' });
  return { plain, cached };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function post(port: number): Promise<number> {
  const msg = event();
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: msg.headers as Record<string, string>,
    body: msg.body as string,
  });
  await res.arrayBuffer();
  return res.status;
}

interface Spawned {
  child: ChildProcess;
  port: number;
}

function spawnServer(file: string, env: Record<string, string>, port: number): Spawned {
  const child = spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: 'ignore',
  });
  return { child, port };
}

/** spawn → the first event answered 200 (ms) */
async function timeFirstEvent(file: string, env: Record<string, string>): Promise<{ ms: number; spawned: Spawned }> {
  const port = await freePort();
  const started = performance.now();
  const spawned = spawnServer(file, env, port);
  const deadline = started + 30_000;
  for (;;) {
    try {
      const status = await post(port);
      if (status === 200) return { ms: performance.now() - started, spawned };
      throw new Error(`answered ${status}`);
    } catch (err) {
      if (performance.now() > deadline || spawned.child.exitCode !== null)
        throw new Error(`${file}: no answer (${(err as Error).message})`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

async function stopServer(s: Spawned): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (s.child.exitCode === null) s.child.kill('SIGKILL');
}

async function rssAfterEvents(s: Spawned): Promise<number> {
  for (let i = 0; i < EVENTS_FOR_RSS; i++) await post(s.port);
  return readRssMiB(s.child);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function patchConfigMap(emulator: Emulator, value: string): Promise<void> {
  await fetch(`${emulator.url}/api/v1/namespaces/${NS}/configmaps/${CM}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ data: { ENV_MESSAGE: value } }),
  });
}

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(RESTART_BUNDLE)) throw new Error(`${RESTART_BUNDLE} missing: run npm run build first`);
  const dir = await mkdtemp(join(tmpdir(), 'reroll-bench-'));
  const emulator = await startEmulator({ port: 0 });
  try {
    const bare = await bundleBare(dir);
    emulator.seed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: CM,
          namespace: NS,
          labels: { app: 'helloworld', env: 'test' },
          annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
        },
        data: { ENV_MESSAGE: 'Hello from test' },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: CM,
          namespace: NS,
          labels: { app: 'helloworld', env: 'test' },
          annotations: { 'rolling.restart.controller/restartOnTrigger': 'true' },
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'helloworld', env: 'test' } },
          template: {
            metadata: { labels: { app: 'helloworld', env: 'test' } },
            spec: {
              containers: [{ name: 'hello', image: 'reroll/hello:0.1.0', envFrom: [{ configMapRef: { name: CM } }] }],
            },
          },
        },
      },
    ]);
    const restartEnv = { KUBECONFIG: emulator.kubeconfigPath, REROLL_NAMESPACES: NS, LOG_FORMAT: 'json' };
    const bareTimes: number[] = [];
    const plainTimes: number[] = [];
    const restartTimes: number[] = [];
    let rolled = 0;
    for (let i = 0; i < SPAWNS; i++) {
      const b = await timeFirstEvent(bare.cached, {});
      bareTimes.push(b.ms);
      await stopServer(b.spawned);
      const p = await timeFirstEvent(bare.plain, {});
      plainTimes.push(p.ms);
      await stopServer(p.spawned);
      await patchConfigMap(emulator, `cold start ${i}`); // so every first event is a real rollout
      const before = emulator.requests().filter((r) => r.verb === 'patch').length;
      const r = await timeFirstEvent(RESTART_BUNDLE, restartEnv);
      restartTimes.push(r.ms);
      await stopServer(r.spawned);
      rolled += emulator.requests().filter((x) => x.verb === 'patch').length - before >= 1 ? 1 : 0;
    }

    const bareRss = spawnServer(bare.cached, {}, await freePort());
    await waitUp(bareRss);
    const bareMiB = await rssAfterEvents(bareRss);
    await stopServer(bareRss);
    const restartRss = spawnServer(RESTART_BUNDLE, restartEnv, await freePort());
    await waitUp(restartRss);
    const restartMiB = await rssAfterEvents(restartRss);
    await stopServer(restartRss);

    const bareMedian = median(bareTimes);
    const plainMedian = median(plainTimes);
    const restartMedian = median(restartTimes);
    return [
      {
        name: 'restart cold start: spawn → first event answered',
        value: round(restartMedian),
        unit: 'ms',
        baseline: {
          name: 'bare express+cloudevents+ajv receiver, same bundling + code cache',
          value: round(bareMedian),
        },
        note: `median of ${SPAWNS} spawns each (restart ${restartTimes.map(round).join('/')}; bare ${bareTimes.map(round).join('/')}); restart's first event is a full reconcile with a rollout (${rolled}/${SPAWNS} rolled); ratio ${(restartMedian / bareMedian).toFixed(2)}x, goal ≤ 1.5x`,
      },
      {
        name: 'restart cold start vs a plain bundle',
        value: round(restartMedian),
        unit: 'ms',
        baseline: { name: 'bare receiver as one minified ESM bundle, no code cache', value: round(plainMedian) },
        note: `bare plain ${plainTimes.map(round).join('/')}`,
      },
      {
        name: `restart RSS after ${EVENTS_FOR_RSS} events`,
        value: round(restartMiB),
        unit: 'MiB',
        baseline: { name: 'bare receiver RSS after the same events', value: round(bareMiB) },
      },
    ];
  } finally {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitUp(s: Spawned): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      if ((await post(s.port)) === 200) return;
    } catch {
      if (performance.now() > deadline) throw new Error('server did not come up');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

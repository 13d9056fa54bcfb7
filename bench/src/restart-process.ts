// The restart function's production bundle as its own process, as the bench cases measure it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '@reroll/local/emulator';

export const RESTART_BUNDLE = fileURLToPath(new URL('../../functions/restart/dist/restart.mjs', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The bundle with logs at warn (per-event info lines would cost the function, not what is measured); nodeArgs e.g. --cpu-prof. */
export async function spawnRestart(
  emulator: Emulator | { kubeconfigPath: string },
  namespace: string,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, RESTART_BUNDLE], {
    env: {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: emulator.kubeconfigPath,
      REROLL_NAMESPACES: namespace,
      PORT: String(port),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { child, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`restart did not start: ${err.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const WATCH_CONTROLLER = fileURLToPath(new URL('./baselines/watch-controller.ts', import.meta.url));

/** The always-on baseline controller (baselines/watch-controller.ts), running once it prints "watching". */
export async function spawnWatchController(kubeconfigPath: string, namespace: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WATCH_CONTROLLER], {
    env: { PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfigPath, NAMESPACE: namespace },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('watching')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`watch controller did not start: ${out.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

// One local "container": a node process started with a given env, its output prefixed, ready when
// its /readyz answers 200, stopped with SIGTERM (it drains) and SIGKILL after a grace period.
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { type LogLine, pipeLines } from './part-log';

export interface LocalProcessOptions {
  /** Script run with the current node binary. */
  script: string;
  args?: string[];
  env: Record<string, string>;
  port: number;
  cwd?: string;
  log: LogLine;
}

export interface LocalProcess {
  readonly pid: number | undefined;
  readonly port: number;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** Resolves when /readyz answers 200; rejects when the process exits first or time runs out. */
  waitReady(timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once exited. */
  stop(graceMs?: number): Promise<void>;
}

function probe(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Safety net: if the runner itself dies (an uncaught error, a closed terminal), its children must
// not live on holding ports; 'exit' handlers run synchronously, so a SIGKILL is all there is time for.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

export function startLocalProcess(opts: LocalProcessOptions): LocalProcess {
  // Only what a container would get, plus PATH/HOME so node itself runs normally.
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NODE_OPTIONS']) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  Object.assign(env, opts.env, { PORT: String(opts.port) });
  const child: ChildProcess = spawn(process.execPath, [opts.script, ...(opts.args ?? [])], {
    env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  pipeLines(child.stdout, opts.log);
  pipeLines(child.stderr, opts.log);
  let exitedFlag = false;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      opts.log(`could not start: ${err.message}`);
      exitedFlag = true;
      resolve('error');
    });
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve(signal ?? String(code));
    });
  });

  return {
    pid: child.pid,
    port: opts.port,
    exited,
    hasExited: () => exitedFlag,
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let delay = 25;
      while (Date.now() < deadline) {
        if (exitedFlag) throw new Error(`exited (${await exited}) before it was ready`);
        if (await probe(opts.port, '/readyz')) return;
        await Promise.race([sleep(delay), exited]);
        delay = Math.min(delay * 2, 250);
      }
      throw new Error(`/readyz did not answer 200 within ${Math.round(timeoutMs / 1000)} s`);
    },
    async stop(graceMs = 10_000) {
      if (exitedFlag) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exitedFlag) {
          opts.log(`did not stop within ${graceMs} ms of SIGTERM; killing it`);
          child.kill('SIGKILL');
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// A binary of the control plane (etcd, kube-apiserver, kube-controller-manager, the adapter) run as
// a child process: its output kept (the last lines go into error messages, so a failed start says
// why), stopped with SIGTERM then SIGKILL, and killed when this process exits whatever the reason,
// so no run leaves an apiserver behind holding ports and a temp dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** resolves with the exit code or signal once the process is gone */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** every line it wrote (stdout and stderr), oldest first */
  output(): string[];
  /** resolves when a line matches; rejects when the process exits first or time runs out */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killAllNow(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

// 'exit' handlers run synchronously: SIGKILL is all there is time for. On SIGINT/SIGTERM (Ctrl-C on
// a test run) Node would exit without running 'exit' handlers, so those are caught too.
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.kill(process.pid, signal);
    });
  }
}

const MAX_LINES = 5000;

export function startManagedProcess(
  name: string,
  bin: string,
  args: string[],
  env: Record<string, string>,
): ManagedProcess {
  installHooks();
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
    for (const w of waiters) {
      if (w.pattern.test(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
  let exitedFlag = false;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      exitedFlag = true;
      live.delete(child);
      lines.push(`could not start ${bin}: ${err.message}`);
      resolve('error');
    });
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      live.delete(child);
      resolve(signal ?? String(code));
    });
  });
  const tail = () => lines.slice(-15).join('\n');
  return {
    name,
    pid: child.pid,
    exited,
    hasExited: () => exitedFlag,
    output: () => [...lines],
    waitForLine(pattern, timeoutMs) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `${name}: no line matching ${pattern} within ${Math.round(timeoutMs / 1000)} s; last lines:\n${tail()}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then((how) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`${name} exited (${how}) before a line matched ${pattern}; last lines:\n${tail()}`));
        });
      });
    },
    async stop(graceMs = 10_000) {
      if (exitedFlag) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Only what a binary needs from this environment: PATH/HOME/TMPDIR, never the test run's secrets. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

export function describeExit(p: ManagedProcess): string {
  return `${p.name} output (last lines):\n${p.output().slice(-15).join('\n')}`;
}

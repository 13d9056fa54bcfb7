// The entry point as a process: start-up errors a user sees, and a clean SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hello-main-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function startMain(env: Record<string, string>): {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
} {
  const clean = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => text, exited };
}

async function waitFor(
  check: () => RegExpExecArray | null,
  what: string,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('hello start-up errors', () => {
  const cases: Array<{ name: string; env: Record<string, string>; expected: string[] }> = [
    {
      name: 'no message source at all',
      env: {},
      expected: ['no message source: set ENV_MESSAGE (the message) or MESSAGE_FILE (a file holding it)'],
    },
    {
      name: 'a message file that does not exist',
      env: { MESSAGE_FILE: '/nonexistent/message' },
      expected: ['MESSAGE_FILE: cannot read /nonexistent/message: no such file'],
    },
    {
      name: 'a message file that is a folder',
      env: { MESSAGE_FILE: '/tmp' },
      expected: ['MESSAGE_FILE: cannot read /tmp: is a directory'],
    },
    {
      name: 'several configuration problems, all listed',
      env: { ENV_MESSAGE: 'x', PORT: 'eighty', LOG_FORMAT: 'xml' },
      expected: ['PORT: "eighty" is not a port number', 'LOG_FORMAT: "xml" is not one of text|json'],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const run = startMain(c.env);
      expect(await run.exited).toBe(2);
      expect(run.out()).toContain('hello: cannot start:');
      for (const line of c.expected) expect(run.out()).toContain(line);
    });
  }
});

describe('hello as a process', () => {
  it('serves the message of a mounted file, then drains and exits 0 on SIGTERM', async () => {
    const file = join(dir, 'message');
    await writeFile(file, 'hello from the mounted ConfigMap\n');
    const run = startMain({ MESSAGE_FILE: file, PORT: '0', HOST: '127.0.0.1' });
    const [, address] = await waitFor(
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.out()),
      'the listening line',
    );
    expect(await (await fetch(`${address}/`)).text()).toBe('hello from the mounted ConfigMap');
    // Read once: changing the file does not change the answer (that is what restart is for).
    await writeFile(file, 'changed\n');
    expect(await (await fetch(`${address}/messageFromFile`)).text()).toBe('hello from the mounted ConfigMap');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.out()).toContain('stopped cleanly');
  });
});

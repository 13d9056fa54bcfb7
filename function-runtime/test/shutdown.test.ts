import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/slow-function.ts', import.meta.url));

describe('SIGTERM', () => {
  it('finishes the in-flight request, then exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const pending = fetch(`${url}/`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 200)); // let the request reach the handler
    child.kill('SIGTERM');
    const res = await pending;
    expect(await res.text()).toBe('done after drain');
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM received');
    expect(out).toContain('stopped cleanly');
  }, 30_000);
});

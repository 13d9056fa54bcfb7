// The record CLI as users run it: prints its URL, stores each request as a fixture-format line,
// answers 202, and flushes + exits 0 on SIGTERM/SIGINT.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnCli } from './run-cli';
import { readInputs } from '../src/input-files';
import { parseRecording } from '../src/recorded-input';
import { fixture } from './fixtures';

const recorded = readInputs([fixture('Resource/05-rapid-5-patches.jsonl')]);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  describe(`npm run record (stopped by ${signal})`, () => {
    it('captures requests byte for byte in the fixtures format', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'reroll-record-'));
      try {
        const child = spawnCli('record-cli.ts', ['--port', '0', '--out', 'events.jsonl'], { INIT_CWD: dir });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
        const deadline = Date.now() + 20_000;
        while (!/http:\/\/\S+/.test(stdout)) {
          if (Date.now() > deadline) throw new Error(`record printed no URL: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const url = /http:\/\/\S+/.exec(stdout)![0];
        expect(stdout).toContain(path.join(dir, 'events.jsonl'));

        const statuses: number[] = [];
        for (const m of recorded) {
          const { host: _h, 'content-length': _l, ...headers } = m.headers;
          const res = await fetch(url + 'some/path?x=1', { method: 'POST', headers, body: m.body });
          statuses.push(res.status);
        }
        child.kill(signal);
        expect(await exited).toBe(0);
        expect(statuses).toEqual([202, 202, 202, 202, 202]);

        const text = readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
        const lines = text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines).toHaveLength(5);
        for (const [i, line] of lines.entries()) {
          expect(Object.keys(line)).toEqual(['method', 'path', 'headers', 'body', 'received_at', 'response_status']);
          expect(line).toMatchObject({
            method: 'POST',
            path: '/some/path?x=1',
            body: recorded[i]!.body,
            response_status: 202,
          });
          expect((line.headers as Record<string, string>)['ce-id']).toBe(recorded[i]!.headers['ce-id']);
        }
        // What record writes, replay reads.
        expect(parseRecording(text, 'events.jsonl').map((m) => m.headers['ce-type'])).toEqual(
          recorded.map((m) => m.headers['ce-type']),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 30_000);
  });
}

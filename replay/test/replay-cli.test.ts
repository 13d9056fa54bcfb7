// The replay CLI end to end: the recorded fixtures against a restart-function TEST DOUBLE, and
// against servers answering 400/503, checking printed lines and exit codes.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { startRestartFunctionDouble, type DoubleServer } from './restart-function-double';
import { runCli } from './run-cli';
import { EVENTS_DIR, fixture } from './fixtures';

let server: DoubleServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const subject = '/apis/v1/namespaces/demo/configmaps/helloworld-test';

describe('npm run replay', () => {
  const okCases = [
    {
      name: 'binary: one line per event with its decisions, --expect met → exit 0',
      args: [
        fixture('Resource/01-create.jsonl'),
        fixture('Resource/02-patch-data.jsonl'),
        fixture('Resource/03-metadata-only.jsonl'),
        '--expect',
        'recorded=1,rolled=1',
        '--expect',
        'unchanged=1',
      ],
      lines: [
        `200 dev.knative.apiserver.resource.add ${subject} recorded=1`,
        `200 dev.knative.apiserver.resource.update ${subject} rolled=1`,
        `200 dev.knative.apiserver.resource.update ${subject} unchanged=1`,
      ],
    },
    {
      name: 'structured mode, repeated: the second pass changes nothing',
      args: [fixture('Resource/02-patch-data.jsonl'), '--mode', 'structured', '--repeat', '2', '--rate', '50'],
      lines: [
        `200 dev.knative.apiserver.resource.update ${subject} rolled=1`,
        `200 dev.knative.apiserver.resource.update ${subject} unchanged=1`,
      ],
    },
    {
      name: 'batch: all five rapid patches in one request, one line each',
      args: [fixture('Resource/05-rapid-5-patches.jsonl'), '--mode', 'batch', '--expect', 'rolled=5'],
      lines: Array.from({ length: 5 }, () => `200 dev.knative.apiserver.resource.update ${subject} rolled=1`),
    },
  ];
  for (const c of okCases) {
    it(
      c.name,
      async () => {
        server = await startRestartFunctionDouble();
        const r = await runCli('replay-cli.ts', [...c.args, '--to', server.url]);
        expect(r.stdout.trim().split('\n')).toEqual(c.lines);
        expect(r.code, r.stderr).toBe(0);
      },
      30_000,
    );
  }

  it('replays a whole directory of both modes (44 recorded requests)', async () => {
    server = await startRestartFunctionDouble();
    const r = await runCli('replay-cli.ts', [EVENTS_DIR, '--to', server.url, '--as-recorded']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(44);
    expect(r.stderr).toMatch(/44 request\(s\), 0 failed/);
    expect(server.received).toBe(44);
  }, 30_000);

  const failCases = [
    {
      name: '--expect not met',
      status: undefined,
      args: ['--expect', 'rolled=2'],
      line: `200 dev.knative.apiserver.resource.update ${subject} rolled=1`,
      stderr: /expected rolled=2, got rolled=1/,
    },
    {
      name: 'a 400 answer',
      status: 400,
      args: [],
      line: `400 dev.knative.apiserver.resource.update ${subject} error: invalid field=type unsupported event type`,
      stderr: /1 failed/,
    },
    {
      name: 'a 503 answer',
      status: 503,
      args: [],
      line: `503 dev.knative.apiserver.resource.update ${subject} error: kubernetes API unavailable`,
      stderr: /1 failed/,
    },
  ];
  for (const c of failCases) {
    it(`exits 1 on ${c.name}`, async () => {
      server = await startRestartFunctionDouble(c.status);
      const r = await runCli('replay-cli.ts', [fixture('Resource/02-patch-data.jsonl'), '--to', server.url, ...c.args]);
      expect(r.code).toBe(1);
      expect(r.stdout.trim()).toBe(c.line);
      expect(r.stderr).toMatch(c.stderr);
    }, 30_000);
  }

  it('exits 1 when nothing answers, 2 on bad input, with a clear message', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const refused = await runCli('replay-cli.ts', [
      fixture('Resource/02-patch-data.jsonl'),
      '--to',
      `http://127.0.0.1:${closedPort}/`,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^ERR dev.knative.apiserver.resource.update .* error: fetch failed/);
    const missing = await runCli('replay-cli.ts', ['no-such.jsonl', '--to', 'http://127.0.0.1:9/'], {
      INIT_CWD: '/tmp',
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('replay: /tmp/no-such.jsonl: no such file or directory');
  }, 30_000);
});

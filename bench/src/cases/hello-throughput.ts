// hello's hot path (GET /, the bundle that ships) against a bare node:http server answering the
// same bytes with the same headers, in the same run, each in its own process. Rounds alternate
// (bare, hello, bare, hello) so drift on a shared machine hits both alike. Goal: >= 0.8x.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchRow } from '../bench-row';

const HELLO_BUNDLE = fileURLToPath(new URL('../../../functions/hello/dist/hello.mjs', import.meta.url));
const MESSAGE = 'hello from test environment';
const CONNECTIONS = 50;
const SECONDS = 2;
const ROUNDS = 4;

// The baseline: what GET / costs with nothing around it. Same status, headers and body as hello.
const BARE_SERVER = `
const http = require('node:http');
const body = Buffer.from(process.env.ENV_MESSAGE, 'utf8');
const headers = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(body.length), 'vary', 'accept'];
const server = http.createServer((req, res) => { res.writeHead(200, headers); res.end(body); });
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
`;

interface Server {
  url: string;
  child: ChildProcess;
}

function startProcess(args: string[], env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 30 s: ${out}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1] as string, child });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)} before listening: ${out}`));
    });
  });
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

async function load(url: string, seconds: number) {
  const result = await autocannon({ url: `${url}/`, connections: CONNECTIONS, duration: seconds });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers under load`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(HELLO_BUNDLE))
    throw new Error(`${HELLO_BUNDLE} is missing: run \`npm run build -w functions/hello\` first`);
  // hello logs nothing per request, so info (which prints the listening line) costs nothing here.
  const env = { ENV_MESSAGE: MESSAGE, APP_ENV: 'bench', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  const bare = await startProcess(['-e', BARE_SERVER], env);
  const hello = await startProcess([HELLO_BUNDLE], env);
  try {
    const [a, b] = await Promise.all([fetch(`${bare.url}/`), fetch(`${hello.url}/`)]);
    const [bodyA, bodyB] = await Promise.all([a.text(), b.text()]);
    if (bodyA !== bodyB || a.headers.get('content-type') !== b.headers.get('content-type')) {
      throw new Error('hello and the bare server do not answer the same bytes');
    }
    await load(bare.url, 1); // warm-up (JIT, connection setup)
    await load(hello.url, 1);
    const bareRuns = [];
    const helloRuns = [];
    for (let i = 0; i < ROUNDS; i++) {
      bareRuns.push(await load(bare.url, SECONDS));
      helloRuns.push(await load(hello.url, SECONDS));
    }
    const note = `${CONNECTIONS} connections, ${ROUNDS}x${SECONDS} s alternating; goal >= 0.8x`;
    return [
      {
        name: 'hello GET / throughput',
        value: mean(helloRuns.map((r) => r.rps)),
        unit: 'req/s',
        baseline: { name: 'bare node:http, same bytes', value: mean(bareRuns.map((r) => r.rps)) },
        note,
      },
      {
        name: 'hello GET / p99 latency',
        value: mean(helloRuns.map((r) => r.p99)),
        unit: 'ms',
        baseline: { name: 'bare node:http, same bytes', value: mean(bareRuns.map((r) => r.p99)) },
        note: 'lower is better',
      },
    ];
  } finally {
    await Promise.all([stop(bare), stop(hello)]);
  }
}

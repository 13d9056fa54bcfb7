import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import { createLogger, createRegistry, startFunctionServer, type FunctionServer } from '../src/index';

const lines: string[] = [];
const logger = createLogger({
  name: 'test',
  format: 'json',
  level: 'info',
  destination: { write: (l: string) => lines.push(l) },
});
let server: FunctionServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(extra: Partial<Parameters<typeof startFunctionServer>[0]> = {}): Promise<FunctionServer> {
  server = await startFunctionServer({
    name: 'test',
    port: 0,
    host: '127.0.0.1',
    logger,
    registry: createRegistry(),
    ...extra,
  });
  return server;
}

describe('health, readiness and metrics routes', () => {
  const cases = [
    { name: 'liveness for Kubernetes', path: '/healthz', status: 200 },
    { name: 'liveness for OpenFaaS', path: '/_/health', status: 200 },
    { name: 'readiness for Kubernetes', path: '/readyz', status: 200 },
    { name: 'readiness for OpenFaaS', path: '/_/ready', status: 200 },
    { name: 'query strings do not matter', path: '/healthz?verbose=1', status: 200 },
    { name: 'unknown path without an app', path: '/nope', status: 404 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const s = await start();
      const res = await fetch(`${s.url}${c.path}`);
      expect(res.status).toBe(c.status);
    });
  }

  it('reports not ready while the function says so', async () => {
    let ready = false;
    const s = await start({ isReady: () => ready });
    expect((await fetch(`${s.url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${s.url}/_/ready`)).status).toBe(200);
  });

  it('serves process metrics in Prometheus text format', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});

describe('function handlers', () => {
  it('answers hot-path routes without the app and everything else through the app', async () => {
    const app = express();
    app.get('/slow-path', (_req, res) => void res.send('from express'));
    const s = await start({
      routes: { 'GET /': (_req, res) => void res.end('fast') },
      app,
    });
    expect(await (await fetch(`${s.url}/`)).text()).toBe('fast');
    expect(await (await fetch(`${s.url}/slow-path`)).text()).toBe('from express');
  });

  it('turns a throwing or rejecting handler into a 500 and keeps serving', async () => {
    const s = await start({
      routes: {
        'GET /throw': () => {
          throw new Error('boom');
        },
        'GET /reject': () => Promise.reject(new Error('async boom')),
      },
    });
    expect((await fetch(`${s.url}/throw`)).status).toBe(500);
    expect((await fetch(`${s.url}/reject`)).status).toBe(500);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect(lines.some((l) => l.includes('async boom'))).toBe(true);
  });
});

describe('drain on close', () => {
  it('lets an in-flight request finish, refuses new connections, then resolves', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const s = await start({
      routes: {
        'POST /': async (_req, res) => {
          await gate;
          res.end('finished');
        },
      },
    });
    const inFlight = fetch(`${s.url}/`, { method: 'POST' });
    await expect.poll(() => s.inFlight()).toBe(1);
    const closed = s.close();
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    release();
    const res = await inFlight;
    expect(await res.text()).toBe('finished');
    await closed;
    server = undefined;
  });
});

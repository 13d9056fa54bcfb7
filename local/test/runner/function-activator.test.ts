import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/runner/free-port';
import { type FunctionActivator, startFunctionActivator } from '../../src/runner/function-activator';
import { startLocalProcess } from '../../src/runner/local-process';
import { waitFor } from './http-get';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'ce-type': 'dev.knative.sources.ping' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('function activator (scale to zero)', () => {
  let activator: FunctionActivator | undefined;
  const logs: string[] = [];
  afterEach(async () => {
    await activator?.stop();
    activator = undefined;
    logs.length = 0;
  });

  const start = (script: string, idleMs: number) =>
    startFunctionActivator({
      port: 0,
      idleMs,
      findFreePort,
      log: (l) => logs.push(l),
      readyTimeoutMs: 20_000,
      startInstance: (port) =>
        startLocalProcess({ script, env: { ENV_MESSAGE: 'handled' }, port, log: (l) => logs.push(`child: ${l}`) }),
    });

  it('starts on the first event, reuses the instance, stops when idle and starts again', async () => {
    activator = await start(fixture('message-server.mjs'), 400);
    expect(activator.isRunning()).toBe(false);
    const [a, b] = await Promise.all([post(activator.url, '{}'), post(activator.url, '{}')]);
    expect([a, b]).toEqual([
      { status: 200, body: 'handled' },
      { status: 200, body: 'handled' },
    ]);
    expect(activator.coldStarts()).toBe(1);
    expect(logs.some((l) => /^cold start \d+ ms$/.test(l))).toBe(true);
    await waitFor('scale to zero', () => (activator?.isRunning() ? undefined : true));
    await waitFor('the stop to be logged', () => (logs.includes('stopped') ? true : undefined));
    expect(logs.some((l) => l.startsWith('scaling to zero (idle'))).toBe(true);
    expect(await post(activator.url, '{}')).toEqual({ status: 200, body: 'handled' });
    expect(activator.coldStarts()).toBe(2);
  }, 30_000);

  it('answers 503 with the reason when the function cannot start', async () => {
    activator = await start(fixture('exit-at-once.mjs'), 1000);
    const a = await post(activator.url, '{}');
    expect(a.status).toBe(503);
    expect(a.body).toMatch(/the function did not start: exited \(1\) before it was ready/);
    expect(logs.some((l) => l.includes('missing configuration'))).toBe(true);
    expect(activator.isRunning()).toBe(false);
  }, 30_000);
});

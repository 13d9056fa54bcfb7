import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createDelivery, type DeliveryResult } from '../../src/source/delivery';
import { createHttpSender } from '../../src/source/http-sender';
import { formatApiServerEvent } from '../../src/source/format-apiserver-event';
import { loadScenario } from './recordings';
import { startSink, type TestSink } from './sink-server';

const scenario11 = loadScenario('Resource', '11-sink-errors');
const recordedObjects = scenario11.map((r) => JSON.parse(r.body) as Record<string, unknown>);
const source = scenario11[0]!.headers['ce-source']!;
const eventFor = (i: number) =>
  formatApiServerEvent({ mode: 'Resource', eventType: 'MODIFIED', object: recordedObjects[i], source });

let sink: TestSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

const noSleep = async () => {};

describe('delivery like the real adapter (scenario 11)', () => {
  it('500 is sent once and dropped, 503 is tried 6 times with the same id/time/body, then the next event goes through', async () => {
    const answers = [500, 503, 503, 503, 503, 503, 503, 202];
    sink = await startSink((_req, i) => answers[i] ?? 202);
    const delays: number[] = [];
    const logs: string[] = [];
    const delivery = createDelivery({
      send: createHttpSender(),
      sleep: (ms) => {
        delays.push(ms);
        return new Promise((r) => setTimeout(r, ms));
      },
      log: (level, message) => logs.push(`${level} ${message}`),
    });
    const requests = [eventFor(0), eventFor(1), eventFor(7)];
    const results = await Promise.all(requests.map((r) => delivery.deliver(sink!.url, r)));

    expect(results.map((r: DeliveryResult) => [r.delivered, r.attempts])).toEqual([
      [false, 1],
      [false, 6],
      [true, 1],
    ]);
    expect(sink.requests.map((_, i) => answers[i])).toEqual(scenario11.map((r) => r.response_status));
    expect(delays).toEqual([100, 200, 400, 800, 1600]);

    const retried = sink.requests.slice(1, 7);
    for (const name of ['ce-id', 'ce-time']) expect(new Set(retried.map((r) => r.headers[name])).size, name).toBe(1);
    expect(new Set(retried.map((r) => r.body)).size).toBe(1);
    const traceIds = retried.map((r) => r.headers.traceparent!.split('-')[1]);
    const spanIds = retried.map((r) => r.headers.traceparent!.split('-')[2]);
    expect(new Set(traceIds).size).toBe(1);
    expect(new Set(spanIds).size).toBe(6);
    expect(logs.filter((l) => l.startsWith('error'))).toHaveLength(2);
    expect(logs[0]).toMatch(/failed to send cloudevent: 500/);
  }, 30_000);

  it('puts on the wire exactly the recorded header set, Go-cased, body byte-identical', async () => {
    sink = await startSink();
    const delivery = createDelivery({ send: createHttpSender() });
    const request = eventFor(7);
    await delivery.deliver(sink.url, request);
    const got = sink.requests[0]!;
    expect(Object.keys(got.headers).sort()).toEqual(Object.keys(scenario11[7]!.headers).sort());
    expect(got.headers['user-agent']).toBe('Go-http-client/1.1');
    expect(got.rawHeaderNames).toContain('Ce-Id');
    expect(got.rawHeaderNames).not.toContain('Connection');
    expect(got.body).toBe(scenario11[7]!.body);
  }, 30_000);

  const statusCases = [
    ...[404, 413, 425, 429, 502, 503, 504].map((status) => ({ status, attempts: 6 })),
    ...[400, 401, 403, 409, 500, 501].map((status) => ({ status, attempts: 1 })),
  ];
  for (const c of statusCases) {
    it(`status ${c.status} is tried ${c.attempts} time(s) in all`, async () => {
      sink = await startSink(() => c.status);
      const delivery = createDelivery({ send: createHttpSender(), sleep: noSleep });
      const result = await delivery.deliver(sink.url, eventFor(0));
      expect(result).toMatchObject({ delivered: false, attempts: c.attempts, last: { status: c.status } });
      expect(sink.requests).toHaveLength(c.attempts);
    }, 30_000);
  }

  it('a refused connection is retried 5 times, then dropped', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    let sends = 0;
    const http = createHttpSender();
    const delivery = createDelivery({ send: (url, r) => (sends++, http(url, r)), sleep: noSleep });
    const result = await delivery.deliver(`http://127.0.0.1:${closedPort}/`, eventFor(0));
    expect(result.delivered).toBe(false);
    expect(result.last).toHaveProperty('error');
    expect(sends).toBe(6);
  }, 30_000);

  it('a slow sink delays the next event: one event at a time, in order', async () => {
    let release: (() => void) | undefined;
    sink = await startSink((_req, i) => (i === 0 ? new Promise<number>((r) => (release = () => r(202))) : 202));
    const delivery = createDelivery({ send: createHttpSender() });
    const first = delivery.deliver(sink.url, eventFor(0));
    const second = delivery.deliver(sink.url, eventFor(7));
    while (!release) await new Promise((r) => setTimeout(r, 10));
    expect(sink.requests).toHaveLength(1);
    release();
    await Promise.all([first, second]);
    expect(sink.requests.map((r) => r.body)).toEqual([scenario11[0]!.body, scenario11[7]!.body]);
    expect(sink.requests[1]!.arrivedAt).toBeGreaterThanOrEqual(sink.answeredAt[0]!);
  }, 30_000);

  it('a bad sink URL is a dropped event with a clear reason, not a crash', async () => {
    const delivery = createDelivery({ send: createHttpSender(), sleep: noSleep });
    const result = await delivery.deliver('not a url', eventFor(0));
    expect(result.delivered).toBe(false);
    expect(result.last).toEqual({ error: 'sink URL is not a valid URL: "not a url"' });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { formatPingEvent } from '../../src/source/format-ping-event';
import { parsePingSource } from '../../src/source/ping-source-spec';
import { parseGoDuration, parseSchedule } from '../../src/source/ping-schedule';
import { startPingSource, type TimerPort } from '../../src/source/ping-source';
import { createDelivery } from '../../src/source/delivery';
import { createHttpSender } from '../../src/source/http-sender';
import { startSink, waitFor, type TestSink } from './sink-server';

const resync = {
  apiVersion: 'sources.knative.dev/v1',
  kind: 'PingSource',
  metadata: { name: 'reroll-resync', namespace: 'demo' },
  spec: {
    schedule: '*/10 * * * *',
    contentType: 'application/json',
    data: '{"reason": "resync", "a": {"z": 1, "b": [1, 2]}}',
    sink: { uri: 'http://sink.local/' },
  },
};
const withSpec = (spec: Record<string, unknown>) => parsePingSource({ ...resync, spec: { ...resync.spec, ...spec } });

describe('formatPingEvent (mt-ping adapter format)', () => {
  const cases = [
    {
      name: 'JSON data: top-level keys sorted, nested order kept, compacted',
      spec: {},
      body: '{"a":{"z":1,"b":[1,2]},"reason":"resync"}',
      contentType: 'application/json',
    },
    {
      name: 'text data goes out verbatim',
      spec: { contentType: 'text/plain', data: 'resync <now>' },
      body: 'resync <now>',
      contentType: 'text/plain',
    },
    {
      name: 'dataBase64 goes out as the spec text',
      spec: { data: undefined, contentType: 'application/octet-stream', dataBase64: 'AAEC' },
      body: 'AAEC',
      contentType: 'application/octet-stream',
    },
    {
      name: 'no data: empty body and no content-type',
      spec: { data: undefined, contentType: undefined },
      body: '',
      contentType: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = formatPingEvent(withSpec(c.spec), {
        clock: () => 1795422070870548500n,
        ids: { uuid: () => 'f0e1d2c3-b4a5-4697-8877-665544332211', randomHex: (n) => '0f'.repeat(n) },
      });
      expect(out.body).toBe(c.body);
      expect(out.headers).toEqual({
        'ce-id': 'f0e1d2c3-b4a5-4697-8877-665544332211',
        'ce-source': '/apis/v1/namespaces/demo/pingsources/reroll-resync',
        'ce-specversion': '1.0',
        'ce-time': '2026-11-23T08:21:10.8705485Z',
        'ce-type': 'dev.knative.sources.ping',
        ...(c.contentType ? { 'content-type': c.contentType } : {}),
        traceparent: `00-${'0f'.repeat(16)}-${'0f'.repeat(8)}-00`,
        'user-agent': 'Go-http-client/1.1',
        'accept-encoding': 'gzip',
        'content-length': String(Buffer.byteLength(c.body)),
      });
    });
  }

  const bad = [
    { name: 'invalid JSON data', spec: { data: '{nope' }, error: /spec.data is not valid JSON/ },
    { name: 'JSON data that is not an object', spec: { data: '[1]' }, error: /spec.data must be a JSON object/ },
    { name: 'data and dataBase64', spec: { dataBase64: 'AA==' }, error: /data or dataBase64, not both/ },
    { name: 'non-string schedule', spec: { schedule: 5 }, error: /spec.schedule must be a string/ },
  ];
  for (const c of bad) it(`rejects ${c.name}`, () => expect(() => withSpec(c.spec)).toThrow(c.error));
});

describe('ping schedule', () => {
  const from = new Date('2026-11-23T08:21:10.500Z');
  const cases = [
    { schedule: '*/10 * * * *', next: ['2026-11-23T08:30:00.000Z', '2026-11-23T08:40:00.000Z'] },
    { schedule: '* * * * *', next: ['2026-11-23T08:22:00.000Z', '2026-11-23T08:23:00.000Z'] },
    { schedule: '0,30 9 * * *', next: ['2026-11-23T09:00:00.000Z', '2026-11-23T09:30:00.000Z'] },
    { schedule: '@hourly', next: ['2026-11-23T09:00:00.000Z', '2026-11-23T10:00:00.000Z'] },
    { schedule: '@every 90s', next: ['2026-11-23T08:22:40.500Z', '2026-11-23T08:24:10.500Z'] },
  ];
  for (const c of cases) {
    it(`${c.schedule} fires at ${c.next.join(', ')}`, () => {
      const s = parseSchedule(c.schedule, 'UTC');
      const first = s.next(from);
      expect([first.toISOString(), s.next(first).toISOString()]).toEqual(c.next);
    });
  }
  const bad = [
    { schedule: '* * * *', error: /must have 5 fields/ },
    { schedule: '61 * * * *', error: /not a valid cron expression/ },
    { schedule: '@every soon', error: /not a duration/ },
  ];
  for (const c of bad) it(`rejects ${c.schedule}`, () => expect(() => parseSchedule(c.schedule)).toThrow(c.error));
  it('parses Go durations', () => expect(parseGoDuration('1h30m15s')).toBe(5_415_000));
});

let sink: TestSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

describe('startPingSource', () => {
  it('fires on each schedule tick and sendNow delivers at once, through real HTTP', async () => {
    sink = await startSink();
    let now = new Date('2026-11-23T08:21:10.000Z');
    const armed: number[] = [];
    const pending: (() => void)[] = [];
    const timers: TimerPort = {
      now: () => now,
      setTimer: (ms, fn) => {
        armed.push(ms);
        pending.push(() => {
          now = new Date(now.getTime() + ms);
          fn();
        });
        return () => {};
      },
    };
    const ping = startPingSource({
      source: withSpec({ sink: { uri: sink.url } }),
      delivery: createDelivery({ send: createHttpSender() }),
      timers,
    });
    expect(ping.nextFireAt()?.toISOString()).toBe('2026-11-23T08:30:00.000Z');
    expect(armed).toEqual([530_000]);
    pending.shift()!();
    pending.shift()!();
    expect(armed).toEqual([530_000, 600_000, 600_000]);
    await ping.sendNow();
    await waitFor(() => sink!.requests.length === 3, 'three pings');
    ping.stop();
    expect(ping.nextFireAt()).toBeUndefined();
    for (const r of sink.requests) {
      expect(r.headers['ce-type']).toBe('dev.knative.sources.ping');
      expect(r.headers['ce-source']).toBe('/apis/v1/namespaces/demo/pingsources/reroll-resync');
      expect(r.body).toBe('{"a":{"z":1,"b":[1,2]},"reason":"resync"}');
    }
    expect(new Set(sink.requests.map((r) => r.headers['ce-id'])).size).toBe(3);
  }, 30_000);

  it('refuses to start without a sink', () => {
    expect(() =>
      startPingSource({ source: withSpec({ sink: {} }), delivery: createDelivery({ send: createHttpSender() }) }),
    ).toThrow(/spec.sink.uri is not set/);
  });
});

// The shared express intake: the answers the Knative adapter acts on (200 / 400 / 503 + Retry-After /
// 404), and what the function is told about each rejection and failure (its metrics and log lines).
import { CloudEvent, HTTP } from 'cloudevents';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiUnavailableError, createCloudEventApp, readCloudEvents, type IntakeError } from '../src/index';

const seen: { rejected: Array<[IntakeError, string]>; unavailable: string[] } = { rejected: [], unavailable: [] };
let server: Server;
let url = '';

beforeAll(async () => {
  const app = createCloudEventApp<{ id: string; type: string; subject?: string }>({
    bodyLimit: '1kb',
    retryAfterSeconds: 7,
    acceptedTypes: ['demo.ok', 'demo.down', 'demo.bug'],
    read: (message) =>
      readCloudEvents(message, (e): { id: string; type: string; subject?: string } | IntakeError =>
        e.type.startsWith('demo.')
          ? { id: e.id, type: e.type, ...(e.subject ? { subject: e.subject } : {}) }
          : { error: 'unsupported', field: 'type', detail: `${e.type} is not ours` },
      ),
    handle: (event) => {
      if (event.type === 'demo.down') return Promise.reject(new ApiUnavailableError('get', 'services', 'etcd down'));
      if (event.type === 'demo.bug') return Promise.reject(new TypeError('oops'));
      return Promise.resolve({ decisions: [{ action: 'unchanged' }] });
    },
    onRejected: (error, type) => seen.rejected.push([error, type]),
    onUnavailable: (event, err) => seen.unavailable.push(`${event.id}: ${(err as Error).message}`),
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = async (headers: Record<string, string>, body: string, path = '/') => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: await res.json() };
};
const send = (type: string, id = 'e-1', subject?: string) => {
  const m = HTTP.binary(new CloudEvent({ id, type, source: 's', ...(subject ? { subject } : {}), data: { a: 1 } }));
  return post(m.headers as Record<string, string>, m.body as string);
};

describe('createCloudEventApp', () => {
  it('200: the event named, then what the handler answered', async () => {
    const res = await send('demo.ok', 'e-1', '/apis/v1/namespaces/demo/services/web');
    expect(res).toMatchObject({
      status: 200,
      json: {
        event: { id: 'e-1', type: 'demo.ok', subject: '/apis/v1/namespaces/demo/services/web' },
        decisions: [{ action: 'unchanged' }],
      },
    });
  });

  it('a batch answers {events:[…]}, one per event, in order', async () => {
    const body = JSON.stringify(['a', 'b'].map((id) => new CloudEvent({ id, type: 'demo.ok', source: 's' }).toJSON()));
    const res = await post({ 'content-type': 'application/cloudevents-batch+json' }, body);
    expect(res.status).toBe(200);
    expect((res.json as { events: Array<{ event: { id: string } }> }).events.map((e) => e.event.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it("400 with the reader's error; the rejection counted under 'unknown' for a type that is not accepted", async () => {
    seen.rejected.length = 0;
    const res = await send('other.type');
    expect(res).toMatchObject({ status: 400, json: { error: 'unsupported', field: 'type' } });
    expect(seen.rejected.map(([e, type]) => [e.field, type])).toEqual([['type', 'unknown']]);
  });

  it('400 naming the body when it is over the limit', async () => {
    seen.rejected.length = 0;
    const res = await post({ 'content-type': 'application/cloudevents+json' }, 'x'.repeat(2048));
    expect(res).toMatchObject({ status: 400, json: { error: 'invalid', field: 'body', detail: 'larger than 1kb' } });
    expect(seen.rejected.map(([, type]) => type)).toEqual(['unknown']);
  });

  it('503 with Retry-After when the API stayed unavailable, naming why; never 500', async () => {
    const res = await send('demo.down', 'e-2');
    expect(res).toMatchObject({
      status: 503,
      retryAfter: '7',
      json: { error: 'unavailable', detail: 'get services: API server unavailable (etcd down)', event: { id: 'e-2' } },
    });
    const bug = await send('demo.bug', 'e-3');
    expect(bug).toMatchObject({ status: 503, json: { detail: 'reconcile failed unexpectedly; retry later' } });
    expect(seen.unavailable).toEqual(['e-2: get services: API server unavailable (etcd down)', 'e-3: oops']);
  });

  it('404 for any other path', async () => {
    expect(await post({}, '', '/other')).toMatchObject({ status: 404, json: { field: 'path' } });
  });
});

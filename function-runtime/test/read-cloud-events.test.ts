// The shared SDK intake: every delivery mode the Knative adapter and PingSource use becomes events,
// and everything else one error naming the field (what a function answers 400 with).
import { CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { readCloudEvents, type EventCheck, type IncomingCloudEventMessage } from '../src/index';

const event = (extra: Record<string, unknown> = {}) =>
  new CloudEvent({
    id: 'e-1',
    type: 'dev.knative.apiserver.ref.update',
    source: 'https://10.96.0.1:443',
    subject: '/apis/v1/namespaces/demo/services/web',
    datacontenttype: 'application/json',
    data: { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'demo' },
    ...extra,
  });
const binary = (e = event()): IncomingCloudEventMessage => {
  const m = HTTP.binary(e);
  return { headers: m.headers, body: m.body as string };
};
const structured = (e = event()): IncomingCloudEventMessage => {
  const m = HTTP.structured(e);
  return { headers: m.headers, body: m.body as string };
};
const batch = (events: CloudEvent<unknown>[]): IncomingCloudEventMessage => ({
  headers: { 'content-type': 'application/cloudevents-batch+json' },
  body: JSON.stringify(events.map((e) => e.toJSON())),
});
/** a function's own check: keeps id and type, refuses one type */
const check: EventCheck<{ id: string; type: string }> = (e) =>
  e.type === 'refused.type' ? { error: 'unsupported', field: 'type', detail: 'not ours' } : { id: e.id, type: e.type };

describe('readCloudEvents', () => {
  const accepted: Array<[string, IncomingCloudEventMessage, string[]]> = [
    ['binary mode (what the ApiServerSource adapter sends)', binary(), ['e-1']],
    ['structured mode', structured(), ['e-1']],
    ['batch mode, in order', batch([event({ id: 'a' }), event({ id: 'b' })]), ['a', 'b']],
    [
      'header names in any case',
      {
        ...binary(),
        headers: Object.fromEntries(Object.entries(binary().headers).map(([k, v]) => [k.toUpperCase(), v])),
      },
      ['e-1'],
    ],
  ];
  for (const [name, message, ids] of accepted)
    it(`accepts ${name}`, () => {
      const result = readCloudEvents(message, check);
      expect(result.ok && result.events.map((e) => e.id)).toEqual(ids);
    });

  const rejected: Array<[string, IncomingCloudEventMessage, { error: string; field: string }]> = [
    [
      'binary mode with a body that is not JSON',
      { ...binary(), body: '{"kind":' },
      { error: 'invalid', field: 'data' },
    ],
    [
      'structured mode that is not JSON',
      { ...structured(), body: '{"specversion":' },
      { error: 'invalid', field: 'body' },
    ],
    [
      'no CloudEvent at all',
      { headers: { 'content-type': 'text/plain' }, body: 'hello' },
      { error: 'invalid', field: 'content-type' },
    ],
    [
      'binary mode without ce-id',
      {
        headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-type': 't', 'ce-source': 's' },
        body: '{}',
      },
      { error: 'invalid', field: 'id' },
    ],
    ['an empty batch', batch([]), { error: 'invalid', field: 'body' }],
    ["the function's own check", binary(event({ type: 'refused.type' })), { error: 'unsupported', field: 'type' }],
    [
      'one bad event in a batch, named by its index',
      batch([event({ id: 'a' }), event({ id: 'b', type: 'refused.type' })]),
      { error: 'unsupported', field: '[1].type' },
    ],
  ];
  for (const [name, message, expected] of rejected)
    it(`names what is wrong: ${name}`, () => {
      const result = readCloudEvents(message, check);
      expect(result.ok ? 'accepted' : result.error).toMatchObject(expected);
    });

  it('never quotes the body back (it may be a Secret)', () => {
    const result = readCloudEvents({ ...binary(), body: '{"data":{"password":"hunter2"' }, check);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

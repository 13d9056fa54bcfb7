import { describe, expect, it } from 'vitest';
import { HTTP } from 'cloudevents';
import { buildRecordedRequest, buildRequests, toCloudEvents } from '../src/build-requests';
import { planRequests } from '../src/run-replay';
import { readInputs } from '../src/input-files';
import { EVENTS_DIR } from './fixtures';

const messages = readInputs([EVENTS_DIR]);

describe('rebuilding recorded requests as CloudEvents', () => {
  for (const m of messages) {
    it(`${m.origin.replace(EVENTS_DIR + '/', '')}: binary and structured carry the same event`, () => {
      const [event] = toCloudEvents(m);
      expect(event!.type).toBe(m.headers['ce-type']);
      expect(event!.subject).toBe(m.headers['ce-subject']);
      expect(event!.kind).toBe(m.headers['ce-kind']);
      expect(event!.data).toEqual(JSON.parse(m.body));
      for (const mode of ['binary', 'structured'] as const) {
        const [request] = buildRequests([event!], mode);
        const back = HTTP.toEvent({ headers: request!.headers, body: request!.body }) as typeof event;
        expect(back!.id, mode).toBe(m.headers['ce-id']);
        expect(back!.data, mode).toEqual(JSON.parse(m.body));
        expect(back!.namespace, mode).toBe('demo');
      }
    });
  }

  it('batch mode is ONE request holding every event, readable by the SDK', () => {
    const events = messages.flatMap(toCloudEvents);
    const requests = buildRequests(events, 'batch');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['content-type']).toMatch(/^application\/cloudevents-batch\+json/);
    const back = HTTP.toEvent({ headers: requests[0]!.headers, body: requests[0]!.body });
    expect(Array.isArray(back) && back.map((e) => e.id)).toEqual(messages.map((m) => m.headers['ce-id']));
  });

  it('--as-recorded keeps the captured body and CloudEvent headers, drops the transport ones', () => {
    const request = buildRecordedRequest(messages[0]!);
    expect(request.body).toBe(messages[0]!.body);
    expect(request.headers['ce-id']).toBe(messages[0]!.headers['ce-id']);
    expect(request.headers).not.toHaveProperty('host');
    expect(request.headers).not.toHaveProperty('content-length');
  });

  it('--repeat multiplies the plan; --as-recorded with batch is refused', () => {
    expect(planRequests(messages.slice(0, 3), 'binary', false, 4)).toHaveLength(12);
    expect(() => planRequests(messages, 'batch', true, 1)).toThrow(/cannot be combined with --mode batch/);
  });

  it('a recording that is not a CloudEvent names its origin', () => {
    expect(() => toCloudEvents({ origin: 'x.jsonl:3', headers: { 'content-type': 'text/plain' }, body: 'hi' })).toThrow(
      /^x\.jsonl:3: not a CloudEvent/,
    );
  });
});

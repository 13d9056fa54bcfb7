// Pure: recorded messages → CloudEvents (through the SDK, as the function will read them) →
// the HTTP requests to send in the chosen mode.
import { HTTP, type CloudEventV1, type Message } from 'cloudevents';
import type { RecordedMessage } from './recorded-input';

export type ReplayMode = 'binary' | 'structured' | 'batch';
export const REPLAY_MODES: readonly ReplayMode[] = ['binary', 'structured', 'batch'];

export type ReplayRequest = {
  headers: Record<string, string>;
  body: string;
  /** The events this request carries (one, or all of them for a batch). */
  events: { type: string; subject: string | undefined; id: string }[];
};

/** HTTP.toEvent on the recorded headers and body; a recording that is not a CloudEvent is an error naming it. */
export function toCloudEvents(message: RecordedMessage): CloudEventV1<unknown>[] {
  let result: CloudEventV1<unknown> | CloudEventV1<unknown>[];
  try {
    result = HTTP.toEvent<unknown>({ headers: message.headers, body: message.body });
  } catch (err) {
    throw new Error(`${message.origin}: not a CloudEvent: ${(err as Error).message}`);
  }
  return Array.isArray(result) ? result : [result];
}

function describeEvent(event: CloudEventV1<unknown>) {
  return { type: event.type, subject: event.subject, id: event.id };
}

function stringHeaders(message: Message): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) if (v !== undefined) out[k] = String(v);
  return out;
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return body === undefined ? '' : JSON.stringify(body);
}

export function buildRequests(events: CloudEventV1<unknown>[], mode: ReplayMode): ReplayRequest[] {
  if (mode === 'batch') {
    if (events.length === 0) return [];
    // The SDK has no batch serializer: a batch is the JSON array of structured-mode events.
    const body = '[' + events.map((e) => HTTP.structured(e).body as string).join(',') + ']';
    return [
      {
        headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' },
        body,
        events: events.map(describeEvent),
      },
    ];
  }
  return events.map((event) => {
    const message = mode === 'binary' ? HTTP.binary(event) : HTTP.structured(event);
    return { headers: stringHeaders(message), body: bodyText(message.body), events: [describeEvent(event)] };
  });
}

/** --as-recorded: the captured request byte for byte, minus what the HTTP client must write itself. */
export function buildRecordedRequest(message: RecordedMessage): ReplayRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) {
    if (!['host', 'content-length', 'connection', 'transfer-encoding', 'accept-encoding'].includes(k)) headers[k] = v;
  }
  const events = toCloudEvents(message).map(describeEvent);
  return { headers, body: message.body, events };
}

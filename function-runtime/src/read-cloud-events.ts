// HTTP message → CloudEvents, the same way for every function: binary, structured and batch modes all
// go through the cloudevents SDK's HTTP.toEvent, then each event through the function's own check
// (its types, its data schemas). Whatever is wrong comes back as one IntakeError naming the field,
// which the function answers with a 400 (the adapter never retries a 400).
import { CloudEvent, HTTP, ValidationError } from 'cloudevents';

export interface IntakeError {
  error: 'invalid' | 'unsupported';
  field: string;
  detail: string;
}

export interface IncomingCloudEventMessage {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type IntakeResult<T> = { ok: true; events: T[] } | { ok: false; error: IntakeError };

/** One event's verdict: what the function keeps of it, or what is wrong with it. */
export type EventCheck<T> = (event: CloudEvent<unknown>) => T | IntakeError;

export function isIntakeError(value: unknown): value is IntakeError {
  return typeof value === 'object' && value !== null && 'error' in value && 'field' in value && 'detail' in value;
}

export function readCloudEvents<T>(message: IncomingCloudEventMessage, check: EventCheck<T>): IntakeResult<T> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers))
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;

  let parsed: CloudEvent<unknown> | CloudEvent<unknown>[];
  try {
    parsed = HTTP.toEvent({ headers, body: message.body }) as CloudEvent<unknown> | CloudEvent<unknown>[];
  } catch (err) {
    return { ok: false, error: describeParseError(err, headers) };
  }
  const batch = Array.isArray(parsed);
  const list: CloudEvent<unknown>[] = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0)
    return { ok: false, error: { error: 'invalid', field: 'body', detail: 'the batch holds no events' } };

  const events: T[] = [];
  for (const [i, event] of list.entries()) {
    const result = check(event);
    if (isIntakeError(result))
      return { ok: false, error: { ...result, field: (batch ? `[${i}].` : '') + result.field } };
    events.push(result);
  }
  return { ok: true, events };
}

/**
 * V8's JSON errors quote a slice of the input (`"…db-passwor"… is not valid JSON`), and a body may be a
 * Secret: keep only where the parse failed, never the text around it.
 */
function describeJsonError(err: SyntaxError): string {
  const position = /at position (\d+)/.exec(err.message)?.[1];
  return position === undefined ? 'not valid JSON' : `not valid JSON (error at byte ${position})`;
}

function describeParseError(err: unknown, headers: Record<string, string>): IntakeError {
  const structured = (headers['content-type'] ?? '').startsWith('application/cloudevents');
  if (err instanceof SyntaxError)
    return { error: 'invalid', field: structured ? 'body' : 'data', detail: describeJsonError(err) };
  if (err instanceof ValidationError && /no cloud event detected/.test(err.message)) {
    if (headers['ce-specversion'] && !headers['ce-id'])
      return { error: 'invalid', field: 'id', detail: 'ce-id header is missing' };
    return {
      error: 'invalid',
      field: 'content-type',
      detail:
        'not a CloudEvent: no ce-id/ce-specversion headers (binary mode) and content-type is not application/cloudevents+json or application/cloudevents-batch+json',
    };
  }
  if (err instanceof ValidationError) return { error: 'invalid', ...describeValidationError(err) };
  const message = err instanceof Error ? err.message : String(err);
  return { error: 'invalid', field: structured ? 'body' : 'data', detail: message };
}

/** The SDK's schema errors are ajv errors: the first one, as the attribute it is about. */
export function describeValidationError(err: unknown): { field: string; detail: string } {
  const errors = err instanceof ValidationError ? (err.errors as unknown[]) : [];
  const first = errors[0] as
    | {
        instancePath?: string;
        dataPath?: string;
        keyword?: string;
        params?: { missingProperty?: string };
        message?: string;
      }
    | undefined;
  if (first && typeof first === 'object') {
    const path = (first.instancePath ?? first.dataPath ?? '').replace(/^[/.]/, '');
    const field = first.params?.missingProperty ?? (path || 'event');
    return { field, detail: first.keyword === 'required' ? 'is required' : (first.message ?? 'is invalid') };
  }
  const message = err instanceof Error ? err.message : String(err);
  const attr = /attribute name: "([^"]+)"/.exec(message)?.[1] ?? /extension (?:name|value): (\S+)/.exec(message)?.[1];
  return { field: attr ?? 'event', detail: message.split('\n')[0] ?? message };
}

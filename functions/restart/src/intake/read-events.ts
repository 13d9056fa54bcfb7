// HTTP request → validated CloudEvents + targets, or one error that names the bad field. Binary,
// structured and batch modes all go through the SDK's HTTP.toEvent; each event is validate()d, its
// data checked against the schema of its type, and its identity cross-checked (parse-target).
import { CloudEvent, HTTP, ValidationError } from 'cloudevents';
import { parseTarget, ACCEPTED_TYPES, type Target } from '../core/parse-target';
import type { DataValidator } from './data-schemas';

export interface IntakeError {
  error: 'invalid' | 'unsupported';
  field: string;
  detail: string;
}

export interface AcceptedEvent {
  id: string;
  type: string;
  subject?: string;
  target: Target;
}

export type IntakeResult = { ok: true; events: AcceptedEvent[] } | { ok: false; error: IntakeError };

export interface IncomingMessage {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function readEvents(message: IncomingMessage, validateData: DataValidator): IntakeResult {
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
  if (list.length === 0) return fail('invalid', 'body', 'the batch holds no events');

  const events: AcceptedEvent[] = [];
  for (const [i, event] of list.entries()) {
    const prefix = batch ? `[${i}].` : '';
    const problem = checkEvent(event, validateData);
    if ('error' in problem) return { ok: false, error: { ...problem, field: prefix + problem.field } };
    events.push(problem);
  }
  return { ok: true, events };
}

function checkEvent(event: CloudEvent<unknown>, validateData: DataValidator): AcceptedEvent | IntakeError {
  if (event.specversion !== '1.0') {
    return {
      error: 'unsupported',
      field: 'specversion',
      detail: `${JSON.stringify(event.specversion)}: only CloudEvents 1.0 is accepted`,
    };
  }
  try {
    event.validate();
  } catch (err) {
    return { error: 'invalid', ...describeValidationError(err) };
  }
  if (!ACCEPTED_TYPES.includes(event.type)) {
    return {
      error: 'unsupported',
      field: 'type',
      detail: `${JSON.stringify(event.type)} is not one of ${ACCEPTED_TYPES.join(', ')}`,
    };
  }
  const dataError = validateData(event.type, event.data);
  if (dataError) return { error: 'invalid', ...dataError };
  const result = parseTarget(event);
  if (!result.ok) return result.error;
  return {
    id: event.id,
    type: event.type,
    ...(event.subject ? { subject: event.subject } : {}),
    target: result.target,
  };
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

// The SDK's schema errors are ajv errors: turn the first one into the attribute it is about.
function describeValidationError(err: unknown): { field: string; detail: string } {
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

function fail(error: IntakeError['error'], field: string, detail: string): IntakeResult {
  return { ok: false, error: { error, field, detail } };
}

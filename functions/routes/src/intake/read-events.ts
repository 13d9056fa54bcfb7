// HTTP request → validated CloudEvents naming a core/v1 Service (or a PingSource resync), or one
// error that names the bad field. Binary, structured and batch modes go through the SDK's
// HTTP.toEvent (function-runtime's readCloudEvents, as restart's intake); each event is validate()d
// and its data checked with ajv schemas compiled once.
import {
  readCloudEvents,
  type IncomingCloudEventMessage,
  type IntakeError,
  type IntakeResult as RuntimeIntakeResult,
} from '@reroll/function-runtime';
import { Ajv, type ErrorObject } from 'ajv';
import type { CloudEvent } from 'cloudevents';

export const PING_TYPE = 'dev.knative.sources.ping';
const SERVICE_TYPE = /^dev\.knative\.apiserver\.(ref|resource)\.(add|update|delete)$/;
export const ACCEPTED_TYPES = [
  ...['ref', 'resource'].flatMap((m) => ['add', 'update', 'delete'].map((a) => `dev.knative.apiserver.${m}.${a}`)),
  PING_TYPE,
];

export type Target =
  { type: 'resync' } | { type: 'service'; namespace: string; name: string; action: 'add' | 'update' | 'delete' };

export interface AcceptedEvent {
  id: string;
  type: string;
  subject?: string;
  target: Target;
}

export type { IntakeError } from '@reroll/function-runtime';
export type IntakeResult = RuntimeIntakeResult<AcceptedEvent>;
export type EventReader = (message: IncomingCloudEventMessage) => IntakeResult;

const name = { type: 'string', minLength: 1, maxLength: 253 };
/** dev.knative.apiserver.ref.*: an ObjectReference; resource.*: the whole object */
const REF_SCHEMA = {
  type: 'object',
  required: ['kind', 'name', 'namespace'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, name, namespace: name },
} as const;
const RESOURCE_SCHEMA = {
  type: 'object',
  required: ['kind', 'metadata'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object', required: ['name', 'namespace'], properties: { name, namespace: name } },
  },
} as const;

export function createEventReader(): EventReader {
  const ajv = new Ajv({ allErrors: false, strict: true });
  const ref = ajv.compile(REF_SCHEMA);
  const resource = ajv.compile(RESOURCE_SCHEMA);

  function check(event: CloudEvent<unknown>): AcceptedEvent | IntakeError {
    if (event.specversion !== '1.0')
      return { error: 'unsupported', field: 'specversion', detail: 'only CloudEvents 1.0 is accepted' };
    try {
      event.validate();
    } catch (err) {
      return { error: 'invalid', field: 'event', detail: firstLine(err) };
    }
    const base = { id: event.id, type: event.type, ...(event.subject ? { subject: event.subject } : {}) };
    if (event.type === PING_TYPE) return { ...base, target: { type: 'resync' } };
    const match = SERVICE_TYPE.exec(event.type);
    if (!match)
      return {
        error: 'unsupported',
        field: 'type',
        detail: `${JSON.stringify(event.type)} is not one of ${ACCEPTED_TYPES.join(', ')}`,
      };
    const [, mode, action] = match as unknown as [string, 'ref' | 'resource', 'add' | 'update' | 'delete'];
    const validate = mode === 'ref' ? ref : resource;
    if (!validate(event.data)) return { error: 'invalid', ...describe(validate.errors?.[0]) };
    const data = event.data as {
      apiVersion?: string;
      kind: string;
      name?: string;
      namespace?: string;
      metadata?: { name: string; namespace: string };
    };
    if (data.kind !== 'Service' || (data.apiVersion ?? 'v1') !== 'v1')
      return {
        error: 'unsupported',
        field: 'data.kind',
        detail: `${data.apiVersion ?? ''} ${data.kind}: routes reconciles core/v1 Services only`.trim(),
      };
    const target = {
      type: 'service' as const,
      namespace: (data.metadata?.namespace ?? data.namespace)!,
      name: (data.metadata?.name ?? data.name)!,
      action,
    };
    // the adapter's ce-namespace/ce-name extensions must agree with the data: a forged mix is refused
    for (const key of ['namespace', 'name'] as const) {
      const ext = (event as unknown as Record<string, unknown>)[key];
      if (typeof ext === 'string' && ext !== target[key])
        return { error: 'invalid', field: key, detail: `the ${key} extension disagrees with data` };
    }
    return { ...base, target };
  }

  return (message) => readCloudEvents(message, check);
}

function describe(error: ErrorObject | undefined): { field: string; detail: string } {
  if (!error) return { field: 'data', detail: 'does not match its schema' };
  const path = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required') path.push(String((error.params as { missingProperty: string }).missingProperty));
  return {
    field: ['data', ...path].join('.'),
    detail: error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid'),
  };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? message).slice(0, 200);
}

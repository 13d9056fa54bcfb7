// Pure: one watch event of an ApiServerSource → the HTTP request the real receive adapter
// (knative-v1.8.8, cloudevents sdk-go v2.12) sends for it. Every event is built by the cloudevents
// SDK; only what the Go transport adds on top (nanosecond ce-time, traceparent, user agent,
// accept-encoding, content-length) is set afterwards.
import { CloudEvent, HTTP } from 'cloudevents';
import { encodeGoJson, quoteGoString } from './go-json';
import { formatRfc3339Nano, formatTraceparent, randomIds, systemClock, type Clock, type IdGenerator } from './clock';
import { GO_TRANSPORT_HEADERS, type OutgoingRequest } from './outgoing-request';

export type SourceMode = 'Resource' | 'Reference';
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export type ApiServerEventInput = {
  mode: SourceMode;
  eventType: WatchEventType;
  /** The object as the watch delivered it (parsed JSON). */
  object: unknown;
  /** ce-source: the API server URL the adapter talks to (its rest.Config Host). */
  source: string;
};

export type FormatDeps = { clock?: Clock; ids?: IdGenerator };

const TYPE_SUFFIX: Record<WatchEventType, string> = { ADDED: 'add', MODIFIED: 'update', DELETED: 'delete' };

type ObjectIdentity = { apiVersion: string; kind: string; name: string; namespace: string };

function readIdentity(object: unknown): ObjectIdentity {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new Error('watch object must be a JSON object');
  }
  const o = object as Record<string, unknown>;
  const metadata = o.metadata as Record<string, unknown> | undefined;
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) throw new Error('watch object has no apiVersion');
  if (typeof o.kind !== 'string' || !o.kind) throw new Error('watch object has no kind');
  if (typeof metadata !== 'object' || metadata === null) throw new Error('watch object has no metadata');
  if (typeof metadata.name !== 'string' || !metadata.name) throw new Error('watch object has no metadata.name');
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  return { apiVersion: o.apiVersion, kind: o.kind, name: metadata.name, namespace };
}

/**
 * createSelfLink of events.go: a guessed plural (lower-cased kind + "s") under /apis even for the
 * core group, which is why subjects read /apis/v1/namespaces/demo/configmaps/<name>.
 */
export function formatSubject(id: ObjectIdentity): string {
  let version = id.apiVersion;
  if (version.includes('.') && !version.includes('/')) version += '/versionUnknown';
  return `/apis/${version}/namespaces/${id.namespace}/${id.kind.toLowerCase()}s/${id.name}`;
}

/** corev1.ObjectReference marshalled by Go: struct field order, empty fields omitted. */
export function formatObjectReference(id: ObjectIdentity): string {
  const fields: [string, string][] = [
    ['kind', id.kind],
    ['namespace', id.namespace],
    ['name', id.name],
    ['apiVersion', id.apiVersion],
  ];
  return (
    '{' +
    fields
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${quoteGoString(k)}:${quoteGoString(v)}`)
      .join(',') +
    '}'
  );
}

export function formatApiServerEvent(input: ApiServerEventInput, deps: FormatDeps = {}): OutgoingRequest {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  if (input.mode !== 'Resource' && input.mode !== 'Reference') {
    throw new Error(`mode must be Resource or Reference, got ${JSON.stringify(input.mode)}`);
  }
  const suffix = TYPE_SUFFIX[input.eventType];
  if (!suffix)
    throw new Error(`watch event type must be ADDED, MODIFIED or DELETED, got ${JSON.stringify(input.eventType)}`);
  const identity = readIdentity(input.object);
  const body = input.mode === 'Resource' ? encodeGoJson(input.object) : formatObjectReference(identity);
  const nowNs = clock();

  const event = new CloudEvent<string>({
    id: ids.uuid(),
    time: new Date(Number(nowNs / 1_000_000n)).toISOString(),
    type: `dev.knative.apiserver.${input.mode === 'Resource' ? 'resource' : 'ref'}.${suffix}`,
    source: input.source,
    subject: formatSubject(identity),
    datacontenttype: 'application/json',
    data: body,
    kind: identity.kind,
    name: identity.name,
    namespace: identity.namespace,
  });
  return toGoWireRequest(HTTP.binary(event), nowNs, ids);
}

/** Adds what sdk-go and net/http put on top of the binary-mode CloudEvent headers. */
export function toGoWireRequest(
  message: { headers: Record<string, string | string[] | undefined>; body: unknown },
  nowNs: bigint,
  ids: IdGenerator,
): OutgoingRequest {
  const body = Buffer.isBuffer(message.body)
    ? message.body.toString('utf8')
    : typeof message.body === 'string'
      ? message.body
      : message.body === undefined
        ? ''
        : JSON.stringify(message.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = String(value);
  }
  // The JS SDK writes ce-time with milliseconds; Go writes nanoseconds, trailing zeros trimmed.
  headers['ce-time'] = formatRfc3339Nano(nowNs);
  headers['traceparent'] = formatTraceparent(ids.randomHex(16), ids.randomHex(8));
  Object.assign(headers, GO_TRANSPORT_HEADERS);
  headers['content-length'] = String(Buffer.byteLength(body, 'utf8'));
  return { method: 'POST', headers, body };
}

// CloudEvent attributes → what to reconcile. The event is only a hint (the live object is read
// later), but a hint that contradicts itself is refused: every source of the object's identity
// (the kind/name/namespace extensions, the subject, the data) must agree, so a forged or garbled
// event can't steer the function at an object it does not name consistently.
import type { ConfigKind, ConfigRef, EventAction, KubeObject } from './types';
import { CONFIG_KINDS } from './types';

export const RESOURCE_TYPE_PREFIX = 'dev.knative.apiserver.resource.';
export const REF_TYPE_PREFIX = 'dev.knative.apiserver.ref.';
export const PING_TYPE = 'dev.knative.sources.ping';

export const ACCEPTED_TYPES: readonly string[] = [
  ...['add', 'update', 'delete'].map((a) => RESOURCE_TYPE_PREFIX + a),
  ...['add', 'update', 'delete'].map((a) => REF_TYPE_PREFIX + a),
  PING_TYPE,
];

export type Target =
  | { type: 'config'; action: EventAction; mode: 'resource' | 'ref'; ref: ConfigRef; object?: KubeObject }
  | { type: 'resync' };

export interface TargetError {
  error: 'invalid' | 'unsupported';
  field: string;
  detail: string;
}

export type ParseResult = { ok: true; target: Target } | { ok: false; error: TargetError };

/** Attributes of a CloudEvent as plain values (extensions are top-level attributes, as in the SDK). */
export type EventAttributes = Readonly<Record<string, unknown>>;

const PLURAL_TO_KIND: Record<string, string> = { configmaps: 'ConfigMap', secrets: 'Secret' };

// `/apis/v1/namespaces/<ns>/<plural>/<name>` as the adapter builds it (sic: /apis even for core),
// `/api/v1/...` and `/apis/<group>/<version>/...` tolerated.
const SUBJECT = /^\/apis?\/(?:[^/]+\/)?v1\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)$/;

interface Claim {
  field: string;
  value: string;
}

export function parseTarget(event: EventAttributes): ParseResult {
  const type = event.type;
  if (typeof type !== 'string' || !ACCEPTED_TYPES.includes(type)) {
    return fail('unsupported', 'type', `type ${JSON.stringify(type)} is not one of ${ACCEPTED_TYPES.join(', ')}`);
  }
  if (type === PING_TYPE) return { ok: true, target: { type: 'resync' } };

  const mode = type.startsWith(RESOURCE_TYPE_PREFIX) ? 'resource' : 'ref';
  const action = type.slice(type.lastIndexOf('.') + 1) as EventAction;

  const subject = event.subject;
  if (typeof subject !== 'string' || subject === '') {
    return fail(
      'invalid',
      'subject',
      'missing: an ApiServerSource event names its object in subject (/apis/v1/namespaces/<ns>/<plural>/<name>)',
    );
  }
  const parts = SUBJECT.exec(subject);
  if (!parts)
    return fail('invalid', 'subject', `${JSON.stringify(subject)} is not /apis/v1/namespaces/<ns>/<plural>/<name>`);
  const [, subjectNs, plural, subjectName] = parts as unknown as [string, string, string, string];

  const data = isRecord(event.data) ? event.data : {};
  const meta = mode === 'resource' && isRecord(data.metadata) ? data.metadata : data;
  const dataPrefix = mode === 'resource' ? 'data.metadata' : 'data';

  const kinds = claims([
    ['kind', event.kind],
    ['data.kind', data.kind],
    ['subject', PLURAL_TO_KIND[plural] ?? plural],
  ]);
  const names = claims([
    ['subject', subjectName],
    ['name', event.name],
    [`${dataPrefix}.name`, meta.name],
  ]);
  const namespaces = claims([
    ['subject', subjectNs],
    ['namespace', event.namespace],
    [`${dataPrefix}.namespace`, meta.namespace],
  ]);

  for (const claim of kinds) {
    if (!CONFIG_KINDS.includes(claim.value as ConfigKind)) {
      return fail(
        'unsupported',
        claim.field,
        `kind ${JSON.stringify(claim.value)} is not handled: only ConfigMap and Secret changes restart workloads`,
      );
    }
  }
  for (const group of [kinds, names, namespaces]) {
    const mismatch = findMismatch(group);
    if (mismatch) return { ok: false, error: mismatch };
  }

  const ref: ConfigRef = { kind: kinds[0]!.value as ConfigKind, namespace: subjectNs, name: subjectName };
  const target: Target = { type: 'config', action, mode, ref };
  if (mode === 'resource' && isRecord(event.data)) target.object = event.data;
  return { ok: true, target };
}

function claims(entries: Array<[string, unknown]>): Claim[] {
  return entries
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([field, v]) => ({ field, value: String(v) }));
}

function findMismatch(group: Claim[]): TargetError | undefined {
  const first = group[0];
  if (!first) return undefined;
  const other = group.find((c) => c.value !== first.value);
  if (!other) return undefined;
  return {
    error: 'invalid',
    field: other.field,
    detail: `${JSON.stringify(other.value)} contradicts ${first.field} ${JSON.stringify(first.value)}`,
  };
}

function fail(error: TargetError['error'], field: string, detail: string): ParseResult {
  return { ok: false, error: { error, field, detail } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

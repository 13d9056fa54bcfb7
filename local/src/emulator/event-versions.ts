// Events are one resource served in two API groups, as on a real apiserver: core `v1` and
// `events.k8s.io/v1` share storage (pkg/registry/core/event), and the events.k8s.io view renames
// fields (pkg/apis/events/v1/conversion.go). Stored objects are kept in the core v1 shape, so
// `kubectl describe` (which searches core v1 events by involvedObject) sees an event a controller
// wrote through EventsV1Api, and the other way round.
import type { FieldError } from './status-errors';
import { isPlainObject, type KObject } from './object-types';
import type { ResourceType } from './resource-table';

export const EVENTS_GROUP = 'events.k8s.io';

/** events.k8s.io/v1 field → core v1 field (the rest keep their names) */
const V1_TO_CORE: ReadonlyArray<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

export const isEventsV1 = (t: Pick<ResourceType, 'group' | 'resource'>) =>
  t.group === EVENTS_GROUP && t.resource === 'events';

function rename(obj: KObject, pairs: ReadonlyArray<[string, string]>, apiVersion: string): KObject {
  const out: KObject = { ...obj, apiVersion };
  for (const [from, to] of pairs) {
    if (!(from in out)) continue;
    const v = out[from];
    delete out[from];
    if (v !== undefined && v !== null && v !== '' && v !== 0) out[to] = v;
  }
  return out;
}

/** The stored (core v1) shape of an events.k8s.io/v1 Event. */
export function eventToCore(obj: KObject): KObject {
  return rename(obj, V1_TO_CORE, 'v1');
}

/** The events.k8s.io/v1 view of a stored core v1 Event. */
export function eventFromCore(obj: KObject): KObject {
  return rename(
    obj,
    V1_TO_CORE.map(([a, b]) => [b, a]),
    `${EVENTS_GROUP}/v1`,
  );
}

/** events.k8s.io/v1 field selector labels → the stored (core) field names (AddFieldLabelConversionsForEvent). */
const V1_FIELD_LABELS: Record<string, string> = {
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  reason: 'reason',
  type: 'type',
};

/** core v1 selectable fields of an Event (pkg/registry/core/event/strategy.go ToSelectableFields) */
const CORE_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

/** The extra field selector labels Events accept in this group, mapped to the stored field they select. */
export function eventFieldLabels(group: string): Record<string, string> {
  if (group === EVENTS_GROUP) return V1_FIELD_LABELS;
  return Object.fromEntries(CORE_FIELDS.map((f) => [f, f]));
}

/** A stored (core v1) Event's value for a selectable field. */
export function eventFieldValue(event: object, field: string): string {
  const obj = event as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (field.startsWith('involvedObject.')) {
    const ref = isPlainObject(obj.involvedObject) ? obj.involvedObject : {};
    return str(ref[field.slice('involvedObject.'.length)]);
  }
  if (field === 'source') return str(isPlainObject(obj.source) ? obj.source.component : undefined);
  return str(obj[field]);
}

const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * ValidateEventCreate for events.k8s.io/v1 (pkg/apis/core/validation/events.go): the fields a
 * controller using the new API must set. Written against the core shape (the names in the messages
 * are the events.k8s.io ones, as the apiserver reports them for that group).
 */
export function validateEventsV1(core: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const required = (field: string, v: unknown) => {
    if (typeof v !== 'string' || v === '') errs.push({ type: 'FieldValueRequired', field, detail: 'Required value' });
  };
  const maxLen = (field: string, v: unknown, n: number) => {
    if (typeof v === 'string' && v.length > n)
      errs.push({ type: 'FieldValueTooLong', field, detail: `Too long: may not be more than ${n} bytes` });
  };
  required('eventTime', core.eventTime);
  required('reportingController', core.reportingComponent);
  if (
    typeof core.reportingComponent === 'string' &&
    core.reportingComponent &&
    !QUALIFIED_NAME.test(core.reportingComponent)
  )
    errs.push({
      type: 'FieldValueInvalid',
      field: 'reportingController',
      detail: `Invalid value: "${core.reportingComponent}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
    });
  required('reportingInstance', core.reportingInstance);
  maxLen('reportingInstance', core.reportingInstance, 128);
  required('action', core.action);
  maxLen('action', core.action, 128);
  required('reason', core.reason);
  maxLen('reason', core.reason, 128);
  maxLen('note', core.message, 1024);
  if (core.type !== 'Normal' && core.type !== 'Warning')
    errs.push({
      type: 'FieldValueNotSupported',
      field: 'type',
      detail: `Unsupported value: ${JSON.stringify(core.type ?? '')}: supported values: "Normal", "Warning"`,
    });
  const ref = isPlainObject(core.involvedObject) ? core.involvedObject : {};
  if (typeof ref.namespace === 'string' && ref.namespace && ref.namespace !== core.metadata.namespace)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'regarding.namespace',
      detail: `Invalid value: "${ref.namespace}": does not match event.namespace`,
    });
  return errs;
}

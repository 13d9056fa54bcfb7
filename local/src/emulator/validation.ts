// Validation where the apiserver refuses, with its field paths and message texts.
import type { FieldError } from './status-errors';
import type { ResourceType } from './resource-table';
import { isPlainObject, type KObject } from './object-types';
import { checkMicroTimes, eventToCore, isEventsV1, validateEventsV1 } from './event-versions';

export const MAX_DATA_BYTES = 1024 * 1024; // api.MaxSecretSize, shared by ConfigMap and Secret

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric " +
  "character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an " +
  "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or " +
  "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path';

function nameRuleOf(t: ResourceType): NameRule {
  if (t.group === '' && t.resource === 'namespaces') return 'label';
  if (t.group === '' && t.resource === 'services') return 'dns1035';
  if (t.group === 'serving.knative.dev' && t.resource === 'services') return 'dns1035';
  if (t.group === 'rbac.authorization.k8s.io') return 'path';
  return 'subdomain';
}

const quote = (s: string) => JSON.stringify(s);

export function validateName(t: ResourceType, name: string, field = 'metadata.name'): FieldError[] {
  const rule = nameRuleOf(t);
  const errs: FieldError[] = [];
  const invalidValue = (msg: string) =>
    errs.push({ type: 'FieldValueInvalid', field, detail: `Invalid value: ${quote(name)}: ${msg}` });
  if (rule === 'path') {
    if (name === '.' || name === '..') invalidValue(`may not be '${name}'`);
    else if (/[/%]/.test(name)) invalidValue(`may not contain '${name.includes('/') ? '/' : '%'}'`);
    return errs;
  }
  const max = rule === 'subdomain' ? 253 : 63;
  if (name.length > max) invalidValue(`must be no more than ${max} characters`);
  const [re, msg] =
    rule === 'subdomain'
      ? [DNS1123_SUBDOMAIN, SUBDOMAIN_MSG]
      : rule === 'label'
        ? [DNS1123_LABEL, LABEL_MSG]
        : [DNS1035_LABEL, DNS1035_MSG];
  if (!re.test(name)) invalidValue(msg);
  return errs;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function validateQualifiedKey(key: string, field: string): FieldError[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  const prefix = parts.length === 2 ? parts[0]! : undefined;
  const ok =
    parts.length <= 2 &&
    name.length <= 63 &&
    QUALIFIED_NAME.test(name) &&
    (prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)));
  if (ok) return [];
  return [
    {
      type: 'FieldValueInvalid',
      field,
      detail:
        `Invalid value: ${quote(key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric ` +
        `character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    },
  ];
}

export function validateMetadata(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const { labels, annotations } = obj.metadata;
  if (labels !== undefined) {
    if (!isPlainObject(labels))
      errs.push({
        type: 'FieldValueInvalid',
        field: 'metadata.labels',
        detail: 'Invalid value: "labels": must be a map of strings',
      });
    else
      for (const [k, v] of Object.entries(labels)) {
        errs.push(...validateQualifiedKey(k, 'metadata.labels'));
        if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
          errs.push({
            type: 'FieldValueInvalid',
            field: 'metadata.labels',
            detail:
              `Invalid value: ${quote(String(v))}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end ` +
              `with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
          });
        }
      }
  }
  if (annotations !== undefined) {
    if (!isPlainObject(annotations))
      errs.push({
        type: 'FieldValueInvalid',
        field: 'metadata.annotations',
        detail: 'Invalid value: "annotations": must be a map of strings',
      });
    else {
      let total = 0;
      for (const [k, v] of Object.entries(annotations)) {
        errs.push(...validateQualifiedKey(k.toLowerCase(), 'metadata.annotations'));
        total += k.length + (typeof v === 'string' ? v.length : 0);
      }
      if (total > 256 * 1024)
        errs.push({
          type: 'FieldValueTooLong',
          field: 'metadata.annotations',
          detail: 'Too long: may not be more than 262144 bytes',
        });
    }
  }
  return errs;
}

function byteLength(v: unknown): number {
  return typeof v === 'string' ? Buffer.byteLength(v) : 0;
}

/** ConfigMap: keys are config keys, total data+binaryData at most 1 MiB (field path `[]`, as the apiserver prints it). */
export function validateConfigMap(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const field of ['data', 'binaryData'] as const) {
    const m = obj[field];
    if (m === undefined || m === null) continue;
    if (!isPlainObject(m)) {
      errs.push({ type: 'FieldValueInvalid', field, detail: `Invalid value: "${field}": must be a map of strings` });
      continue;
    }
    for (const [k, v] of Object.entries(m)) {
      if (!CONFIG_KEY.test(k) || k.length > 253)
        errs.push({
          type: 'FieldValueInvalid',
          field: `${field}[${k}]`,
          detail: `Invalid value: ${quote(k)}: ${CONFIG_KEY_MSG}`,
        });
      total += byteLength(v) * (field === 'binaryData' ? 0.75 : 1) + k.length;
    }
  }
  if (total > MAX_DATA_BYTES)
    errs.push({
      type: 'FieldValueTooLong',
      field: '[]',
      detail: `Too long: must have at most ${MAX_DATA_BYTES} bytes`,
    });
  return errs;
}

export function validateSecret(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = obj.data;
  if (data !== undefined && data !== null && !isPlainObject(data))
    return [{ type: 'FieldValueInvalid', field: 'data', detail: 'Invalid value: "data": must be a map of strings' }];
  let total = 0;
  for (const [k, v] of Object.entries((data as Record<string, unknown>) ?? {})) {
    if (!CONFIG_KEY.test(k))
      errs.push({
        type: 'FieldValueInvalid',
        field: `data[${k}]`,
        detail: `Invalid value: ${quote(k)}: ${CONFIG_KEY_MSG}`,
      });
    total += Math.floor((byteLength(v) * 3) / 4);
  }
  if (total > MAX_DATA_BYTES)
    errs.push({
      type: 'FieldValueTooLong',
      field: 'data',
      detail: `Too long: must have at most ${MAX_DATA_BYTES} bytes`,
    });
  return errs;
}

/** Kind-specific checks: only the ones a client would notice. */
export function validateKind(t: ResourceType, obj: KObject): FieldError[] {
  if (t.resource === 'events' && (t.group === '' || isEventsV1(t))) checkMicroTimes(t, obj);
  if (isEventsV1(t)) return validateEventsV1(eventToCore(obj));
  if (t.group === '' && t.resource === 'configmaps') return validateConfigMap(obj);
  if (t.group === '' && t.resource === 'secrets') return validateSecret(obj);
  if (t.group === 'apps' && t.resource === 'deployments') {
    const spec = obj.spec;
    if (!isPlainObject(spec))
      return [{ type: 'FieldValueRequired', field: 'spec.template.spec.containers', detail: 'Required value' }];
    const errs: FieldError[] = [];
    const tmpl = isPlainObject(spec.template) ? spec.template : {};
    const podSpec = isPlainObject(tmpl.spec) ? tmpl.spec : {};
    if (!Array.isArray(podSpec.containers) || podSpec.containers.length === 0)
      errs.push({ type: 'FieldValueRequired', field: 'spec.template.spec.containers', detail: 'Required value' });
    if (!isPlainObject(spec.selector))
      errs.push({ type: 'FieldValueRequired', field: 'spec.selector', detail: 'Required value' });
    else {
      const want = isPlainObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
      const have = isPlainObject(tmpl.metadata) && isPlainObject(tmpl.metadata.labels) ? tmpl.metadata.labels : {};
      if (Object.entries(want).some(([k, v]) => have[k] !== v)) {
        const goMap = `map[string]string{${Object.entries(have)
          .map(([k, v]) => `${quote(k)}:${quote(String(v))}`)
          .join(', ')}}`;
        errs.push({
          type: 'FieldValueInvalid',
          field: 'spec.template.metadata.labels',
          detail: `Invalid value: ${goMap}: \`selector\` does not match template \`labels\``,
        });
      }
    }
    if (spec.replicas !== undefined && (typeof spec.replicas !== 'number' || spec.replicas < 0))
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.replicas',
        detail: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
      });
    return errs;
  }
  return [];
}

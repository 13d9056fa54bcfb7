// labelSelector / fieldSelector parsing and matching, with the apiserver's grammar and error texts.
import { badRequest } from './status-errors';
import { eventFieldLabels, eventFieldValue } from './event-versions';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: '=' | '!='; values: [string] }
  | { key: string; op: 'exists' | '!' };

export type LabelSelector = Requirement[];

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Split on commas that are not inside a `(...)` value set. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key) || key.length > 317)
    throw badRequest(`unable to parse requirement: ${whole}: invalid label key "${key}"`);
  return key;
}
function checkValue(v: string, whole: string): string {
  if (!VALUE.test(v) || v.length > 63)
    throw badRequest(
      `unable to parse requirement: values[0][${whole}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  return v;
}

export function parseLabelSelector(raw: string | undefined): LabelSelector {
  if (!raw || !raw.trim()) return [];
  const reqs: LabelSelector = [];
  for (const partRaw of splitTopLevel(raw)) {
    const part = partRaw.trim();
    if (!part) throw badRequest(`unable to parse requirement: found '', expected: identifier`);
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), part));
      reqs.push({ key: checkKey(m[1]!, part), op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      const op = m[2] === '!=' ? '!=' : '=';
      reqs.push({ key: checkKey(m[1]!, part), op, values: [checkValue(m[3]!, part)] });
      continue;
    }
    m = /^!\s*(\S+)$/.exec(part);
    if (m) {
      reqs.push({ key: checkKey(m[1]!, part), op: '!' });
      continue;
    }
    if (/^\S+$/.test(part)) {
      reqs.push({ key: checkKey(part, part), op: 'exists' });
      continue;
    }
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  }
  return reqs;
}

export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of sel) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case '=':
        if (v !== r.values[0]) return false;
        break;
      case '!=':
        if (has && v === r.values[0]) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/**
 * fieldSelector: metadata.name / metadata.namespace for every kind, plus type for Secrets and the
 * Event fields (involvedObject.*, reason, type…; regarding.* in events.k8s.io), as the apiserver
 * allows. Requirements name the stored field, so one matcher serves both Event groups.
 */
export function parseFieldSelector(raw: string | undefined, kind: string, group = ''): FieldRequirement[] {
  if (!raw || !raw.trim()) return [];
  const labels: Record<string, string> = {
    'metadata.name': 'metadata.name',
    'metadata.namespace': 'metadata.namespace',
  };
  if (kind === 'Secret') labels.type = 'type';
  if (kind === 'Event') Object.assign(labels, eventFieldLabels(group));
  return raw.split(',').map((partRaw) => {
    const part = partRaw.trim();
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${raw}'; can't understand '${part}'`);
    const field = labels[m[1]!];
    if (!field)
      throw badRequest(`"${m[1]!}" is not a known field selector: only "${Object.keys(labels).join('", "')}"`);
    return { field, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}

export function fieldValue(
  obj: { metadata?: { name?: string; namespace?: string }; type?: unknown },
  field: string,
): string {
  if (field === 'metadata.name') return obj.metadata?.name ?? '';
  if (field === 'metadata.namespace') return obj.metadata?.namespace ?? '';
  if (field === 'type') return typeof obj.type === 'string' ? obj.type : '';
  return eventFieldValue(obj, field);
}

export function matchesFields(reqs: FieldRequirement[], obj: Parameters<typeof fieldValue>[0]): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}

/** metadata.namespace=X narrows a cluster-wide list to one namespace bucket (the index does the rest). */
export function namespaceFromFields(reqs: FieldRequirement[]): string | undefined {
  return reqs.find((r) => r.field === 'metadata.namespace' && r.op === '=')?.value;
}

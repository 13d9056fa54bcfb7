// Label selectors, as the API server reads them: the string form (`reroll.dev/enabled=true`,
// `tier in (a,b)`, `!legacy`) that REROLL_NAMESPACE_SELECTOR and `?labelSelector=` use, and the
// object form (`matchLabels` + `matchExpressions`) an ApiServerSource's namespaceSelector uses.
// Both become one list of requirements, all of which must hold (an empty list matches everything,
// as in Kubernetes). client-node 1.4 carries the types but no parser or matcher, hence this file.

export type Requirement =
  { key: string; operator: 'In' | 'NotIn'; values: string[] } | { key: string; operator: 'Exists' | 'DoesNotExist' };

/** metav1.LabelSelector */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export type ParsedSelector = { ok: true; requirements: Requirement[] } | { ok: false; error: string };

// apimachinery's qualified name (optional DNS-subdomain prefix + '/' + name) and label value
const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): string | undefined {
  const name = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key;
  const prefix = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
  if (!KEY.test(key) || name.length > 63 || prefix.length > 253) return `invalid label key ${JSON.stringify(key)}`;
  return undefined;
}

function checkValue(value: string): string | undefined {
  if (!VALUE.test(value) || value.length > 63) return `invalid label value ${JSON.stringify(value)}`;
  return undefined;
}

/** Split on commas outside `( … )`, as the API server's lexer does. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** The string form. An empty string is an error here: "every namespace" is said by leaving it unset. */
export function parseLabelSelector(text: string): ParsedSelector {
  if (!text.trim()) return { ok: false, error: 'empty selector' };
  const requirements: Requirement[] = [];
  for (const raw of splitTopLevel(text)) {
    const part = raw.trim();
    if (!part) return { ok: false, error: `empty requirement in ${JSON.stringify(text)}` };
    let requirement: Requirement | undefined;
    let m = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim());
      requirement = { key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values };
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part))) {
      requirement = { key: m[1]!, operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]!] };
    } else if ((m = /^!\s*(\S+)$/.exec(part))) {
      requirement = { key: m[1]!, operator: 'DoesNotExist' };
    } else if (/^\S+$/.test(part)) {
      requirement = { key: part, operator: 'Exists' };
    } else {
      return {
        ok: false,
        error: `cannot read requirement ${JSON.stringify(part)} (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`,
      };
    }
    const values: string[] =
      requirement.operator === 'In' || requirement.operator === 'NotIn' ? requirement.values : [];
    const problem = checkKey(requirement.key) ?? values.map(checkValue).find(Boolean);
    if (problem) return { ok: false, error: `${problem} in ${JSON.stringify(part)}` };
    requirements.push(requirement);
  }
  return { ok: true, requirements };
}

/** The object form; the operators and their value rules are metav1's (In/NotIn need values, the others none). */
export function selectorRequirements(selector: LabelSelectorObject): ParsedSelector {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const problem = checkKey(key) ?? checkValue(value);
    if (problem) return { ok: false, error: `matchLabels: ${problem}` };
    requirements.push({ key, operator: 'In', values: [value] });
  }
  for (const [i, e] of (selector.matchExpressions ?? []).entries()) {
    const where = `matchExpressions[${i}]`;
    const problem = checkKey(e.key);
    if (problem) return { ok: false, error: `${where}: ${problem}` };
    const values = e.values ?? [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) return { ok: false, error: `${where}: operator ${e.operator} needs values` };
      const bad = values.map(checkValue).find(Boolean);
      if (bad) return { ok: false, error: `${where}: ${bad}` };
      requirements.push({ key: e.key, operator: e.operator, values });
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0) return { ok: false, error: `${where}: operator ${e.operator} takes no values` };
      requirements.push({ key: e.key, operator: e.operator });
    } else {
      return {
        ok: false,
        error: `${where}: unknown operator ${JSON.stringify(e.operator)} (In, NotIn, Exists, DoesNotExist)`,
      };
    }
  }
  return { ok: true, requirements };
}

export function matchesRequirements(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>> = {},
): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'In':
        return has && r.values.includes(labels[r.key]!);
      case 'NotIn':
        return !has || !r.values.includes(labels[r.key]!);
    }
  });
}

/** The string form again, the way the API server's `?labelSelector=` reads it (one LIST does the selecting). */
export function formatRequirements(requirements: readonly Requirement[]): string {
  return requirements
    .map((r) => {
      if (!('values' in r)) return r.operator === 'Exists' ? r.key : `!${r.key}`;
      if (r.values.length === 1) return `${r.key}${r.operator === 'In' ? '=' : '!='}${r.values[0]}`;
      return `${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(',')})`;
    })
    .join(',');
}

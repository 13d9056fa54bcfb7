import { asArray, asRecord, asText, isKind, type KubeObject } from '../kube-object';
import { podTemplateOf } from '../pod-templates';
import { violation, type Violation } from '../violation';

/** A metav1.LabelSelector as the set of requirements kubectl's string form writes (`k=v`, `k in (a,b)`, `!k`). */
export function selectorTerms(selector: Record<string, unknown>): string[] {
  const terms = Object.entries(asRecord(selector.matchLabels)).map(([k, v]) => `${k}=${asText(v)}`);
  for (const e of asArray(selector.matchExpressions)) {
    const { key, operator, values } = asRecord(e);
    const list = asArray(values).map(String).sort();
    if (operator === 'Exists') terms.push(asText(key));
    else if (operator === 'DoesNotExist') terms.push(`!${asText(key)}`);
    else if (list.length === 1) terms.push(`${asText(key)}${operator === 'In' ? '=' : '!='}${list[0]}`);
    else terms.push(`${asText(key)} ${operator === 'In' ? 'in' : 'notin'} (${list.join(',')})`);
  }
  return terms.sort();
}

/** REROLL_NAMESPACE_SELECTOR's string form, normalised the same way (commas inside `( )` kept). */
export function selectorTextTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms
    .map((t) => {
      const set = /^\s*(\S+)\s+(in|notin)\s*\(([^)]*)\)\s*$/.exec(t);
      if (!set) return t.replace(/\s+/g, '').replace('==', '=');
      const values = set[3]!
        .split(',')
        .map((v) => v.trim())
        .sort();
      if (values.length === 1) return `${set[1]}${set[2] === 'in' ? '=' : '!='}${values[0]}`;
      return `${set[1]} ${set[2]} (${values.join(',')})`;
    })
    .filter(Boolean)
    .sort();
}

/**
 * The cluster-wide install: the ApiServerSource's namespaceSelector (which namespaces send events)
 * and the function's REROLL_NAMESPACE_SELECTOR (which it serves, and which a resync lists) select the
 * same namespaces. If they drift, events from a namespace are refused, or a resync reaches namespaces
 * the source does not watch. An empty selector would mean every namespace: refused as a mistake.
 */
export function checkClusterSelector(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  const sources = objects.filter((o) => isKind(o, 'sources.knative.dev', 'ApiServerSource'));
  if (sources.length === 0) return [violation('ApiServerSource/<none>', 'cluster-selector', 'no ApiServerSource')];
  for (const source of sources) {
    const spec = asRecord(source.spec);
    if (spec.namespaceSelector === undefined) {
      out.push(
        violation(
          source,
          'cluster-selector',
          'spec.namespaceSelector is missing: it would watch only its own namespace',
        ),
      );
      continue;
    }
    const wanted = selectorTerms(asRecord(spec.namespaceSelector));
    if (wanted.length === 0)
      out.push(
        violation(source, 'cluster-selector', 'spec.namespaceSelector is empty: it would watch every namespace'),
      );
    const ref = asRecord(asRecord(spec.sink).ref);
    const fn = objects.find((o) => isKind(o, 'serving.knative.dev', 'Service') && o.metadata.name === ref.name);
    const template = fn && podTemplateOf(fn);
    if (!fn || !template) continue;
    const env = new Map<string, string>();
    for (const c of template.containers)
      for (const e of asArray(c.env)) env.set(String(asRecord(e).name), asText(asRecord(e).value));
    const text = env.get('REROLL_NAMESPACE_SELECTOR');
    if (text === undefined || text.trim() === '') {
      out.push(violation(fn, 'cluster-selector', 'REROLL_NAMESPACE_SELECTOR is not set'));
      continue;
    }
    const served = selectorTextTerms(text);
    if (served.join(',') !== wanted.join(','))
      out.push(
        violation(
          fn,
          'cluster-selector',
          `REROLL_NAMESPACE_SELECTOR=${text} but ApiServerSource/${source.metadata.name} selects ${wanted.join(',')}`,
        ),
      );
    if (env.get('REROLL_NAMESPACES'))
      out.push(
        violation(fn, 'cluster-selector', 'REROLL_NAMESPACES is set: it would narrow the selector to a fixed list'),
      );
  }
  return out;
}

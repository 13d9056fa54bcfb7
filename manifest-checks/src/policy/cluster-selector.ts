import {
  formatRequirements,
  parseLabelSelector,
  selectorRequirements,
  type Requirement,
} from '@reroll/restart/label-selector';
import { asArray, asRecord, asText, isKind, type KubeObject } from '../kube-object';
import { podTemplateOf } from '../pod-templates';
import { violation, type Violation } from '../violation';

// Both selectors are read by the function's own parser, so this check and REROLL_NAMESPACE_SELECTOR
// can never disagree on what a selector means.
/** A selector's requirements as sorted `k=v` / `k in (a,b)` / `!k` terms, values sorted too: equal sets compare equal. */
function termsOf(requirements: readonly Requirement[]): string[] {
  return requirements
    .map((r) => formatRequirements(['values' in r ? { ...r, values: [...r.values].sort() } : r]))
    .sort();
}

/** A metav1.LabelSelector (the ApiServerSource's namespaceSelector) as terms, or its error. */
export function selectorTerms(selector: Record<string, unknown>): string[] | string {
  const parsed = selectorRequirements(selector);
  return parsed.ok ? termsOf(parsed.requirements) : parsed.error;
}

/** REROLL_NAMESPACE_SELECTOR's string form as terms, or its error. */
export function selectorTextTerms(text: string): string[] | string {
  const parsed = parseLabelSelector(text);
  return parsed.ok ? termsOf(parsed.requirements) : parsed.error;
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
    if (typeof wanted === 'string') {
      out.push(violation(source, 'cluster-selector', `spec.namespaceSelector is invalid: ${wanted}`));
      continue;
    }
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
    if (typeof served === 'string') {
      out.push(violation(fn, 'cluster-selector', `REROLL_NAMESPACE_SELECTOR=${text} is invalid: ${served}`));
      continue;
    }
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

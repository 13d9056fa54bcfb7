// Which namespaces the function may touch. An excluded namespace wins over a served one, so a
// mistaken REROLL_NAMESPACES can never reach kube-system and friends. With a namespace selector
// (REROLL_NAMESPACE_SELECTOR, the cluster-wide install) a namespace must also carry matching labels;
// the list, when given too, narrows further: every setting can only take namespaces away.
import { matchesRequirements, type Requirement } from './label-selector';

export interface NamespaceSelector {
  /** as configured, for reasons and logs (a selector is not a secret) */
  text: string;
  requirements: Requirement[];
}

export interface NamespacePolicy {
  /** empty only with a namespaceSelector: then any namespace whose labels match */
  namespaces: readonly string[];
  excludeNamespaces: readonly string[];
  namespaceSelector?: NamespaceSelector;
}

/** What the names alone decide: excluded, or outside REROLL_NAMESPACES. The labels come after (decideNamespace). */
export function isNamespaceServed(namespace: string, policy: NamespacePolicy): boolean {
  if (policy.excludeNamespaces.includes(namespace)) return false;
  if (policy.namespaces.length === 0) return policy.namespaceSelector !== undefined;
  return policy.namespaces.includes(namespace);
}

export function explainNamespace(namespace: string, policy: NamespacePolicy): string {
  if (policy.excludeNamespaces.includes(namespace))
    return `namespace ${namespace} is excluded (REROLL_EXCLUDE_NAMESPACES): nothing read or written`;
  return `namespace ${namespace} is not served (REROLL_NAMESPACES=${policy.namespaces.join(',')}): nothing read or written`;
}

export type NamespaceVerdict = { served: true } | { served: false; reason: string };

/**
 * The whole decision for one namespace, given its live object (null = it does not exist). Without a
 * selector the labels do not matter; with one, they are read live on every event, so labelling or
 * unlabelling a namespace takes effect with the next event.
 */
export function decideNamespace(
  namespace: string,
  live: { metadata?: { labels?: Record<string, string> } } | null,
  policy: NamespacePolicy,
): NamespaceVerdict {
  if (!isNamespaceServed(namespace, policy)) return { served: false, reason: explainNamespace(namespace, policy) };
  const selector = policy.namespaceSelector;
  if (!selector) return { served: true };
  if (live === null) return { served: false, reason: `namespace ${namespace} does not exist: nothing read or written` };
  if (matchesRequirements(selector.requirements, live.metadata?.labels ?? {})) return { served: true };
  return {
    served: false,
    reason: `namespace ${namespace} does not match REROLL_NAMESPACE_SELECTOR=${selector.text}: nothing read or written`,
  };
}

/** Resync: the namespaces a LIST by the selector returned, kept only where the whole policy serves them. */
export function selectServedNamespaces(
  listed: ReadonlyArray<{ metadata?: { name?: string; labels?: Record<string, string> } }>,
  policy: NamespacePolicy,
): string[] {
  return listed
    .filter((ns) => ns.metadata?.name && decideNamespace(ns.metadata.name, ns, policy).served)
    .map((ns) => ns.metadata!.name!)
    .sort();
}

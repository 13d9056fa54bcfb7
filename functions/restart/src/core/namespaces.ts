// Which namespaces the function may touch. An excluded namespace wins over a served one, so a
// mistaken REROLL_NAMESPACES can never reach kube-system and friends.
export interface NamespacePolicy {
  namespaces: readonly string[];
  excludeNamespaces: readonly string[];
}

export function isNamespaceServed(namespace: string, policy: NamespacePolicy): boolean {
  return !policy.excludeNamespaces.includes(namespace) && policy.namespaces.includes(namespace);
}

export function explainNamespace(namespace: string, policy: NamespacePolicy): string {
  if (policy.excludeNamespaces.includes(namespace))
    return `namespace ${namespace} is excluded (REROLL_EXCLUDE_NAMESPACES): nothing read or written`;
  return `namespace ${namespace} is not served (REROLL_NAMESPACES=${policy.namespaces.join(',')}): nothing read or written`;
}

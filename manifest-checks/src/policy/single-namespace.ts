import type { Rendered } from '../kube-object';
import { violation, type Violation } from '../violation';

/**
 * Everything applied together lands in one namespace, and that namespace is among the objects:
 * the overlays and knative/ each set it, so a change to one of them alone would split the app
 * from the function that serves it (its RBAC is namespaced).
 */
export function checkSingleNamespace(renders: Rendered[]): Violation[] {
  const objects = renders.flatMap((r) => r.objects.map((o) => ({ o, source: r.source })));
  const namespaceObjects = objects.filter(({ o }) => o.apiVersion === 'v1' && o.kind === 'Namespace');
  const expected = namespaceObjects[0]?.o.metadata.name;
  if (!expected)
    return [
      violation(
        'Namespace/<none>',
        'namespace',
        `no Namespace object among ${renders.map((r) => r.source).join(', ')}`,
      ),
    ];
  return objects
    .filter(({ o }) => o.kind !== 'Namespace' && o.metadata.namespace !== expected)
    .map(({ o, source }) =>
      violation(
        o,
        'namespace',
        `is in namespace ${o.metadata.namespace ?? '<unset>'} (from ${source}), expected ${expected}`,
      ),
    );
}

// The cluster-wide install (knative/cluster-wide/) and its variants, rendered the way they are
// applied: `kubectl apply -k` of each kustomization, and each with the components that fit it
// (through a throw-away kustomization, as for knative/'s components).
import type { Rendered } from './kube-object';
import { renderKustomization, renderWithComponents } from './render-kustomization';

export const CLUSTER_WIDE = 'knative/cluster-wide';
export const CLUSTER_WIDE_RELOADER = 'knative/cluster-wide-reloader';

/** [kustomization, components]: every combination a reader of docs/deploy.md is told to use */
export const CLUSTER_WIDE_VARIANTS: Array<[string, string[]]> = [
  [CLUSTER_WIDE, ['knative/optional/watch-secrets']],
  [CLUSTER_WIDE, ['knative/optional/watch-all-configmaps']],
  [CLUSTER_WIDE_RELOADER, ['knative/optional/watch-all-secrets']],
];

/** The Reloader components on the namespaced install (they are written for both). */
export const NAMESPACED_RELOADER_VARIANTS: Array<[string, string[]]> = [
  ['knative', ['knative/optional/watch-all-configmaps']],
  ['knative', ['knative/optional/watch-all-configmaps', 'knative/optional/watch-all-secrets']],
];

export interface ClusterWideSet {
  base: Rendered;
  reloader: Rendered;
  variants: Rendered[];
  namespacedReloader: Rendered[];
  /** every cluster-wide render: base, reloader, variants */
  all: Rendered[];
}

export async function loadClusterWideSet(): Promise<ClusterWideSet> {
  const [base, reloader, variants, namespacedReloader] = await Promise.all([
    renderKustomization(CLUSTER_WIDE),
    renderKustomization(CLUSTER_WIDE_RELOADER),
    Promise.all(CLUSTER_WIDE_VARIANTS.map(([dir, components]) => renderWithComponents(dir, components))),
    Promise.all(NAMESPACED_RELOADER_VARIANTS.map(([dir, components]) => renderWithComponents(dir, components))),
  ]);
  return { base, reloader, variants, namespacedReloader, all: [base, reloader, ...variants] };
}

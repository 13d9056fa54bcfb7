import { readdir, readFile } from 'node:fs/promises';
import type { Rendered } from './kube-object';
import { parseManifests, renderKustomization, renderWithComponents } from './render-kustomization';
import { repoPath } from './repo-paths';

export const ENVS = ['test', 'prod'] as const;
export type Env = (typeof ENVS)[number];

export const overlayDir = (env: Env): string => `kustomize/overlays/${env}`;
export const KUSTOMIZATIONS = ['kustomize/base', ...ENVS.map(overlayDir), 'knative'];
export const KNATIVE_COMPONENTS = [
  'knative/optional/broker',
  'knative/optional/watch-secrets',
  'knative/optional/decision-events',
];

export interface ManifestSet {
  /** Every kustomization, rendered as `kubectl apply -k` would. */
  kustomizations: Rendered[];
  /** knative/ with each optional component. */
  variants: Rendered[];
  /** knative/*.yaml one by one, as `kubectl apply -f` would send them. */
  rawFiles: Rendered[];
  overlay(env: Env): Rendered;
  knative(): Rendered;
  /** What lands in the namespace when both overlays and knative/ are applied. */
  deployedTogether(): Rendered[];
}

export async function loadManifestSet(): Promise<ManifestSet> {
  const kustomizations = await Promise.all(KUSTOMIZATIONS.map(renderKustomization));
  const variants = await Promise.all(KNATIVE_COMPONENTS.map((c) => renderWithComponents('knative', [c])));
  const files = (await readdir(repoPath('knative')))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort();
  const rawFiles = await Promise.all(
    files.map(async (f) => ({
      source: `knative/${f}`,
      objects: parseManifests(await readFile(repoPath('knative', f), 'utf8'), `knative/${f}`),
    })),
  );
  const find = (source: string): Rendered => {
    const found = kustomizations.find((r) => r.source === source);
    if (!found) throw new Error(`${source} was not rendered`);
    return found;
  };
  return {
    kustomizations,
    variants,
    rawFiles,
    overlay: (env) => find(overlayDir(env)),
    knative: () => find('knative'),
    deployedTogether: () => [...ENVS.map((e) => find(overlayDir(e))), find('knative')],
  };
}

// Putting the repository's manifests on the real control plane: upstream CRDs from crds/ (a bare
// apiserver serves no Knative or Istio kinds) and kustomize renders, moved into a test's namespace.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ControlPlaneClient } from './control-plane-client';

/** the repository root (this file is envtest/src/apply-manifests.ts) */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** e.g. crdFile('serving.knative.dev', 'services') → <repo>/crds/serving.knative.dev/services.yaml */
export function crdFile(group: string, plural: string): string {
  return path.join(REPO_ROOT, 'crds', group, `${plural}.yaml`);
}

/** applies CRD files and waits until the apiserver serves them (condition Established) */
export async function installCrds(cp: ControlPlaneClient, files: string[], timeoutMs = 60_000): Promise<string[]> {
  const names: string[] = [];
  for (const file of files) {
    // server-side: the upstream CRDs are big enough that the client-side last-applied annotation fails
    const out = await cp.kubectl(['apply', '--server-side', '--force-conflicts', '-o', 'name', '-f', file]);
    names.push(...out.stdout.split('\n').filter(Boolean));
  }
  if (names.length > 0) {
    await cp.kubectl(['wait', '--for=condition=Established', `--timeout=${Math.round(timeoutMs / 1000)}s`, ...names], {
      timeoutMs: timeoutMs + 10_000,
    });
  }
  return names;
}

export interface RenderOptions {
  /**
   * move everything into this namespace (kustomize's namespace transformer), and the first subject of
   * every RoleBinding too: the transformer leaves a subject's explicit namespace alone, so knative/'s
   * bindings would still name reroll-demo's ServiceAccounts
   */
  namespace?: string;
  /** kustomize Components to add (repo-relative or absolute), e.g. knative/optional/watch-secrets */
  components?: string[];
}

/**
 * `kubectl kustomize` of one or more kustomizations (repo-relative or absolute dirs), through a
 * generated kustomization when there is more than one, a namespace or components
 */
export async function renderKustomize(
  cp: ControlPlaneClient,
  dirs: string | string[],
  options: RenderOptions = {},
): Promise<string> {
  const list = (Array.isArray(dirs) ? dirs : [dirs]).map((d) => path.resolve(REPO_ROOT, d));
  const components = (options.components ?? []).map((d) => path.resolve(REPO_ROOT, d));
  if (list.length === 1 && !options.namespace && components.length === 0) {
    return (await cp.kubectl(['kustomize', list[0]!])).stdout;
  }
  const overlay = await mkdtemp(path.join(cp.dir, 'kustomize-'));
  const rel = (d: string) => `  - ${path.relative(overlay, d)}`;
  const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', ...list.map(rel)];
  if (components.length > 0) lines.push('components:', ...components.map(rel));
  if (options.namespace) {
    lines.push(
      `namespace: ${options.namespace}`,
      'patches:',
      '  - target: { kind: RoleBinding }',
      '    patch: |-',
      '      - op: add',
      '        path: /subjects/0/namespace',
      `        value: ${options.namespace}`,
    );
  }
  try {
    await writeFile(path.join(overlay, 'kustomization.yaml'), `${lines.join('\n')}\n`);
    return (await cp.kubectl(['kustomize', '--load-restrictor', 'LoadRestrictionsNone', overlay])).stdout;
  } finally {
    await rm(overlay, { recursive: true, force: true });
  }
}

/** renders and applies (server-side); returns the rendered YAML (so a suite can read what it applied) */
export async function applyKustomize(
  cp: ControlPlaneClient,
  dirs: string | string[],
  options: RenderOptions = {},
): Promise<string> {
  const rendered = await renderKustomize(cp, dirs, options);
  await cp.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: rendered });
  return rendered;
}

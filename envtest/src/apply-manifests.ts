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
  /** move everything into this namespace (kustomize's namespace transformer: RoleBinding subjects too) */
  namespace?: string;
}

/** `kubectl kustomize <dir>`, optionally through a kustomization that sets another namespace */
export async function renderKustomize(
  cp: ControlPlaneClient,
  dir: string,
  options: RenderOptions = {},
): Promise<string> {
  const absolute = path.resolve(REPO_ROOT, dir);
  if (!options.namespace) return (await cp.kubectl(['kustomize', absolute])).stdout;
  const overlay = await mkdtemp(path.join(cp.dir, 'kustomize-'));
  try {
    await writeFile(
      path.join(overlay, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${options.namespace}\nresources:\n  - ${path.relative(overlay, absolute)}\n`,
    );
    return (await cp.kubectl(['kustomize', '--load-restrictor', 'LoadRestrictionsNone', overlay])).stdout;
  } finally {
    await rm(overlay, { recursive: true, force: true });
  }
}

/** renders and applies; returns the rendered YAML (so a suite can read what it applied) */
export async function applyKustomize(
  cp: ControlPlaneClient,
  dir: string,
  options: RenderOptions = {},
): Promise<string> {
  const rendered = await renderKustomize(cp, dir, options);
  await cp.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: rendered });
  return rendered;
}

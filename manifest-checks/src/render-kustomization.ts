import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KubeObject, Rendered } from './kube-object';
import { repoPath } from './repo-paths';

const run = promisify(execFile);

/** Parses a multi-document YAML stream into objects; a YAML error names the source. */
export function parseManifests(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: invalid YAML: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}: a document is not an object`);
    objects.push(value as KubeObject);
  }
  return objects;
}

/** `kubectl kustomize <dir>` (the kustomize built into kubectl, as `kubectl apply -k` uses). */
export async function renderKustomization(dir: string): Promise<Rendered> {
  const { stdout } = await run('kubectl', ['kustomize', repoPath(dir)], { maxBuffer: 32 * 2 ** 20 });
  return { source: dir, objects: parseManifests(stdout, dir) };
}

/**
 * Renders `base` with kustomize components, the way a user's own kustomization would use them.
 * Kustomize refuses absolute paths and a component folder inside the base it extends, so this
 * writes a throw-away kustomization in a temp folder that points at both with relative paths.
 */
export async function renderWithComponents(base: string, components: string[]): Promise<Rendered> {
  const dir = await mkdtemp(join(tmpdir(), 'reroll-kustomize-'));
  try {
    const rel = (p: string): string => relative(dir, repoPath(p));
    const text = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `resources: [${JSON.stringify(rel(base))}]`,
      `components: [${components.map((c) => JSON.stringify(rel(c))).join(', ')}]`,
      '',
    ].join('\n');
    await writeFile(join(dir, 'kustomization.yaml'), text);
    const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 32 * 2 ** 20 });
    const source = `${base} + ${components.join(' + ')}`;
    return { source, objects: parseManifests(stdout, source) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The manifests a cluster gets, rendered the way a cluster user renders them (`kubectl kustomize`),
// and applied into the emulator with `kubectl apply`: no local copies, so what runs locally is what
// the repository ships.
import { execFile } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-shapes';
import { isRecord } from './kube-shapes';

/** The kustomizations `npm start` renders, relative to the repository root. */
export const MANIFEST_DIRS = ['knative', 'kustomize/overlays/test', 'kustomize/overlays/prod'] as const;

/** Parses a multi-document YAML stream into objects; `List` kinds are flattened. */
export function parseManifests(text: string, origin: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      throw new Error(`${origin}: YAML document ${i + 1} is invalid: ${doc.errors[0]?.message ?? 'parse error'}`);
    }
    const value: unknown = doc.toJSON();
    if (value === null || value === undefined) continue;
    if (!isRecord(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
      throw new Error(
        `${origin}: YAML document ${i + 1} is not a Kubernetes object (apiVersion and kind are required)`,
      );
    }
    if (value.kind.endsWith('List') && Array.isArray(value.items)) {
      objects.push(...parseManifests(value.items.map((item) => JSON.stringify(item)).join('\n---\n'), origin));
      continue;
    }
    if (!isRecord(value.metadata) || typeof value.metadata.name !== 'string') {
      throw new Error(`${origin}: ${value.kind} in document ${i + 1} has no metadata.name`);
    }
    objects.push(value);
  }
  return objects;
}

/**
 * Orders objects for applying: Namespaces first (adding one for every namespace that is used but
 * not declared, as `kubectl create namespace` would), then everything else in the given order.
 */
export function planApply(objects: readonly KubeObject[]): KubeObject[] {
  const declared = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata?.name));
  const used = [...new Set(objects.map((o) => o.metadata?.namespace).filter((n): n is string => !!n))];
  const missing: KubeObject[] = used
    .filter((ns) => !declared.has(ns))
    .map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  const rest = objects.filter((o) => o.kind !== 'Namespace');
  return [...namespaces, ...missing, ...rest];
}

/** The namespace the hello app lives in: the one its Deployments declare (first found). */
export function findAppNamespace(objects: readonly KubeObject[]): string {
  const ns =
    objects.find((o) => o.kind === 'Deployment' && o.metadata?.namespace)?.metadata?.namespace ??
    objects.find((o) => o.metadata?.namespace)?.metadata?.namespace;
  return ns ?? 'default';
}

function runKubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', args, { maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new Error(
            'kubectl is not installed or not on PATH: local mode renders the manifests with `kubectl kustomize`',
          ),
        );
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** `kubectl kustomize <dir>` for each directory, parsed. */
export async function renderManifests(
  repoRoot: string,
  dirs: readonly string[] = MANIFEST_DIRS,
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const dir of dirs) {
    const { stdout, stderr, code } = await runKubectl(['kustomize', `${repoRoot}/${dir}`]);
    if (code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${stderr.trim()}`);
    out.push(...parseManifests(stdout, dir));
  }
  return out;
}

export interface ApplyResult {
  /** kubectl's own lines, e.g. `configmap/helloworld-test created`. */
  applied: string[];
  /** Objects kubectl could not apply (e.g. a kind the emulator does not serve), one line each. */
  failed: string[];
}

/** `kubectl apply -f -` against the given kubeconfig; carries on past objects that fail. */
export async function applyManifests(objects: readonly KubeObject[], kubeconfigPath: string): Promise<ApplyResult> {
  const list = { apiVersion: 'v1', kind: 'List', items: planApply(objects) };
  const { stdout, stderr } = await runKubectl(
    ['apply', '-f', '-', '--kubeconfig', kubeconfigPath, '--validate=false'],
    JSON.stringify(list),
  );
  return {
    applied: stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
    failed: stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('Warning:')),
  };
}

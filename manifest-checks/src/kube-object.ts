// The shape every check works on: a rendered Kubernetes object plus where it came from.

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A rendered set: one `kubectl kustomize` output or one raw file. */
export interface Rendered {
  /** Path relative to the repository root, e.g. `kustomize/overlays/test`. */
  source: string;
  objects: KubeObject[];
}

/** `Deployment/helloworld-test`: how a failure names the object. */
export function describeObject(object: KubeObject): string {
  return `${object.kind}/${object.metadata?.name ?? '<no name>'}`;
}

/** API group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
}

export function isKind(object: KubeObject, group: string, kind: string): boolean {
  return object.kind === kind && groupOf(object.apiVersion) === group;
}

/** Reads a nested field without trusting the document's shape. */
export function dig(value: unknown, ...path: Array<string | number>): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * A manifest value as text for a message or a lookup: strings as they are, numbers and booleans as
 * String() writes them, a missing value as `fallback`, anything else as its JSON (never `[object Object]`).
 */
export function asText(value: unknown, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? fallback;
}

export function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(value))) if (typeof v === 'string') out[k] = v;
  return out;
}

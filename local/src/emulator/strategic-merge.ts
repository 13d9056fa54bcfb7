// Strategic merge patch for the built-in kinds (what kubectl patch/apply/rollout restart send):
// maps merge, `null` deletes, lists with a patch merge key merge item by item, other lists replace,
// and the directives $patch (replace|delete|merge), $retainKeys, $setElementOrder/<f> and
// $deleteFromPrimitiveList/<f>. Merge keys follow the Kubernetes API types' patchMergeKey tags.
import { isPlainObject, type JsonMap } from './object-types';

/** field name -> merge key; `ports` depends on where it sits (container vs Service). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  ownerReferences: 'uid',
  conditions: 'type',
  resourceClaims: 'name',
  secrets: 'name', // ServiceAccount.secrets
};

/** primitive lists whose patchStrategy is merge (union) rather than replace */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, path: string[]): string | undefined {
  if (field === 'ports') {
    const inContainer = path.some((p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers');
    return inContainer ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

/** 400 when the patch cannot be decoded, 422 when it decodes but cannot be applied (as the apiserver). */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422 = 400,
  ) {
    super(message);
  }
}

export function strategicMerge(original: unknown, patch: unknown): unknown {
  return mergeValue(original, patch, []);
}

function mergeValue(original: unknown, patch: unknown, path: string[]): unknown {
  if (!isPlainObject(patch)) return patch;
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  return mergeMap(isPlainObject(original) ? original : {}, patch, path);
}

function mergeMap(original: JsonMap, patch: JsonMap, path: string[]): JsonMap {
  const out: JsonMap = { ...original };
  const orders: Record<string, unknown[]> = {};
  const deletions: Record<string, unknown[]> = {};
  let retainKeys: string[] | undefined;
  for (const [k, pv] of Object.entries(patch)) {
    if (k === '$patch') {
      if (pv !== 'merge') throw new PatchError(`Unknown patch type: ${String(pv)}`);
      continue;
    }
    if (k === '$retainKeys') {
      if (!Array.isArray(pv)) throw new PatchError('$retainKeys must be a list');
      retainKeys = pv.map(String);
      continue;
    }
    if (k.startsWith('$setElementOrder/')) {
      if (!Array.isArray(pv)) throw new PatchError(`${k} must be a list`);
      orders[k.slice('$setElementOrder/'.length)] = pv;
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      if (!Array.isArray(pv)) throw new PatchError(`${k} must be a list`);
      deletions[k.slice('$deleteFromPrimitiveList/'.length)] = pv;
      continue;
    }
    if (k.startsWith('$')) throw new PatchError(`unknown patch directive ${k}`);
    if (pv === null) {
      delete out[k];
      continue;
    }
    const ov = original[k];
    if (Array.isArray(pv)) {
      out[k] = mergeList(k, Array.isArray(ov) ? ov : [], pv, [...path, k]);
    } else if (isPlainObject(pv)) {
      const merged = mergeValue(ov, pv, [...path, k]);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = pv;
    }
  }
  for (const [field, values] of Object.entries(deletions)) {
    if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((v) => !values.includes(v));
  }
  for (const [field, order] of Object.entries(orders)) {
    if (Array.isArray(out[field])) out[field] = applyOrder(field, out[field] as unknown[], order, path);
  }
  if (retainKeys) {
    for (const k of Object.keys(out)) if (!retainKeys.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(field: string, original: unknown[], patch: unknown[], path: string[]): unknown[] {
  // a list item {$patch: replace} replaces the whole list with the remaining items
  if (patch.some((p) => isPlainObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isPlainObject(p) && p.$patch === 'replace')).map(stripDirectives);
  }
  const key = mergeKeyFor(field, path.slice(0, -1));
  if (MERGED_PRIMITIVE_LISTS.has(field)) {
    const out = [...original];
    for (const p of patch) if (!out.includes(p)) out.push(p);
    return out;
  }
  if (!key || !patch.every(isPlainObject)) return patch.map(stripDirectives);
  // the apiserver's order (strategicpatch normalizeElementOrder): the patch's items, merged, in
  // patch order, and the items only the server has, in server order, merge-sorted by their server
  // positions; an item new to the server goes before a server-only one (`kubectl set env` on a
  // container puts the new variable first)
  const serverIndex = (x: unknown) =>
    original.findIndex((o) => isPlainObject(o) && isPlainObject(x) && o[key] === x[key]);
  const patched: unknown[] = [];
  for (const item of patch) {
    const idx = serverIndex(item);
    if (item.$patch === 'delete') continue;
    patched.push(idx >= 0 ? mergeMap(original[idx] as JsonMap, item, path) : stripDirectives(item));
  }
  const serverOnly = original.filter((o) => !patch.some((p) => isPlainObject(o) && p[key] === o[key]));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patched.length) {
    if (j >= patched.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(patched[j++]);
    else {
      const [l, r] = [serverIndex(serverOnly[i]), serverIndex(patched[j])];
      out.push(l >= 0 && r >= 0 && l < r ? serverOnly[i++] : patched[j++]);
    }
  }
  return out;
}

function applyOrder(field: string, list: unknown[], order: unknown[], path: string[]): unknown[] {
  const key = mergeKeyFor(field, path);
  const rank = (item: unknown): number => {
    const i = order.findIndex((o) =>
      key && isPlainObject(o) && isPlainObject(item) ? o[key] === item[key] : o === item,
    );
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (x === null) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

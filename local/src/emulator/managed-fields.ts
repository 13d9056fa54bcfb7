// metadata.managedFields as the apiserver keeps them: sets of field paths per manager, serialized
// as FieldsV1 (`f:<field>`, `k:<list-map key>`, `v:<set value>`, `.` = the node itself). Every write
// records what it changed under its manager (operation Update, taken from other managers without
// conflict); server-side apply (server-side-apply.ts) records what was applied (operation Apply).
import { apiVersionOf, type ResourceType } from './resource-table';
import { shapeForValue, shapeOfKind, type Shape } from './field-shapes';
import { isPlainObject, jsonEqual, type JsonMap, type KObject } from './object-types';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonMap;
  subresource?: string;
}

/** a field path, JSON-encoded so sets of them are plain Set<string> */
export type PathKey = string;
export const pathKey = (p: string[]): PathKey => JSON.stringify(p);
export const pathOf = (k: PathKey): string[] => JSON.parse(k) as string[];

/** system fields no manager owns (what the apiserver strips before tracking) */
const UNMANAGED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** 'main': what a write to the object owns; 'status': what a /status write owns; 'all': every managed field */
export type Scope = 'main' | 'status' | 'all';

function unmanaged(t: ResourceType, path: string[], scope: Scope): boolean {
  if (path.length === 1 && (path[0] === 'f:apiVersion' || path[0] === 'f:kind')) return true;
  if (path.length === 2 && path[0] === 'f:metadata' && UNMANAGED_META.has(path[1]!.slice(2))) return true;
  // the main resource does not own status and the status subresource owns nothing else
  if (t.statusSubresource && scope !== 'all')
    return scope === 'status' ? path[0] !== 'f:status' : path[0] === 'f:status';
  return false;
}

/** `{"containerPort":80,"protocol":"TCP"}`: the key fields in name order, as structured-merge-diff prints them */
function listKey(item: JsonMap, keys: string[]): string {
  return JSON.stringify(
    Object.fromEntries(
      [...keys]
        .sort()
        .filter((k) => item[k] !== undefined)
        .map((k) => [k, item[k]]),
    ),
  );
}

/** the item of a keyed list an element names; a key field missing on either side matches (a defaulted key) */
export function findItem(list: unknown, keys: string[], want: JsonMap): JsonMap | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.find(
    (i): i is JsonMap =>
      isPlainObject(i) && keys.every((k) => want[k] === undefined || i[k] === undefined || jsonEqual(i[k], want[k])),
  );
}

export interface Members {
  all: Set<PathKey>;
  /** members with a value of their own (scalars, atomic maps and lists, set items) */
  leaves: Set<PathKey>;
}

/**
 * The field paths of an object. `withMaps`: maps and structs are members themselves (what an
 * Update owns once it created them); without, only leaves and list items (what an Apply owns).
 * `ref` is the stored object beside it: a list item missing a defaulted key field takes it from there.
 */
export function membersOf(
  t: ResourceType,
  obj: unknown,
  opts: { withMaps: boolean; ref?: unknown; scope: Scope },
): Members {
  const out: Members = { all: new Set(), leaves: new Set() };
  const add = (path: string[], leaf: boolean) => {
    const k = pathKey(path);
    out.all.add(k);
    if (leaf) out.leaves.add(k);
  };
  const walk = (value: unknown, declared: Shape, path: string[], ref: unknown): void => {
    const shape = shapeForValue(declared, value);
    if (shape.type === 'struct' && isPlainObject(value)) {
      const keys = Object.keys(value).filter(
        (k) => value[k] !== undefined && !unmanaged(t, [...path, `f:${k}`], opts.scope),
      );
      // an Update owns the maps it created (`.`), not the structs around them, as the apiserver records
      const empty = Object.keys(value).length === 0;
      if (path.length > 0 && ((opts.withMaps && shape.map) || empty)) add(path, empty);
      const r = isPlainObject(ref) ? ref : {};
      for (const k of keys) walk(value[k], shape.field(k), [...path, `f:${k}`], r[k]);
      return;
    }
    if (shape.type === 'list-map' && Array.isArray(value)) {
      for (const item of value) {
        if (!isPlainObject(item)) continue;
        const refItem = findItem(ref, shape.keys, item);
        const p = [...path, `k:${listKey(refItem ?? item, shape.keys)}`];
        add(p, false);
        const itemShape = shapeForValue(shape.item, item);
        if (itemShape.type !== 'struct') continue;
        for (const k of Object.keys(item))
          if (item[k] !== undefined) walk(item[k], itemShape.field(k), [...p, `f:${k}`], refItem?.[k]);
      }
      return;
    }
    if (shape.type === 'list-set' && Array.isArray(value)) {
      for (const item of value) add([...path, `v:${JSON.stringify(item)}`], true);
      return;
    }
    if (path.length > 0) add(path, true);
  };
  walk(obj, shapeOfKind(t), [], opts.ref);
  return out;
}

/** the value at a path (undefined when absent) */
export function valueAt(obj: unknown, path: string[], t: ResourceType): unknown {
  let cur: unknown = obj;
  let shape: Shape = shapeOfKind(t);
  for (const el of path) {
    shape = shapeForValue(shape, cur);
    const body = el.slice(2);
    if (el.startsWith('f:')) {
      if (!isPlainObject(cur) || shape.type !== 'struct') return undefined;
      shape = shape.field(body);
      cur = cur[body];
    } else if (el.startsWith('k:') && shape.type === 'list-map') {
      cur = findItem(cur, shape.keys, JSON.parse(body) as JsonMap);
      shape = shape.item;
    } else if (el.startsWith('v:')) {
      const v: unknown = JSON.parse(body);
      cur = Array.isArray(cur) && cur.some((x) => jsonEqual(x, v)) ? v : undefined;
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** removes the field a path names, in place */
export function removeAt(obj: JsonMap, path: string[], t: ResourceType): void {
  const parent = valueAt(obj, path.slice(0, -1), t);
  const last = path[path.length - 1]!;
  if (last.startsWith('f:') && isPlainObject(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const want: unknown = JSON.parse(last.slice(2));
    const idx = last.startsWith('v:')
      ? parent.findIndex((x) => jsonEqual(x, want))
      : parent.findIndex(
          (x) => isPlainObject(x) && isPlainObject(want) && Object.entries(want).every(([k, v]) => jsonEqual(x[k], v)),
        );
    if (idx >= 0) parent.splice(idx, 1);
  }
}

/** `.spec.template.spec.containers[name="app"].image`, as the apiserver's conflict messages print a path */
export function printPath(path: string[]): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      if (el.startsWith('f:')) return `.${body}`;
      if (el.startsWith('v:')) return `[=${body}]`;
      if (el.startsWith('i:')) return `[${body}]`;
      const key = JSON.parse(body) as JsonMap;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

export function toFieldsV1(members: Iterable<PathKey>): JsonMap {
  const root: JsonMap = {};
  const nodes: JsonMap[] = [];
  for (const k of members) {
    let node = root;
    for (const el of pathOf(k)) node = (node[el] ??= {}) as JsonMap;
    nodes.push(node);
  }
  for (const n of nodes) if (Object.keys(n).some((k) => k !== '.')) n['.'] = {};
  const sort = (n: JsonMap): JsonMap =>
    Object.fromEntries(
      Object.keys(n)
        .sort()
        .map((k) => [k, sort(n[k] as JsonMap)]),
    );
  return sort(root);
}

export function fromFieldsV1(tree: unknown): Set<PathKey> {
  const out = new Set<PathKey>();
  const walk = (n: unknown, path: string[]) => {
    if (!isPlainObject(n)) return;
    const children = Object.keys(n).filter((k) => k !== '.');
    if (path.length > 0 && (children.length === 0 || '.' in n)) out.add(pathKey(path));
    for (const c of children) walk(n[c], [...path, c]);
  };
  walk(tree, []);
  return out;
}

export function entriesOf(obj: KObject | undefined): Array<ManagedFieldsEntry & { set: Set<PathKey> }> {
  const raw = obj?.metadata.managedFields;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((e): e is ManagedFieldsEntry => isPlainObject(e) && typeof e.manager === 'string')
    .map((e) => ({ ...e, set: fromFieldsV1(e.fieldsV1) }));
}

export function serializeEntries(
  entries: Array<ManagedFieldsEntry & { set: Set<PathKey> }>,
): ManagedFieldsEntry[] | undefined {
  const out = entries
    .filter((e) => e.set.size > 0)
    .map(({ set, ...e }) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1(set),
      ...(e.subresource ? { subresource: e.subresource } : {}),
    }));
  return out.length > 0 ? out : undefined;
}

/** the manager of a request: ?fieldManager, else the User-Agent up to its first "/" (the apiserver's rule) */
export function managerOf(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  return (userAgent ?? '').split('/')[0]!.slice(0, 128);
}

/**
 * The managedFields after a non-apply write: the manager (operation Update) takes every field the
 * write added or changed, away from whoever had it; fields the write removed leave every set.
 */
export function recordUpdate(
  t: ResourceType,
  before: KObject | undefined,
  after: KObject,
  manager: string,
  time: string,
  subresource?: string,
): ManagedFieldsEntry[] | undefined {
  const entries = entriesOf(before);
  const scope: Scope = subresource === 'status' ? 'status' : 'main';
  const old = before
    ? membersOf(t, before, { withMaps: true, scope })
    : { all: new Set<PathKey>(), leaves: new Set<PathKey>() };
  const now = membersOf(t, after, { withMaps: true, scope });
  const present = membersOf(t, after, { withMaps: true, scope: 'all' });
  const changed = new Set<PathKey>();
  for (const k of now.all) {
    if (!old.all.has(k)) changed.add(k);
    else if (now.leaves.has(k) && !jsonEqual(valueAt(before, pathOf(k), t), valueAt(after, pathOf(k), t)))
      changed.add(k);
  }
  for (const e of entries) for (const k of [...e.set]) if (!present.all.has(k) || changed.has(k)) e.set.delete(k);
  if (changed.size > 0) {
    const apiVersion = apiVersionOf(t);
    let mine = entries.find(
      (e) =>
        e.manager === manager &&
        e.operation === 'Update' &&
        (e.subresource ?? '') === (subresource ?? '') &&
        e.apiVersion === apiVersion,
    );
    if (!mine) {
      mine = {
        manager,
        operation: 'Update',
        apiVersion,
        time,
        fieldsType: 'FieldsV1',
        fieldsV1: {},
        set: new Set(),
        ...(subresource ? { subresource } : {}),
      };
      entries.push(mine);
    }
    mine.time = time;
    for (const k of changed) mine.set.add(k);
  }
  return serializeEntries(entries);
}

/** an entry whose fields did not change keeps its time (so an apply that changes nothing writes nothing) */
export function keepTimes(next: ManagedFieldsEntry[] | undefined, before: unknown): ManagedFieldsEntry[] | undefined {
  if (!next || !Array.isArray(before)) return next;
  return next.map((e) => {
    const old = (before as ManagedFieldsEntry[]).find(
      (b) =>
        b.manager === e.manager &&
        b.operation === e.operation &&
        b.apiVersion === e.apiVersion &&
        (b.subresource ?? '') === (e.subresource ?? '') &&
        jsonEqual(b.fieldsV1, e.fieldsV1),
    );
    return old ? { ...e, time: old.time } : e;
  });
}

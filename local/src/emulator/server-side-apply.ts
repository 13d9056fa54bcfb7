// Server-side apply (PATCH application/apply-patch+yaml) for the subset users meet: the applied
// configuration is merged into the live object by the schema's list and map semantics; a field
// the applier sets to a different value than another manager owns is a conflict (409, the
// apiserver's message) unless forced, which moves the field to the applier; fields the applier
// owned and no longer applies are removed unless someone else owns them. Not covered: applying
// to a subresource, managers' apiVersion conversion, `$patch`-style directives, null values.
import { ApiError } from './status-errors';
import { apiVersionOf, type ResourceType } from './resource-table';
import { shapeForValue, shapeOfKind, type Shape } from './field-shapes';
import {
  entriesOf,
  findItem,
  membersOf,
  pathOf,
  printPath,
  removeAt,
  serializeEntries,
  valueAt,
  type ManagedFieldsEntry,
  type PathKey,
} from './managed-fields';
import { clone, isPlainObject, jsonEqual, type JsonMap, type KObject } from './object-types';

/** applied configuration merged into the live value, following the schema */
function merge(live: unknown, applied: unknown, declared: Shape): unknown {
  const shape = shapeForValue(declared, applied);
  if (shape.type === 'struct' && isPlainObject(applied)) {
    const out: JsonMap = isPlainObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) out[k] = merge(out[k], v, shape.field(k));
    return out;
  }
  if (shape.type === 'list-map' && Array.isArray(applied)) {
    const out = Array.isArray(live) ? [...(live as unknown[])] : [];
    for (const item of applied) {
      if (!isPlainObject(item)) continue;
      const existing = findItem(out, shape.keys, item);
      if (existing) out[out.indexOf(existing)] = merge(existing, item, shape.item);
      else out.push(item);
    }
    return out;
  }
  if (shape.type === 'list-set' && Array.isArray(applied)) {
    const out = Array.isArray(live) ? [...(live as unknown[])] : [];
    for (const v of applied) if (!out.some((x) => jsonEqual(x, v))) out.push(v);
    return out;
  }
  return clone(applied);
}

/** how a manager is named in a conflict: Update managers with the apiVersion they wrote with */
function printManager(e: ManagedFieldsEntry): string {
  const name = JSON.stringify(e.manager) + (e.subresource ? ` with subresource ${JSON.stringify(e.subresource)}` : '');
  return e.operation === 'Update' ? `${name} using ${e.apiVersion}` : name;
}

interface Conflict {
  manager: string;
  path: string;
}

function conflictError(conflicts: Conflict[]): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${conflicts[0]!.manager}: ${conflicts[0]!.path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort())
      lines.push(`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`));
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Conflict',
    details: {
      causes: conflicts.map((c) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with ${c.manager}`,
        field: c.path,
      })),
    },
    code: 409,
  });
}

export interface ApplyResult {
  /** the live object with the configuration applied, before defaulting and validation */
  merged: KObject;
  /** call with the object as it will be stored: the managedFields to store with it */
  managedFields: (stored: KObject) => ManagedFieldsEntry[] | undefined;
}

/** Apply `applied` for `manager` over `live` (undefined: the apply creates the object). Throws 409 on conflicts. */
export function serverSideApply(
  t: ResourceType,
  live: KObject | undefined,
  applied: KObject,
  manager: string,
  force: boolean,
  time: string,
): ApplyResult {
  const config = clone(applied);
  if (t.statusSubresource) delete config.status;
  const entries = entriesOf(live);
  const isMine = (e: ManagedFieldsEntry) => e.manager === manager && e.operation === 'Apply' && !e.subresource;
  const mine = entries.find(isMine);
  const appliedNow = membersOf(t, config, { withMaps: false, ref: live, scope: 'main' });

  const conflicts: Array<Conflict & { key: PathKey; entry: (typeof entries)[number] }> = [];
  for (const e of entries) {
    if (isMine(e)) continue;
    for (const k of appliedNow.leaves) {
      if (!e.set.has(k)) continue;
      const path = pathOf(k);
      if (!jsonEqual(valueAt(live, path, t), valueAt(config, path, t)))
        conflicts.push({ manager: printManager(e), path: printPath(path), key: k, entry: e });
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const c of conflicts) c.entry.set.delete(c.key);

  const merged = merge(live ?? {}, config, shapeOfKind(t)) as KObject;
  // what this manager applied before and applies no more goes, unless another manager keeps it
  for (const k of mine?.set ?? []) {
    if (appliedNow.all.has(k) || entries.some((e) => !isMine(e) && e.set.has(k))) continue;
    removeAt(merged, pathOf(k), t);
  }
  return {
    merged,
    managedFields: (stored) => {
      const set = membersOf(t, config, { withMaps: false, ref: stored, scope: 'main' }).all;
      const present = membersOf(t, stored, { withMaps: true, scope: 'all' }).all;
      const own = {
        manager,
        operation: 'Apply' as const,
        apiVersion: apiVersionOf(t),
        time,
        fieldsType: 'FieldsV1' as const,
        fieldsV1: {},
        set,
      };
      const rest = entries.filter((e) => !isMine(e));
      for (const e of rest) for (const k of [...e.set]) if (!present.has(k)) e.set.delete(k);
      const at = mine ? entries.indexOf(mine) : entries.length;
      const all = [...rest];
      all.splice(Math.min(at, all.length), 0, own);
      return serializeEntries(all);
    },
  };
}

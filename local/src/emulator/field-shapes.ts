// How server-side apply sees a field, read from the served OpenAPI v3 schemas as kube-openapi's
// schema conversion reads them: x-kubernetes-list-type/-list-map-keys/-map-type first, then the
// strategic-merge annotations (patch strategy "merge" with a merge key = a list keyed by it,
// without one = a set), else lists are atomic. Objects without a schema are granular maps.
import { openApiV3GroupVersion } from './openapi';
import type { JsonDoc } from './openapi-recorded';
import type { ResourceType } from './resource-table';

export type Shape =
  | { type: 'scalar' }
  | { type: 'atomic' }
  | {
      type: 'struct';
      field: (name: string) => Shape;
      /** keys are data (additionalProperties), not a fixed struct */ map: boolean;
    }
  | { type: 'list-map'; keys: string[]; item: Shape }
  | { type: 'list-set' };

const SCALAR: Shape = { type: 'scalar' };
const ATOMIC: Shape = { type: 'atomic' };
/** untyped objects (preserve-unknown-fields, missing schemas): every key its own field, see shapeForValue */
const UNTYPED: Shape = { type: 'struct', field: () => UNTYPED, map: true };

function resolve(schemas: Record<string, JsonDoc>, s: JsonDoc): JsonDoc {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const ref = typeof cur.$ref === 'string' ? cur.$ref : undefined;
    const all = Array.isArray(cur.allOf) && cur.allOf.length === 1 ? (cur.allOf[0] as JsonDoc) : undefined;
    const target = ref ?? (typeof all?.$ref === 'string' ? all.$ref : undefined);
    if (!target) return cur;
    const { $ref: _r, allOf: _a, ...rest } = cur;
    cur = { ...(schemas[target.replace('#/components/schemas/', '')] ?? {}), ...rest };
  }
  return cur;
}

function shapeOf(schemas: Record<string, JsonDoc>, raw: JsonDoc): Shape {
  const s = resolve(schemas, raw);
  if (s['x-kubernetes-map-type'] === 'atomic') return ATOMIC;
  if (s['x-kubernetes-int-or-string'] === true) return SCALAR;
  if (s.type === 'array') {
    const listType = s['x-kubernetes-list-type'];
    const mergeKey = s['x-kubernetes-patch-merge-key'];
    const strategy = s['x-kubernetes-patch-strategy'];
    const merge = typeof strategy === 'string' && strategy.split(',').includes('merge');
    const item = (s.items ?? {}) as JsonDoc;
    if (listType === 'map' && Array.isArray(s['x-kubernetes-list-map-keys']))
      return { type: 'list-map', keys: s['x-kubernetes-list-map-keys'] as string[], item: shapeOf(schemas, item) };
    if (listType === 'set') return { type: 'list-set' };
    if (listType === 'atomic') return ATOMIC;
    if (merge && typeof mergeKey === 'string')
      return { type: 'list-map', keys: [mergeKey], item: shapeOf(schemas, item) };
    if (merge) return { type: 'list-set' };
    return ATOMIC;
  }
  const props = s.properties as Record<string, JsonDoc> | undefined;
  const additional = s.additionalProperties;
  if (props || (additional && typeof additional === 'object') || s.type === 'object') {
    const memo = new Map<string, Shape>();
    return {
      type: 'struct',
      map: !props,
      field: (name) => {
        let f = memo.get(name);
        if (!f) {
          const child =
            props?.[name] ?? (additional && typeof additional === 'object' ? (additional as JsonDoc) : undefined);
          f = child ? shapeOf(schemas, child) : UNTYPED;
          memo.set(name, f);
        }
        return f;
      },
    };
  }
  return s.type === undefined && s['x-kubernetes-preserve-unknown-fields'] === true ? UNTYPED : SCALAR;
}

/** the shape a value takes where no schema says: objects are granular, anything else atomic */
export function shapeForValue(shape: Shape, value: unknown): Shape {
  if (shape !== UNTYPED) return shape;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? UNTYPED : ATOMIC;
}

const cache = new Map<ResourceType, Shape>();

/** the root shape of a kind, from the served OpenAPI v3 document of its group-version */
export function shapeOfKind(t: ResourceType): Shape {
  let s = cache.get(t);
  if (s) return s;
  const doc = openApiV3GroupVersion(t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`);
  const schemas = ((doc?.components as JsonDoc | undefined)?.schemas ?? {}) as Record<string, JsonDoc>;
  const root = Object.values(schemas).find((d) =>
    ((d['x-kubernetes-group-version-kind'] ?? []) as Array<{ group: string; version: string; kind: string }>).some(
      (g) => g.group === t.group && g.version === t.version && g.kind === t.kind,
    ),
  );
  s = root ? shapeOf(schemas, root) : UNTYPED;
  cache.set(t, s);
  return s;
}

// /openapi/v2 and /openapi/v3 as the real apiserver serves them: the built-in group-versions are the
// documents recorded from kube-apiserver 1.26 (openapi-recorded.ts), cut down to the resources this
// emulator serves; the custom resources' parts are built from crds/ (openapi-crds.ts). kubectl reads
// them for `explain`, for client-side validation (which also checks every item of a `kind: List`),
// to learn that the server validates fields itself (the fieldValidation parameter on PATCH), and
// for the patch strategies behind `kubectl apply`.
import { createHash } from 'node:crypto';
import { groupVersions, RESOURCE_TABLE, type ResourceType } from './resource-table';
import { recordedOpenApi, type JsonDoc } from './openapi-recorded';
import { crdDefinitions, definitionName } from './openapi-crds';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const hashOf = (s: string) => createHash('sha512').update(s).digest('hex').toUpperCase();

/** the resource (plural) a recorded path is about: /api/v1/namespaces/{namespace}/configmaps/{name} -> configmaps */
function resourceOfPath(path: string, prefix: string): string | undefined {
  const segs = path.slice(prefix.length).split('/').filter(Boolean);
  if (segs[0] === 'watch') segs.shift();
  if (segs.length === 0) return undefined;
  return segs[0] === 'namespaces' && segs[1] === '{namespace}' && segs.length >= 3 ? segs[2] : segs[0];
}

/** recorded paths, keeping the group-version's own root and the resources the table serves */
function servedPaths(
  paths: Record<string, JsonDoc>,
  rows: readonly ResourceType[],
  gv: string,
): Record<string, JsonDoc> {
  const prefix = `/${gv}/`;
  const served = new Set(rows.map((t) => t.resource));
  return Object.fromEntries(
    Object.entries(paths).filter(([p]) => {
      if (!p.startsWith(prefix)) return false;
      const r = resourceOfPath(p, prefix);
      return r === undefined || served.has(r);
    }),
  );
}

const META_SCHEMAS = [
  'DeleteOptions',
  'FieldsV1',
  'ListMeta',
  'ManagedFieldsEntry',
  'ObjectMeta',
  'OwnerReference',
  'Patch',
  'Preconditions',
  'Status',
  'StatusCause',
  'StatusDetails',
  'Time',
].map((n) => `io.k8s.apimachinery.pkg.apis.meta.v1.${n}`);

const PARAM_DOCS: Record<string, string> = {
  dryRun:
    'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error ' +
    'response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
  fieldManager:
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters ' +
    'long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
  fieldValidation:
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields.',
  force:
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by ' +
    'other people. Force flag must be unset for non-apply patch requests.',
};

/** the operations the apiextensions apiserver publishes for a custom resource (the parts clients read) */
function crdPaths(t: ResourceType): Record<string, JsonDoc> {
  const base = `/${gvPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}`;
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const schema = (kind: string) => ({ $ref: `#/components/schemas/${definitionName(t.group, t.version, kind)}` });
  const param = (name: string) => ({
    name,
    in: 'query',
    description: PARAM_DOCS[name],
    schema: { type: 'string', uniqueItems: true },
  });
  const body = (types: string[], kind = t.kind) => ({
    content: Object.fromEntries(
      types.map((ct) => [
        ct,
        {
          schema: ct.includes('patch')
            ? { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' }
            : schema(kind),
        },
      ]),
    ),
  });
  const ok = (kind: string) => ({
    '200': {
      description: 'OK',
      content: { 'application/json': { schema: schema(kind) }, 'application/yaml': { schema: schema(kind) } },
    },
    '401': { description: 'Unauthorized' },
  });
  const op = (action: string, kind: string, extra: JsonDoc = {}) => ({
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: ok(kind),
    ...extra,
  });
  const writes = [param('dryRun'), param('fieldManager'), param('fieldValidation')];
  const patch = op('patch', t.kind, {
    parameters: [...writes, param('force')],
    requestBody: body(['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']),
  });
  const item: JsonDoc = {
    get: op('get', t.kind),
    put: op('put', t.kind, { parameters: writes, requestBody: body(['application/json', 'application/yaml']) }),
    patch,
    delete: op('delete', 'Status'),
  };
  const out: Record<string, JsonDoc> = {
    [base]: {
      get: op('list', `${t.kind}List`),
      post: op('post', t.kind, { parameters: writes, requestBody: body(['application/json', 'application/yaml']) }),
      delete: op('deletecollection', 'Status'),
    },
    [`${base}/{name}`]: item,
  };
  if (t.namespaced) out[`/${gvPath(t.group, t.version)}/${t.resource}`] = { get: op('list', `${t.kind}List`) };
  if (t.statusSubresource) out[`${base}/{name}/status`] = { get: item.get, put: item.put, patch };
  return out;
}

interface Built {
  v3: Map<string, JsonDoc | null>;
  root?: JsonDoc;
  v2?: JsonDoc;
}
/** built once per served table (an emulator that installs an optional CRD gets a new table) */
const built = new WeakMap<readonly ResourceType[], Built>();
function cacheFor(table: readonly ResourceType[]): Built {
  let b = built.get(table);
  if (!b) built.set(table, (b = { v3: new Map() }));
  return b;
}

export function openApiV3GroupVersion(
  path: string,
  table: readonly ResourceType[] = RESOURCE_TABLE,
): JsonDoc | undefined {
  const gv = path.replace(/^\/+|\/+$/g, '');
  const v3Docs = cacheFor(table).v3;
  if (!v3Docs.has(gv)) v3Docs.set(gv, buildV3(gv, table) ?? null);
  return v3Docs.get(gv) ?? undefined;
}

function buildV3(gv: string, table: readonly ResourceType[]): JsonDoc | undefined {
  const rows = table.filter((t) => gvPath(t.group, t.version) === gv);
  if (rows.length === 0) return undefined;
  const recorded = recordedOpenApi().v3;
  const doc = recorded[gv];
  if (doc) return { ...doc, paths: servedPaths(doc.paths, rows, gv) };
  if (!rows.every((t) => t.custom)) return undefined;
  const core = recorded['api/v1']!.components.schemas;
  // the apiextensions apiserver publishes the meta types without the built-in groups' GVK lists
  const schemas: Record<string, JsonDoc> = Object.fromEntries(
    META_SCHEMAS.map((n) => {
      const { 'x-kubernetes-group-version-kind': _gvk, ...schema } = core[n]!;
      return [n, schema];
    }),
  );
  let paths: Record<string, JsonDoc> = {};
  for (const t of rows) {
    Object.assign(schemas, crdDefinitions(t, 'v3'));
    paths = { ...paths, ...crdPaths(t) };
  }
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths,
    components: { schemas: sorted },
  };
}

export function openApiV3Root(table: readonly ResourceType[] = RESOURCE_TABLE): JsonDoc {
  const cache = cacheFor(table);
  if (cache.root) return cache.root;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [group, versions] of groupVersions(table)) {
    for (const v of versions) {
      const p = gvPath(group, v);
      const doc = openApiV3GroupVersion(p, table);
      if (doc) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(JSON.stringify(doc))}` };
    }
  }
  cache.root = { paths };
  return cache.root;
}

/** one Swagger 2.0 document: the recorded built-in paths/definitions plus the CRDs' definitions */
export function openApiV2(table: readonly ResourceType[] = RESOURCE_TABLE): JsonDoc {
  const cache = cacheFor(table);
  if (cache.v2) return cache.v2;
  const rec = recordedOpenApi().v2;
  let paths: Record<string, JsonDoc> = {};
  const definitions: Record<string, JsonDoc> = { ...rec.definitions };
  for (const [group, versions] of groupVersions(table)) {
    for (const version of versions) {
      const rows = table.filter((t) => t.group === group && t.version === version);
      const gv = gvPath(group, version);
      paths = { ...paths, ...servedPaths(rec.paths, rows, gv) };
      for (const t of rows) if (t.custom) Object.assign(definitions, crdDefinitions(t, 'v2'));
    }
  }
  cache.v2 = { swagger: rec.swagger, info: rec.info, paths, definitions };
  return cache.v2;
}

// The custom resources' OpenAPI parts, built from the CRDs in crds/ the way the apiextensions
// apiserver builds them from an installed CRD: the version's openAPIV3Schema as it is, with the
// standard apiVersion/kind/metadata properties put in, an x-kubernetes-group-version-kind, a
// <Kind>List beside it, named by the reversed group (serving.knative.dev -> dev.knative.serving.v1.Service).
// A real-tier contract case compares the result with what the real apiserver serves for the same CRD.
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ResourceType } from './resource-table';
import type { JsonDoc } from './openapi-recorded';

const CRD_DIR = new URL('../../../crds/', import.meta.url);

interface CrdVersion {
  name: string;
  schema?: { openAPIV3Schema?: JsonDoc };
}
interface Crd {
  kind?: string;
  spec?: { group?: string; names?: { plural?: string }; versions?: CrdVersion[] };
}

let crds: Crd[] | undefined;

function loadCrds(): Crd[] {
  if (crds) return crds;
  crds = [];
  for (const group of readdirSync(CRD_DIR, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const f of readdirSync(new URL(`${group.name}/`, CRD_DIR))) {
      if (!f.endsWith('.yaml')) continue;
      const doc = parse(readFileSync(new URL(`${group.name}/${f}`, CRD_DIR), 'utf8')) as Crd;
      if (doc?.kind === 'CustomResourceDefinition') crds.push(doc);
    }
  }
  return crds;
}

/** the openAPIV3Schema of one served custom resource version, or undefined when crds/ lacks it */
export function crdSchema(t: ResourceType): JsonDoc | undefined {
  const crd = loadCrds().find((c) => c.spec?.group === t.group && c.spec.names?.plural === t.resource);
  return crd?.spec?.versions?.find((v) => v.name === t.version)?.schema?.openAPIV3Schema;
}

/** the definition name the apiserver gives a kind: the group's DNS labels reversed */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const API_VERSION_DOC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject ' +
  'unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be ' +
  'updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

export type Dialect = 'v2' | 'v3';

const refTo = (dialect: Dialect, name: string) =>
  dialect === 'v3' ? `#/components/schemas/${name}` : `#/definitions/${name}`;

/** a property that is a reference: v3 wraps it in allOf to keep its description, v2 puts both side by side */
function refProperty(dialect: Dialect, name: string, description: string): JsonDoc {
  return dialect === 'v3'
    ? { description, allOf: [{ $ref: refTo(dialect, name) }] }
    : { description, $ref: refTo(dialect, name) };
}

/**
 * What the apiserver drops when it publishes a CRD schema in OpenAPI v2 (which has no nullable,
 * oneOf/anyOf/allOf/not or defaults): nullable and preserve-unknown-fields nodes lose their type and
 * structure, as kube-openapi's v2 conversion does.
 */
export function toOpenApiV2(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApiV2);
  if (!schema || typeof schema !== 'object') return schema;
  const s = { ...(schema as JsonDoc) };
  for (const k of ['default', 'oneOf', 'anyOf', 'allOf', 'not']) delete s[k];
  if (s.nullable === true || s['x-kubernetes-preserve-unknown-fields'] === true) {
    delete s.type;
    delete s.properties;
    delete s.items;
    delete s.additionalProperties;
  }
  delete s.nullable;
  if (s.properties && typeof s.properties === 'object')
    s.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toOpenApiV2(v)]));
  if (s.items) s.items = toOpenApiV2(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    s.additionalProperties = toOpenApiV2(s.additionalProperties);
  return s;
}

/** the object and list definitions of one custom resource version, in either dialect */
export function crdDefinitions(t: ResourceType, dialect: Dialect): Record<string, JsonDoc> {
  const raw = crdSchema(t) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const schema = (dialect === 'v2' ? toOpenApiV2(raw) : raw) as JsonDoc;
  const props = (schema.properties ?? {}) as Record<string, JsonDoc>;
  const name = definitionName(t.group, t.version, t.kind);
  const gvk = (kind: string) => [{ group: t.group, kind, version: t.version }];
  const standard = {
    apiVersion: { description: API_VERSION_DOC, type: 'string' },
    kind: { description: KIND_DOC, type: 'string' },
  };
  const object: JsonDoc = {
    ...schema,
    properties: {
      ...standard,
      metadata: refProperty(
        dialect,
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
        "Standard object's metadata. More info: " +
          'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
      ),
      ...Object.fromEntries(Object.entries(props).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k))),
    },
    'x-kubernetes-group-version-kind': gvk(t.kind),
  };
  const list: JsonDoc = {
    description: `${t.kind}List is a list of ${t.kind}`,
    required: ['items'],
    properties: {
      apiVersion: standard.apiVersion,
      items: {
        description: `List of ${t.resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        type: 'array',
        items: { $ref: refTo(dialect, name) },
      },
      kind: standard.kind,
      metadata: refProperty(
        dialect,
        'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
        'Standard list metadata. More info: ' +
          'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
      ),
    },
    'x-kubernetes-group-version-kind': gvk(`${t.kind}List`),
  };
  return { [name]: object, [`${name}List`]: list };
}

// A CRD version's openAPIV3Schema as the API server applies it, compiled with ajv: shared by the
// manifest checks (every custom resource in the repository) and by functions that must not write an
// object the API server would reject (routes validates each VirtualService it renders).
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { asRecord } from './kube-object';

type Schema = Record<string, unknown>;

/**
 * The schema as the API server applies it: `additionalProperties: false` wherever an object lists
 * its properties and does not preserve unknown fields. Only the structural path (properties,
 * items, additionalProperties) is tightened, never allOf/anyOf/oneOf/not branches: those only add
 * constraints, and a closed branch would reject the keys its siblings define.
 */
export function closeSchema(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  const properties = asRecord(schema.properties);
  if (schema.properties !== undefined) {
    copy.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, closeSchema(asRecord(v))]));
    if (schema['x-kubernetes-preserve-unknown-fields'] !== true && schema.additionalProperties === undefined) {
      copy.additionalProperties = false;
    }
  }
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
    copy.items = closeSchema(asRecord(schema.items));
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    copy.additionalProperties = closeSchema(asRecord(schema.additionalProperties));
  }
  return copy;
}

/** Every object may carry apiVersion, kind and metadata, whether or not its CRD's root lists them. */
export function withTypeMeta(schema: Schema): Schema {
  const typeMeta = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  return { ...schema, properties: { ...typeMeta, ...asRecord(schema.properties) } };
}

export function createCrdAjv(): Ajv {
  // strict: false because CRD schemas carry x-kubernetes-* keywords ajv does not know.
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  // OpenAPI/Kubernetes formats ajv-formats does not define; the type keyword still applies.
  for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'int-or-string', 'quantity']) {
    ajv.addFormat(format, true);
  }
  return ajv;
}

export function describeSchemaError(e: ErrorObject): string {
  const where = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
    return `${where === '(root)' ? '' : `${where}.`}${key}: unknown field`;
  }
  return `${where}: ${e.message ?? e.keyword}`;
}

// JSON schemas for each accepted event type's data, compiled once at start-up (ajv code-generates
// a validator per schema, which is too slow to do per request).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PING_TYPE, REF_TYPE_PREFIX, RESOURCE_TYPE_PREFIX } from '../core/parse-target';

const name = { type: 'string', minLength: 1, maxLength: 253 };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

/** dev.knative.apiserver.resource.*: the whole Kubernetes object, as the watch delivered it. */
export const RESOURCE_SCHEMA = {
  type: 'object',
  required: ['kind', 'metadata'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string', minLength: 1 },
    metadata: {
      type: 'object',
      required: ['name', 'namespace'],
      properties: {
        name,
        namespace: name,
        labels: stringMap,
        annotations: stringMap,
        resourceVersion: { type: 'string' },
      },
    },
    data: stringMap,
    binaryData: stringMap,
  },
} as const;

/** dev.knative.apiserver.ref.*: a corev1.ObjectReference (no data, no version). */
export const REF_SCHEMA = {
  type: 'object',
  required: ['kind', 'name', 'namespace'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string', minLength: 1 }, name, namespace: name },
} as const;

export interface DataError {
  field: string;
  detail: string;
}

export type DataValidator = (type: string, data: unknown) => DataError | undefined;

export function compileDataValidators(): DataValidator {
  const ajv = new Ajv({ allErrors: false, strict: true });
  const resource = ajv.compile(RESOURCE_SCHEMA);
  const ref = ajv.compile(REF_SCHEMA);
  return (type, data) => {
    if (type === PING_TYPE) return undefined; // a PingSource's data is whatever the user configured
    const validate: ValidateFunction | undefined = type.startsWith(RESOURCE_TYPE_PREFIX)
      ? resource
      : type.startsWith(REF_TYPE_PREFIX)
        ? ref
        : undefined;
    if (!validate || validate(data)) return undefined;
    return describeError(validate.errors?.[0]);
  };
}

function describeError(error: ErrorObject | undefined): DataError {
  if (!error) return { field: 'data', detail: 'does not match its schema' };
  const path = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required') path.push(String((error.params as { missingProperty: string }).missingProperty));
  const field = ['data', ...path].join('.');
  return { field, detail: error.keyword === 'required' ? 'is required' : `${error.message ?? 'is invalid'}` };
}

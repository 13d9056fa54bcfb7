// Built-in kinds against the real Kubernetes OpenAPI, with unknown fields rejected.
//
// Two well-kept packages generated from the same upstream OpenAPI document:
// - kubernetes-models' validate(): types, required fields, enums, formats. It lets unknown fields
//   through (its generated validators have no additionalProperties: false, and they ship compiled,
//   so they cannot be recompiled stricter);
// - @kubernetes/client-node's model classes: each lists every field of its type (attributeTypeMap),
//   which is what finding unknown fields needs. The API server's strict field validation does the same.
import * as k8s from '@kubernetes/client-node';
import { asRecord, groupOf, versionOf, type KubeObject } from './kube-object';

interface AttributeType {
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): AttributeType[] };

const models = k8s as unknown as Record<string, ModelClass | undefined>;
const PRIMITIVES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'IntOrString', 'object']);

/** client-node's model name for a kind: `apps/v1` Deployment -> V1Deployment. */
export function modelNameOf(apiVersion: string, kind: string): string {
  const version = versionOf(apiVersion);
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

function modelOf(type: string): ModelClass | undefined {
  const model = models[type];
  return typeof model?.getAttributeTypeMap === 'function' ? model : undefined;
}

/** Paths (`spec.template.spec.containers[0].imagePullPolicyy`) of fields the type does not define. */
export function findUnknownFields(value: unknown, type: string, path = ''): string[] {
  if (value === null || value === undefined || PRIMITIVES.has(type)) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, i) => findUnknownFields(item, array[1] as string, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    return Object.entries(asRecord(value)).flatMap(([k, v]) => findUnknownFields(v, map[1] as string, `${path}.${k}`));
  }
  const model = modelOf(type);
  if (!model || typeof value !== 'object' || Array.isArray(value)) return []; // wrong types: kubernetes-models says so
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  const unknown: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childPath = path ? `${path}.${key}` : key;
    const childType = attributes.get(key);
    if (childType === undefined) unknown.push(childPath);
    else unknown.push(...findUnknownFields(child, childType, childPath));
  }
  return unknown;
}

type ModelModule = Record<string, (new (data: unknown) => { validate(): void }) | undefined>;
const moduleCache = new Map<string, Promise<ModelModule | undefined>>();

/** kubernetes-models' class for a kind, e.g. `kubernetes-models/apps/v1` -> Deployment. */
async function typedModelOf(apiVersion: string, kind: string) {
  const group = groupOf(apiVersion);
  const specifier = `kubernetes-models/${group ? `${group}/` : ''}${versionOf(apiVersion)}`;
  if (!moduleCache.has(specifier)) {
    moduleCache.set(
      specifier,
      import(specifier).then(
        (m) => m as ModelModule,
        () => undefined,
      ),
    );
  }
  return (await moduleCache.get(specifier))?.[kind];
}

// API groups served by Kubernetes itself (a CRD's group, e.g. serving.knative.dev, never is: its
// `Service` is not the core Service even though the model names would match).
const BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'rbac.authorization.k8s.io',
  'networking.k8s.io',
  'storage.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
]);

/** True for a built-in Kubernetes kind that both packages know. */
export function isBuiltinKind(object: KubeObject): boolean {
  return (
    BUILTIN_GROUPS.has(groupOf(object.apiVersion)) && modelOf(modelNameOf(object.apiVersion, object.kind)) !== undefined
  );
}

/** Every schema problem of a built-in object, as readable lines; [] when it is valid. */
export async function validateBuiltin(object: KubeObject): Promise<string[]> {
  const modelName = modelNameOf(object.apiVersion, object.kind);
  if (!isBuiltinKind(object)) return [`no built-in schema for ${object.apiVersion} ${object.kind}`];
  const errors = findUnknownFields(object, modelName).map((p) => `${p}: unknown field`);
  const Typed = await typedModelOf(object.apiVersion, object.kind);
  if (!Typed) return [...errors, `kubernetes-models has no ${object.apiVersion} ${object.kind}`];
  try {
    new Typed(object).validate();
  } catch (err) {
    // kubernetes-models joins ajv's messages ("data/spec/replicas must be integer, ...").
    const text = err instanceof Error ? err.message : String(err);
    errors.push(...text.split(/,\s*(?=data)/).map((line) => line.trim()));
  }
  return errors;
}

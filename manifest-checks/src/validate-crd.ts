// Custom resources (Knative, Istio, OpenFaaS) against the upstream CRDs in crds/.
//
// A CRD's openAPIV3Schema is compiled once per kind with ajv, after one change that the API server
// makes too: an object schema that lists `properties` rejects other keys (the API server prunes or,
// with strict field validation, rejects them) unless it carries x-kubernetes-preserve-unknown-fields.
// Not checked: x-kubernetes-validations (CEL rules; no CEL engine here) and what only the Knative/
// Istio webhooks enforce (see crds/SOURCES.md).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { closeSchema, createCrdAjv, describeSchemaError, withTypeMeta } from './crd-schema';
import { parse } from 'yaml';
import { asArray, asRecord, groupOf, versionOf, type KubeObject } from './kube-object';
import { repoPath } from './repo-paths';
import { findUnknownFields } from './validate-builtin';

export { closeSchema } from './crd-schema';

type Schema = Record<string, unknown>;

interface CrdVersion {
  name: string;
  served: boolean;
  schema: Schema;
}

interface Crd {
  group: string;
  kind: string;
  versions: CrdVersion[];
}

export const crdDir = repoPath('crds');

/** Reads every CRD under crds/, keyed `group/Kind`. */
export async function loadCrds(dir = crdDir): Promise<Map<string, Crd>> {
  const crds = new Map<string, Crd>();
  for (const group of await readdir(dir, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const file of await readdir(join(dir, group.name))) {
      if (!file.endsWith('.yaml')) continue;
      const doc = asRecord(parse(await readFile(join(dir, group.name, file), 'utf8')));
      const spec = asRecord(doc.spec);
      const kind = String(asRecord(spec.names).kind);
      const versions = asArray(spec.versions).map((v) => {
        const version = asRecord(v);
        return {
          name: String(version.name),
          served: version.served === true,
          schema: asRecord(asRecord(version.schema).openAPIV3Schema),
        };
      });
      crds.set(`${String(spec.group)}/${kind}`, { group: String(spec.group), kind, versions });
    }
  }
  return crds;
}

export interface CrdValidator {
  /** True when a CRD defines the object's group and kind. */
  knows(object: KubeObject): boolean;
  /** Every schema problem, as readable lines; [] when valid. */
  validate(object: KubeObject): string[];
}

export async function createCrdValidator(dir = crdDir): Promise<CrdValidator> {
  const crds = await loadCrds(dir);
  const ajv = createCrdAjv();
  const compiled = new Map<string, ValidateFunction>();

  const crdOf = (object: KubeObject) => crds.get(`${groupOf(object.apiVersion)}/${object.kind}`);

  return {
    knows: (object) => crdOf(object) !== undefined,
    validate(object) {
      const crd = crdOf(object);
      if (!crd) return [`no CRD for ${object.apiVersion} ${object.kind} in ${dir}`];
      const version = crd.versions.find((v) => v.name === versionOf(object.apiVersion));
      if (!version?.served) {
        const served = crd.versions.filter((v) => v.served).map((v) => `${crd.group}/${v.name}`);
        return [`apiVersion ${object.apiVersion} is not served by the CRD (served: ${served.join(', ')})`];
      }
      const key = `${crd.group}/${version.name}/${crd.kind}`;
      let validate = compiled.get(key);
      if (!validate) {
        validate = ajv.compile(closeSchema(withTypeMeta(version.schema)));
        compiled.set(key, validate);
      }
      const errors = validate(object) ? [] : (validate.errors ?? []).map(describeSchemaError);
      // CRD schemas leave metadata open (the API server validates ObjectMeta itself): do that too.
      errors.push(...findUnknownFields(object.metadata, 'V1ObjectMeta', 'metadata').map((p) => `${p}: unknown field`));
      return [...new Set(errors)];
    },
  };
}

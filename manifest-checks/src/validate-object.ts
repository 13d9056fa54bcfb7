import type { KubeObject } from './kube-object';
import type { CrdValidator } from './validate-crd';
import { isBuiltinKind, validateBuiltin } from './validate-builtin';

/** Schema problems of any object: built-in kinds by the Kubernetes OpenAPI, others by their CRD. */
export async function validateObject(object: KubeObject, crds: CrdValidator): Promise<string[]> {
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    return ['apiVersion and kind must be strings'];
  }
  if (typeof object.metadata?.name !== 'string' || object.metadata.name === '') return ['metadata.name is required'];
  if (crds.knows(object)) return crds.validate(object);
  if (isBuiltinKind(object)) return validateBuiltin(object);
  return [`no schema known for ${object.apiVersion} ${object.kind} (neither built in nor a CRD in crds/)`];
}

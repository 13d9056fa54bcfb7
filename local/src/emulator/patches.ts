// The three patch types the apiserver accepts as bodies of PATCH (server-side apply is not emulated).
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { isPlainObject } from './object-types';
import { PatchError, strategicMerge } from './strategic-merge';

export type PatchType = 'json' | 'merge' | 'strategic';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Apply a parsed patch body; throws PatchError with the apiserver-like reason on a bad patch. */
export function applyPatch(type: PatchType, original: unknown, patch: unknown): unknown {
  switch (type) {
    case 'merge':
      if (!isPlainObject(patch))
        throw new PatchError('json: cannot unmarshal patch into Go value of type map[string]interface {}');
      return mergePatch(original, patch);
    case 'strategic':
      if (!isPlainObject(patch))
        throw new PatchError(
          'unable to unmarshal patch: json: cannot unmarshal into Go value of type map[string]interface {}',
        );
      return strategicMerge(original, patch);
    case 'json': {
      if (!Array.isArray(patch))
        throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      const ops = patch as Operation[];
      for (const op of ops) {
        if (!isPlainObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
          throw new PatchError('json: cannot unmarshal patch operation: each operation needs "op" and "path"');
      }
      try {
        return fastJsonPatch.applyPatch(structuredClone(original), ops, true, true).newDocument;
      } catch (e) {
        throw new PatchError(describeJsonPatchError(e), 422);
      }
    }
  }
}

function describeJsonPatchError(e: unknown): string {
  const err = e as { name?: string; message?: string; operation?: { op?: string; path?: string } };
  if (err.name === 'TEST_OPERATION_FAILED') return `testing value ${err.operation?.path ?? ''} failed: test failed`;
  if (err.name === 'OPERATION_PATH_UNRESOLVABLE')
    return `replace operation does not apply: doc is missing path: ${err.operation?.path ?? ''}: missing value`;
  return (err.message ?? String(e)).split('\n')[0] ?? 'invalid patch';
}

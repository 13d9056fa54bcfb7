import { groupOf, type Rendered } from '../kube-object';
import { isKnativeService } from '../pod-templates';
import { violation, type Violation } from '../violation';

/**
 * No two objects of the sets applied together share (group, kind, namespace, name): the later
 * apply would silently overwrite the earlier one. A Knative Service also claims a core Service of
 * its own name (Knative creates it), so that pair counts as a collision too.
 */
export function checkNameCollisions(renders: Rendered[]): Violation[] {
  const seen = new Map<string, string>();
  const out: Violation[] = [];
  for (const render of renders) {
    for (const object of render.objects) {
      const ns = object.metadata.namespace ?? '';
      const keys = [`${groupOf(object.apiVersion)}/${object.kind}/${ns}/${object.metadata.name}`];
      if (isKnativeService(object)) keys.push(`/Service/${ns}/${object.metadata.name}`);
      for (const key of keys) {
        const first = seen.get(key);
        if (first === undefined) seen.set(key, render.source);
        else {
          const what = key === keys[0] ? 'the same kind and name' : 'the core Service Knative creates for it';
          out.push(
            violation(object, 'collision', `${what} is already defined by ${first} (applied with ${render.source})`),
          );
        }
      }
    }
  }
  return out;
}

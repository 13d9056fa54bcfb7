import { asArray, asRecord, dig, type KubeObject } from '../kube-object';
import { podTemplateOf } from '../pod-templates';
import { violation, type Violation } from '../violation';
import { TRIGGER_ANNOTATION } from './source-selector';

export const OPT_IN_ANNOTATION = 'rolling.restart.controller/restartOnTrigger';

/** Names of the ConfigMaps a pod template uses: volumes, projected sources, envFrom, env valueFrom. */
export function configMapsUsedBy(object: KubeObject): string[] {
  const template = podTemplateOf(object);
  if (!template) return [];
  const names = new Set<string>();
  for (const volume of asArray(template.spec.volumes)) {
    const direct = dig(volume, 'configMap', 'name');
    if (typeof direct === 'string') names.add(direct);
    for (const source of asArray(dig(volume, 'projected', 'sources'))) {
      const projected = dig(source, 'configMap', 'name');
      if (typeof projected === 'string') names.add(projected);
    }
  }
  for (const c of [...template.containers, ...template.initContainers]) {
    for (const from of asArray(c.envFrom)) {
      const name = dig(from, 'configMapRef', 'name');
      if (typeof name === 'string') names.add(name);
    }
    for (const env of asArray(c.env)) {
      const name = dig(asRecord(env), 'valueFrom', 'configMapKeyRef', 'name');
      if (typeof name === 'string') names.add(name);
    }
  }
  return [...names];
}

/**
 * A workload that opted in to restarts uses at least one ConfigMap, each one is deployed with it,
 * and each one asks for restarts: otherwise the restart function has nothing to react to.
 */
export function checkConfigReferences(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  for (const object of objects) {
    if (object.metadata.annotations?.[OPT_IN_ANNOTATION] !== 'true') continue;
    const used = configMapsUsedBy(object);
    if (used.length === 0)
      out.push(violation(object, 'config-reference', `has ${OPT_IN_ANNOTATION} but uses no ConfigMap`));
    for (const name of used) {
      const cm = objects.find(
        (o) =>
          o.apiVersion === 'v1' &&
          o.kind === 'ConfigMap' &&
          o.metadata.name === name &&
          o.metadata.namespace === object.metadata.namespace,
      );
      if (!cm) out.push(violation(object, 'config-reference', `uses ConfigMap/${name}, which is not deployed with it`));
      else if (cm.metadata.annotations?.[TRIGGER_ANNOTATION] !== 'true') {
        out.push(
          violation(object, 'config-reference', `uses ConfigMap/${name}, which lacks ${TRIGGER_ANNOTATION}: "true"`),
        );
      }
    }
  }
  return out;
}

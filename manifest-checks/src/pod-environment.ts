// What a container of a rendered pod template would see, resolved from the rendered objects the way
// the kubelet does it: env values, configMapKeyRef, fieldRef to the pod's labels, and ConfigMap
// volumes (written to a local folder standing in for the mount).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asArray, asRecord, asStringMap, asText, dig, type KubeObject } from './kube-object';
import { podTemplateOf } from './pod-templates';

export interface ResolvedContainer {
  env: Record<string, string>;
  /** mountPath -> local folder holding the ConfigMap's keys as files. */
  mounts: Record<string, string>;
}

function configMap(objects: KubeObject[], name: string, namespace: string | undefined): Record<string, string> {
  const cm = objects.find(
    (o) =>
      o.apiVersion === 'v1' && o.kind === 'ConfigMap' && o.metadata.name === name && o.metadata.namespace === namespace,
  );
  if (!cm) throw new Error(`ConfigMap/${name} is not among the rendered objects`);
  return asStringMap(cm.data);
}

export async function resolveContainer(
  workload: KubeObject,
  containerName: string,
  objects: KubeObject[],
  scratch: string,
): Promise<ResolvedContainer> {
  const template = podTemplateOf(workload);
  const container = template?.containers.find((c) => c.name === containerName);
  if (!template || !container)
    throw new Error(`no container ${containerName} in ${workload.kind}/${workload.metadata.name}`);
  const ns = workload.metadata.namespace;
  const env: Record<string, string> = {};
  for (const e of asArray(container.env).map(asRecord)) {
    const name = String(e.name);
    if (typeof e.value === 'string') env[name] = e.value;
    const keyRef = asRecord(dig(e, 'valueFrom', 'configMapKeyRef'));
    if (keyRef.name !== undefined) {
      const value = configMap(objects, asText(keyRef.name), ns)[String(keyRef.key)];
      if (value === undefined)
        throw new Error(`${name}: ConfigMap/${asText(keyRef.name)} has no key ${String(keyRef.key)}`);
      env[name] = value;
    }
    const fieldPath = dig(e, 'valueFrom', 'fieldRef', 'fieldPath');
    const label = typeof fieldPath === 'string' ? /^metadata\.labels\['(.+)'\]$/.exec(fieldPath)?.[1] : undefined;
    if (label !== undefined) env[name] = template.labels[label] ?? '';
  }
  const mounts: Record<string, string> = {};
  for (const m of asArray(container.volumeMounts).map(asRecord)) {
    const volume = asArray(template.spec.volumes)
      .map(asRecord)
      .find((v) => v.name === m.name);
    const cmName = dig(volume, 'configMap', 'name');
    if (typeof cmName !== 'string') continue;
    const dir = join(scratch, String(m.name));
    await mkdir(dir, { recursive: true });
    for (const [key, value] of Object.entries(configMap(objects, cmName, ns))) await writeFile(join(dir, key), value);
    mounts[String(m.mountPath)] = dir;
  }
  return { env, mounts };
}

/** Rewrites env values that point into a mount so they point at its local stand-in. */
export function localizePaths(resolved: ResolvedContainer): Record<string, string> {
  const env = { ...resolved.env };
  for (const [name, value] of Object.entries(env)) {
    for (const [mountPath, dir] of Object.entries(resolved.mounts)) {
      if (value === mountPath || value.startsWith(`${mountPath}/`)) env[name] = dir + value.slice(mountPath.length);
    }
  }
  return env;
}

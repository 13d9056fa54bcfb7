// Which ConfigMaps/Secrets a pod template uses, and which of their keys. Every way a pod can consume
// them counts (volumes, projected sources, envFrom, env valueFrom; containers and initContainers),
// because a pod that reads a key any of these ways keeps the value it started with.
import type { ConfigKind, KubeObject } from './types';

export interface ConfigUse {
  kind: ConfigKind;
  name: string;
  /** the keys the pod reads; null = every key (a whole-object reference) */
  keys: string[] | null;
  /** true when every reference to it is optional: the pod starts without it */
  optional: boolean;
}

type Json = Record<string, unknown>;

export function podSpecOf(workload: KubeObject): Json | undefined {
  const template = asRecord(workload.spec?.template);
  return asRecord(template?.spec);
}

export function findReferences(podSpec: Json | undefined): ConfigUse[] {
  if (!podSpec) return [];
  const found: ConfigUse[] = [];
  const add = (kind: ConfigKind, name: unknown, keys: string[] | null, optional: unknown) => {
    if (typeof name === 'string' && name !== '') found.push({ kind, name, keys, optional: optional === true });
  };

  for (const volume of asArray(podSpec.volumes)) {
    const configMap = asRecord(volume.configMap);
    if (configMap) add('ConfigMap', configMap.name, itemKeys(configMap.items), configMap.optional);
    const secret = asRecord(volume.secret);
    if (secret) add('Secret', secret.secretName, itemKeys(secret.items), secret.optional);
    for (const source of asArray(asRecord(volume.projected)?.sources)) {
      const cm = asRecord(source.configMap);
      if (cm) add('ConfigMap', cm.name, itemKeys(cm.items), cm.optional);
      const sec = asRecord(source.secret);
      if (sec) add('Secret', sec.name, itemKeys(sec.items), sec.optional);
    }
  }

  for (const container of [...asArray(podSpec.initContainers), ...asArray(podSpec.containers)]) {
    for (const from of asArray(container.envFrom)) {
      const cm = asRecord(from.configMapRef);
      if (cm) add('ConfigMap', cm.name, null, cm.optional);
      const sec = asRecord(from.secretRef);
      if (sec) add('Secret', sec.name, null, sec.optional);
    }
    for (const env of asArray(container.env)) {
      const valueFrom = asRecord(env.valueFrom);
      const cm = asRecord(valueFrom?.configMapKeyRef);
      if (cm) add('ConfigMap', cm.name, keyList(cm.key), cm.optional);
      const sec = asRecord(valueFrom?.secretKeyRef);
      if (sec) add('Secret', sec.name, keyList(sec.key), sec.optional);
    }
  }
  return mergeUses(found);
}

/** One entry per (kind, name): keys unioned (any whole-object reference wins), optional only if all are. */
export function mergeUses(uses: ConfigUse[]): ConfigUse[] {
  const merged = new Map<string, ConfigUse>();
  for (const use of uses) {
    const id = `${use.kind}/${use.name}`;
    const seen = merged.get(id);
    if (!seen) {
      merged.set(id, { ...use, keys: use.keys ? [...use.keys] : null });
      continue;
    }
    seen.keys = seen.keys === null || use.keys === null ? null : [...new Set([...seen.keys, ...use.keys])];
    seen.optional = seen.optional && use.optional;
  }
  for (const use of merged.values()) use.keys?.sort();
  return [...merged.values()].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}

// A volume without items projects every key; with items, only the listed ones.
function itemKeys(items: unknown): string[] | null {
  const list = asArray(items);
  if (list.length === 0) return null;
  return list.map((i) => i.key).filter((k): k is string => typeof k === 'string');
}

function keyList(key: unknown): string[] | null {
  return typeof key === 'string' ? [key] : null;
}

function asRecord(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function asArray(v: unknown): Json[] {
  return Array.isArray(v) ? v.map(asRecord).filter((x): x is Json => x !== undefined) : [];
}

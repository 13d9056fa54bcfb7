// Which ConfigMaps/Secrets a pod template uses, and which of their keys. Every way a pod can consume
// them counts (volumes, projected sources, envFrom, env valueFrom; containers and initContainers),
// because a pod that reads a key any of these ways keeps the value it started with.
import { podTemplateOf } from './pod-template';
import type { ConfigKind, KubeObject } from './types';

export interface ConfigUse {
  kind: ConfigKind;
  name: string;
  /** the keys the pod reads; null = every key (a whole-object reference) */
  keys: string[] | null;
  /** true when every reference to it is optional: the pod starts without it */
  optional: boolean;
  /** where the pod spec reads it (`containers[app].envFrom[0].configMapRef`), for `reroll explain` */
  via?: string[];
}

type Json = Record<string, unknown>;

/** The pod spec of the workload's pod template (a CronJob's is its jobTemplate's: pod-template.ts). */
export function podSpecOf(workload: KubeObject): Json | undefined {
  return asRecord(podTemplateOf(workload)?.spec);
}

export function findReferences(podSpec: Json | undefined): ConfigUse[] {
  return findReferencePaths(podSpec).map(({ via: _via, ...use }) => use);
}

/** findReferences, with where each one is read (`via`): what `reroll explain` shows. */
export function findReferencePaths(podSpec: Json | undefined): ConfigUse[] {
  if (!podSpec) return [];
  const found: ConfigUse[] = [];
  const add = (kind: ConfigKind, name: unknown, keys: string[] | null, optional: unknown, via: string) => {
    if (typeof name === 'string' && name !== '')
      found.push({ kind, name, keys, optional: optional === true, via: [via] });
  };

  for (const [v, volume] of asArray(podSpec.volumes).entries()) {
    const at = `volumes[${label(volume.name, v)}]`;
    const configMap = asRecord(volume.configMap);
    if (configMap) add('ConfigMap', configMap.name, itemKeys(configMap.items), configMap.optional, `${at}.configMap`);
    const secret = asRecord(volume.secret);
    if (secret) add('Secret', secret.secretName, itemKeys(secret.items), secret.optional, `${at}.secret`);
    for (const [i, source] of asArray(asRecord(volume.projected)?.sources).entries()) {
      const cm = asRecord(source.configMap);
      if (cm) add('ConfigMap', cm.name, itemKeys(cm.items), cm.optional, `${at}.projected.sources[${i}].configMap`);
      const sec = asRecord(source.secret);
      if (sec) add('Secret', sec.name, itemKeys(sec.items), sec.optional, `${at}.projected.sources[${i}].secret`);
    }
  }

  const containers = [
    ...asArray(podSpec.initContainers).map((c, i) => ['initContainers', c, i] as const),
    ...asArray(podSpec.containers).map((c, i) => ['containers', c, i] as const),
  ];
  for (const [field, container, c] of containers) {
    const at = `${field}[${label(container.name, c)}]`;
    for (const [i, from] of asArray(container.envFrom).entries()) {
      const cm = asRecord(from.configMapRef);
      if (cm) add('ConfigMap', cm.name, null, cm.optional, `${at}.envFrom[${i}].configMapRef`);
      const sec = asRecord(from.secretRef);
      if (sec) add('Secret', sec.name, null, sec.optional, `${at}.envFrom[${i}].secretRef`);
    }
    for (const [i, env] of asArray(container.env).entries()) {
      const valueFrom = asRecord(env.valueFrom);
      const envAt = `${at}.env[${label(env.name, i)}].valueFrom`;
      const cm = asRecord(valueFrom?.configMapKeyRef);
      if (cm) add('ConfigMap', cm.name, keyList(cm.key), cm.optional, `${envAt}.configMapKeyRef`);
      const sec = asRecord(valueFrom?.secretKeyRef);
      if (sec) add('Secret', sec.name, keyList(sec.key), sec.optional, `${envAt}.secretKeyRef`);
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
      merged.set(id, { ...use, keys: use.keys ? [...use.keys] : null, ...(use.via ? { via: [...use.via] } : {}) });
      continue;
    }
    seen.keys = seen.keys === null || use.keys === null ? null : [...new Set([...seen.keys, ...use.keys])];
    seen.optional = seen.optional && use.optional;
    if (use.via) seen.via = [...new Set([...(seen.via ?? []), ...use.via])];
  }
  for (const use of merged.values()) use.keys?.sort();
  return [...merged.values()].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}

/** A list entry by its name when it has one (how kubectl users think of it), else its index. */
function label(name: unknown, index: number): string {
  return typeof name === 'string' && name !== '' ? name : String(index);
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

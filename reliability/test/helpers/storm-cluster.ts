// The cluster a storm runs against: opted-in ConfigMaps and opted-in workloads of every kind, some
// matched by reference (volumes, projected volumes, envFrom, env key refs; containers and
// initContainers), some by labels (seed 001's app+env matching). The test records what each
// workload uses when it builds it, so the expected hash never depends on the function's parser.
import type { Random } from './seeded-random';
import type { ConfigUse } from './expected-hash';

export const TRIGGER = 'rolling.restart.controller/triggerRestart';
export const OPT_IN = 'rolling.restart.controller/restartOnTrigger';
export const CONFIG_HASH = 'rolling.restart.controller/configHash';
export const RESTART_TIMESTAMP = 'rolling.restart.controller/restartTimestamp';
export const ENV_LABEL = 'storm';
export const KEYS = ['k0', 'k1', 'k2', 'k3'];

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Service';
export const WORKLOAD_KINDS: WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Service'];

export interface PlannedWorkload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** merged: one entry per ConfigMap */
  uses: ConfigUse[];
  matchedBy: 'reference' | 'labels';
  object: Record<string, unknown>;
}

export interface StormCluster {
  namespaces: string[];
  configMaps: Array<Record<string, unknown>>;
  workloads: PlannedWorkload[];
}

export function workloadKey(w: { kind: string; namespace: string; name: string }): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}

export function configLabels(index: number): Record<string, string> {
  return { app: `cfg-${index}`, env: ENV_LABEL, 'reroll.dev/watch': 'true' };
}

export function randomValue(random: Random): string {
  return `v${random.int(0, 5)}`; // few values: re-creates and data patches often land on the old value
}

export function makeConfigMap(namespace: string, index: number, data: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${index}`, namespace, labels: configLabels(index), annotations: { [TRIGGER]: 'true' } },
    data,
  };
}

export function randomData(random: Random): Record<string, string> {
  return Object.fromEntries(KEYS.map((k) => [k, randomValue(random)]));
}

type Reference = { style: 'volume' | 'volume-items' | 'projected' | 'envFrom' | 'keyRef' | 'init-envFrom'; cm: string };

function podSpecFor(refs: Reference[]): { spec: Record<string, unknown>; uses: ConfigUse[] } {
  const volumes: unknown[] = [];
  const envFrom: unknown[] = [];
  const env: unknown[] = [];
  const initEnvFrom: unknown[] = [];
  const uses: ConfigUse[] = [];
  refs.forEach((ref, i) => {
    switch (ref.style) {
      case 'volume':
        volumes.push({ name: `v${i}`, configMap: { name: ref.cm } });
        uses.push({ kind: 'ConfigMap', name: ref.cm, keys: null });
        break;
      case 'volume-items':
        volumes.push({ name: `v${i}`, configMap: { name: ref.cm, items: [{ key: 'k1', path: 'k1.txt' }] } });
        uses.push({ kind: 'ConfigMap', name: ref.cm, keys: ['k1'] });
        break;
      case 'projected':
        volumes.push({
          name: `v${i}`,
          projected: { sources: [{ configMap: { name: ref.cm, items: [{ key: 'k3', path: 'k3' }] } }] },
        });
        uses.push({ kind: 'ConfigMap', name: ref.cm, keys: ['k3'] });
        break;
      case 'envFrom':
        envFrom.push({ configMapRef: { name: ref.cm } });
        uses.push({ kind: 'ConfigMap', name: ref.cm, keys: null });
        break;
      case 'keyRef':
        env.push({ name: `E${i}`, valueFrom: { configMapKeyRef: { name: ref.cm, key: 'k2' } } });
        uses.push({ kind: 'ConfigMap', name: ref.cm, keys: ['k2'] });
        break;
      case 'init-envFrom':
        initEnvFrom.push({ configMapRef: { name: ref.cm } });
        uses.push({ kind: 'ConfigMap', name: ref.cm, keys: null });
        break;
    }
  });
  const container = {
    name: 'app',
    image: 'reroll/hello:0.1.0',
    ...(envFrom.length ? { envFrom } : {}),
    ...(env.length ? { env } : {}),
  };
  const spec: Record<string, unknown> = { containers: [container], ...(volumes.length ? { volumes } : {}) };
  if (initEnvFrom.length) spec.initContainers = [{ name: 'init', image: 'busybox:1.36', envFrom: initEnvFrom }];
  return { spec, uses: mergeUses(uses) };
}

/** The test's own merge: keys unioned per ConfigMap, a whole-object reference wins. */
export function mergeUses(uses: ConfigUse[]): ConfigUse[] {
  const merged = new Map<string, ConfigUse>();
  for (const u of uses) {
    const seen = merged.get(u.name);
    if (!seen) merged.set(u.name, { ...u, keys: u.keys ? [...u.keys] : null });
    else seen.keys = seen.keys === null || u.keys === null ? null : [...new Set([...seen.keys, ...u.keys])];
  }
  return [...merged.values()];
}

export function makeWorkloadObject(
  kind: WorkloadKind,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  podSpec: Record<string, unknown>,
): Record<string, unknown> {
  const template = { metadata: { labels: { app: labels.app! } }, spec: podSpec };
  const apiVersion = kind === 'Service' ? 'serving.knative.dev/v1' : 'apps/v1';
  const spec: Record<string, unknown> =
    kind === 'Service'
      ? { template }
      : {
          selector: { matchLabels: { app: labels.app! } },
          template,
          ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
          ...(kind === 'Deployment' ? { replicas: 1 } : {}),
        };
  return { apiVersion, kind, metadata: { name, namespace, labels, annotations: { [OPT_IN]: 'true' } }, spec };
}

const STYLES: Reference['style'][] = ['volume', 'volume-items', 'projected', 'envFrom', 'keyRef', 'init-envFrom'];

/**
 * `configsPer` ConfigMaps and `workloadsPer` workloads in each namespace; every 5th workload matches by
 * labels. A label-matched workload's ConfigMap is always one that some workload in its namespace also
 * references: the restart function may only `get` ConfigMaps (least-privilege RBAC, no `list`), so a
 * resync cannot discover a label-only match nothing references until an event names that ConfigMap
 * (a documented limitation, see functions/restart/README.md). The storm's first resync must record
 * every workload, so the plan stays inside what the function can see.
 */
export function planStormCluster(
  random: Random,
  namespaces: string[],
  configsPer: number,
  workloadsPer: number,
): StormCluster {
  const configMaps: Array<Record<string, unknown>> = [];
  const workloads: PlannedWorkload[] = [];
  for (const ns of namespaces) {
    for (let i = 0; i < configsPer; i++) configMaps.push(makeConfigMap(ns, i, randomData(random)));
    const planned: Array<PlannedWorkload | { labelSlot: number; kind: PlannedWorkload['kind'] }> = [];
    const referenced = new Set<number>();
    for (let j = 0; j < workloadsPer; j++) {
      const kind = WORKLOAD_KINDS[j % WORKLOAD_KINDS.length]!;
      const name = `w-${j}`;
      if (j % 5 === 0) {
        planned.push({ labelSlot: j, kind });
        continue;
      }
      const refs: Reference[] = [];
      const count = random.int(1, 3);
      for (let r = 0; r < count; r++) {
        const index = random.int(0, configsPer - 1);
        referenced.add(index);
        refs.push({ style: random.pick(STYLES), cm: `cm-${index}` });
      }
      const { spec, uses } = podSpecFor(refs);
      planned.push({
        kind,
        namespace: ns,
        name,
        matchedBy: 'reference',
        uses,
        object: makeWorkloadObject(kind, ns, name, { app: `wl-${j}`, env: ENV_LABEL }, spec),
      });
    }
    const visible = [...referenced].sort((a, b) => a - b);
    for (const p of planned) {
      if (!('labelSlot' in p)) {
        workloads.push(p);
        continue;
      }
      const index = random.pick(visible);
      const name = `w-${p.labelSlot}`;
      const labels = { app: `cfg-${index}`, env: ENV_LABEL };
      const spec = { containers: [{ name: 'app', image: 'reroll/hello:0.1.0' }] };
      workloads.push({
        kind: p.kind,
        namespace: ns,
        name,
        matchedBy: 'labels',
        uses: [{ kind: 'ConfigMap', name: `cm-${index}`, keys: null }],
        object: makeWorkloadObject(p.kind, ns, name, labels, spec),
      });
    }
  }
  return { namespaces, configMaps, workloads };
}

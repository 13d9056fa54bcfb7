// Who opts in, and which configs a workload uses (seed 001's protocol). Both sides must opt in:
// the ConfigMap/Secret with triggerRestart, the workload with restartOnTrigger.
import { findReferences, mergeUses, podSpecOf, type ConfigUse } from './find-references';
import type { ConfigKind, ConfigRef, KubeObject, MatchMode } from './types';
import { ANNOTATIONS, CONFIG_KINDS } from './types';

export function isWorkloadOptedIn(workload: KubeObject): boolean {
  return workload.metadata?.annotations?.[ANNOTATIONS.restartOnTrigger] === 'true';
}

export function isConfigOptedIn(config: KubeObject): boolean {
  return config.metadata?.annotations?.[ANNOTATIONS.triggerRestart] === 'true';
}

/** Seed 001's matching: the workload carries the same `app` and `env` labels as the config (both required). */
export function labelsMatch(workload: KubeObject, config: KubeObject): boolean {
  const want = config.metadata?.labels;
  const have = workload.metadata?.labels;
  if (!want?.app || !want.env || !have) return false;
  return have.app === want.app && have.env === want.env;
}

export type MatchedBy = 'reference' | 'labels' | 'reference+labels';

/**
 * Does this workload use the config? `config` is its live object, or its last known state when it
 * was deleted (null when even that is unknown: then only references can match).
 */
export function matchWorkload(
  workload: KubeObject,
  ref: ConfigRef,
  config: KubeObject | null,
  mode: MatchMode,
): MatchedBy | undefined {
  const byReference =
    mode !== 'labels' && findReferences(podSpecOf(workload)).some((u) => u.kind === ref.kind && u.name === ref.name);
  const byLabels =
    mode !== 'reference' &&
    ((config !== null && labelsMatch(workload, config)) ||
      rememberedLabelMatches(workload).some((r) => r.kind === ref.kind && r.name === ref.name));
  if (byReference && byLabels) return 'reference+labels';
  if (byReference) return 'reference';
  if (byLabels) return 'labels';
  return undefined;
}

/**
 * Every config the workload's hash covers: its references (reference mode) and the configs matched
 * by labels (labels mode), i.e. the ones remembered on it plus `labelMatched` (found now). A label
 * match uses every key.
 */
export function findConfigsUsed(workload: KubeObject, mode: MatchMode, labelMatched: ConfigRef[] = []): ConfigUse[] {
  const uses: ConfigUse[] = mode === 'labels' ? [] : findReferences(podSpecOf(workload));
  if (mode !== 'reference') {
    for (const r of [...rememberedLabelMatches(workload), ...labelMatched])
      uses.push({ kind: r.kind, name: r.name, keys: null, optional: false });
  }
  return mergeUses(uses);
}

/** Label-only matches remembered on the workload (`Kind/name,...`), so later events hash the same set. */
export function rememberedLabelMatches(workload: KubeObject): ConfigRef[] {
  const raw = workload.metadata?.annotations?.[ANNOTATIONS.labelMatches];
  if (!raw) return [];
  const namespace = workload.metadata?.namespace ?? '';
  return raw.split(',').flatMap((entry) => {
    const [kind, name] = entry.trim().split('/');
    return kind && name && CONFIG_KINDS.includes(kind as ConfigKind)
      ? [{ kind: kind as ConfigKind, namespace, name }]
      : [];
  });
}

/**
 * The annotation value for the label matches among `uses`: in both mode only those the pod template
 * does not reference (references are found again anyway); in labels mode all of them.
 */
export function formatLabelMatches(workload: KubeObject, uses: ConfigUse[], mode: MatchMode): string {
  if (mode === 'reference') return '';
  const referenced = new Set(
    mode === 'labels' ? [] : findReferences(podSpecOf(workload)).map((u) => `${u.kind}/${u.name}`),
  );
  return uses
    .map((u) => `${u.kind}/${u.name}`)
    .filter((id) => !referenced.has(id))
    .join(',');
}

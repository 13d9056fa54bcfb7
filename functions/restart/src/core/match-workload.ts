// Who opts in, and which configs a workload uses. Seed 001's protocol: both sides opt in, the
// ConfigMap/Secret with triggerRestart, the workload with restartOnTrigger. stakater/Reloader's
// (reloader-annotations.ts): only the workload opts in, and says which configs count.
import { findReferences, mergeUses, podSpecOf, type ConfigUse } from './find-references';
import {
  RELOADER,
  findReloaderRule,
  isIgnoredByReloader,
  readReloaderOptIn,
  reloadListNames,
  selectsAnything,
  type ReloaderRule,
} from './reloader-annotations';
import type { ConfigKind, ConfigRef, KubeObject, MatchMode } from './types';
import { ANNOTATIONS, CONFIG_KINDS } from './types';

/** Seed 001's opt-in on the workload. */
export function hasRestartOnTrigger(workload: KubeObject): boolean {
  return workload.metadata?.annotations?.[ANNOTATIONS.restartOnTrigger] === 'true';
}

export function isWorkloadOptedIn(workload: KubeObject): boolean {
  return hasRestartOnTrigger(workload) || selectsAnything(readReloaderOptIn(workload));
}

/**
 * Which rule makes a config count for a workload (or not): seed 001's two annotations, one of
 * Reloader's rules, or `missing` (seed 001's opt-in: a gone config still counts, as absent).
 */
export type CountRule = 'trigger-restart' | 'missing' | Exclude<ReloaderRule, 'ignored'>;
export type ConfigCount = { counts: true; rule: CountRule } | { counts: false; rule: 'ignored' | 'not-selected' };

/**
 * Does this config count for this workload's hash (and may its changes roll it)? `config` null =
 * gone or unknown: then what the workload says decides. Reloader's ignore wins over everything.
 */
export function configCountsFor(
  workload: KubeObject,
  use: { kind: ConfigKind; name: string },
  config: KubeObject | null,
): boolean {
  return findCountRule(workload, use, config).counts;
}

/** configCountsFor, with the rule that decided: what `reroll explain` says for each config. */
export function findCountRule(
  workload: KubeObject,
  use: { kind: ConfigKind; name: string },
  config: KubeObject | null,
): ConfigCount {
  if (config !== null && isIgnoredByReloader(config)) return { counts: false, rule: 'ignored' };
  if (hasRestartOnTrigger(workload) && (config === null || isConfigOptedIn(config)))
    return { counts: true, rule: config === null ? 'missing' : 'trigger-restart' };
  const opt = readReloaderOptIn(workload);
  if (!selectsAnything(opt)) return { counts: false, rule: 'not-selected' };
  const referenced = findReferences(podSpecOf(workload)).some((u) => u.kind === use.kind && u.name === use.name);
  // a gone config cannot show reloader.stakater.com/match: a referenced one is followed while searching
  const rule =
    config === null
      ? (findReloaderRule({ ...opt, search: false }, use, null, referenced) ??
        (referenced && opt.search ? 'search' : undefined))
      : findReloaderRule(opt, use, config, referenced);
  return rule === undefined || rule === 'ignored' ? { counts: false, rule: 'not-selected' } : { counts: true, rule };
}

/** Why a config does not count for the workload (the decision's reason). */
export function explainNotCounted(workload: KubeObject, ref: ConfigRef, config: KubeObject): string {
  const what = `${ref.kind} ${ref.namespace}/${ref.name}`;
  if (isIgnoredByReloader(config)) return `${what} carries ${RELOADER.ignore}: "true"`;
  const reloader = selectsAnything(readReloaderOptIn(workload));
  if (!reloader) return `${what} has no ${ANNOTATIONS.triggerRestart}: "true" annotation`;
  return `${what} is not selected by the workload's Reloader annotations${hasRestartOnTrigger(workload) ? ` and has no ${ANNOTATIONS.triggerRestart}: "true" annotation` : ''}`;
}

/** The event's config is named by one of the workload's Reloader reload lists (referenced or not). */
export function isNamedByReloadList(workload: KubeObject, ref: { kind: ConfigKind; name: string }): boolean {
  const opt = readReloaderOptIn(workload);
  return opt !== undefined && reloadListNames(opt, ref.kind, ref.name);
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

export type MatchedBy = 'reference' | 'labels' | 'reference+labels' | 'reload-list';

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
  // Reloader's explicit lists count whether or not the pod template references the config
  if (isNamedByReloadList(workload, ref)) return 'reload-list';
  return undefined;
}

/**
 * Every config the workload's hash covers: its references (reference mode) and the configs matched
 * by labels (labels mode), i.e. the ones remembered on it plus `labelMatched` (found now). A label
 * match uses every key.
 */
export function findConfigsUsed(workload: KubeObject, mode: MatchMode, labelMatched: ConfigRef[] = []): ConfigUse[] {
  const uses: ConfigUse[] = mode === 'labels' ? [] : findReferences(podSpecOf(workload));
  const extra = [...rememberedLabelMatches(workload), ...labelMatched];
  // in reference mode only Reloader's reload lists add unreferenced configs (and must be remembered too)
  for (const r of mode === 'reference' ? extra.filter((r) => isNamedByReloadList(workload, r)) : extra)
    uses.push({ kind: r.kind, name: r.name, keys: null, optional: false });
  // names in a reload list that are plain names are read directly, referenced or not
  const opt = readReloaderOptIn(workload);
  if (opt)
    for (const kind of CONFIG_KINDS)
      for (const name of opt.literal[kind])
        if (!uses.some((u) => u.kind === kind && u.name === name))
          uses.push({ kind, name, keys: null, optional: true });
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
  const referenced = new Set(
    mode === 'labels' ? [] : findReferences(podSpecOf(workload)).map((u) => `${u.kind}/${u.name}`),
  );
  return uses
    .map((u) => `${u.kind}/${u.name}`)
    .filter((id) => !referenced.has(id))
    .join(',');
}

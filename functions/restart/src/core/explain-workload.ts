// "Why did (or didn't) my pod restart?" (Reloader #320, #854), answered by the same rules the
// function applies: which configs a workload uses and why, the hashes, the last rollout, and what
// the next event and the next resync would decide. Pure: `reroll explain`/`status` feed it what they
// read, read-only, from the cluster.
import { decideEvent, decideResync, type ConfigLookup, type DecideOptions, type Plan, type Workload } from './decide';
import { readDeferredSince } from './defer-rollout';
import { findReferencePaths, podSpecOf } from './find-references';
import { findBorrowedTemplate } from './pod-template';
import { explainConfigCount, explainOptIn, type OptInExplanation } from './explain-opt-in';
import {
  findConfigsUsed,
  findCountRule,
  isConfigOptedIn,
  isNamedByReloadList,
  isWorkloadOptedIn,
  labelsMatch,
  rememberedLabelMatches,
} from './match-workload';
import { findReloadListItem, readReloaderOptIn, RELOADER } from './reloader-annotations';
import { readLastRollout, readMinInterval } from './min-interval';
import { formatTimestamp } from './build-patch';
import { applyRolloutBudget, countRecentRollouts } from './rollout-budget';
import type { ConfigKind, ConfigRef, Decision, KubeObject } from './types';
import { ANNOTATIONS, configKey } from './types';
import { readWorkloadMode } from './workload-mode';

export interface ExplainOptions extends DecideOptions {
  /** the function's REROLL_MAX_ROLLOUTS_PER_MINUTE, when it has one */
  maxRolloutsPerMinute?: number;
}

export interface ExplainedConfig {
  kind: ConfigKind;
  name: string;
  /** how the workload uses it: pod-spec paths, a label match, a remembered label match, a Reloader reload list */
  via: string[];
  /** the keys that count (null = every key) */
  keys: string[] | null;
  optional: boolean;
  exists: boolean;
  /** its data drives the workload's hash, so its changes may roll it (the function's configCountsFor) */
  counts: boolean;
  /** why it counts, or why not: the annotation that decided */
  why: string;
}

export type WorkloadState =
  | 'not opted in'
  | 'not recorded yet'
  | 'in sync'
  | 'rollout due'
  | 'deferred'
  | 'notify-only'
  | 'notification due'
  | 'blocked';

export interface Explanation {
  kind: string;
  namespace: string;
  name: string;
  /** the annotations that opt it in, `key: "value"`, comma-separated (undefined = it does not) */
  optedInBy?: string;
  /** each opt-in annotation, and those present that select nothing */
  optIn: OptInExplanation;
  mode: string;
  minInterval?: string;
  configs: ExplainedConfig[];
  hash: { recorded?: string; live?: string };
  lastRollout?: string;
  deferredSince?: string;
  /** what an update of its first config would decide now */
  nextEvent?: Decision & { trigger: string };
  /** what the next PingSource resync would decide now */
  nextResync?: Decision;
  state: WorkloadState;
  /** deferred: when it becomes due */
  dueAt?: string;
  /** true when a rollout (or notification) is due or deferred: `reroll explain` exits 1 */
  due: boolean;
}

/**
 * `configs` holds the live configs the workload may use (null = 404), referenced or label-matched;
 * `namespaceWorkloads` every listed workload of its namespace (what the budget counts).
 */
export function explainWorkload(
  workload: Workload,
  configs: ConfigLookup,
  namespaceWorkloads: readonly Workload[],
  options: ExplainOptions,
): Explanation {
  const meta = workload.object.metadata ?? {};
  const namespace = meta.namespace ?? '';
  const recorded = meta.annotations?.[ANNOTATIONS.configHash];
  const mode = readWorkloadMode(workload.object);
  const interval = readMinInterval(workload.object);
  const last = readLastRollout(workload.object);
  const since = readDeferredSince(workload.object);
  const optIn = explainOptIn(workload.object);
  const base = {
    kind: workload.kind,
    namespace,
    name: meta.name ?? '',
    mode: mode.ok ? mode.mode : mode.error,
    ...(interval ? { minInterval: interval.ok ? interval.text : interval.error } : {}),
    ...(last ? { lastRollout: formatTimestamp(last) } : {}),
    ...(since ? { deferredSince: formatTimestamp(since) } : {}),
    optIn,
  };
  const explained = explainConfigs(workload.object, configs, options);
  if (!isWorkloadOptedIn(workload.object)) {
    return { ...base, configs: explained, hash: {}, state: 'not opted in', due: false };
  }

  const budget = (plan: Plan | undefined) =>
    plan && options.maxRolloutsPerMinute
      ? applyRolloutBudget(
          [plan],
          countRecentRollouts(namespaceWorkloads, options.maxRolloutsPerMinute, options.now),
          options.now,
        )[0]
      : plan;
  const counted = explained.filter((c) => c.counts || !c.exists);
  const first = counted[0];
  let nextEvent: (Decision & { trigger: string }) | undefined;
  if (first) {
    const ref: ConfigRef = { kind: first.kind, namespace, name: first.name };
    // exactly what the function decides for that event: the configs it hashes are the event's,
    // the references, the remembered matches (not every config a reload pattern could name)
    const live = configs.get(configKey(ref)) ?? null;
    const plan = budget(decideEvent(ref, 'update', { live }, [workload], configs, options)[0]);
    if (plan) nextEvent = { ...plan.decision, trigger: `update of ${first.kind} ${first.name}` };
  }
  const nextResync = budget(decideResync([workload], configs, options)[0])?.decision;
  const live = nextEvent?.hash?.live ?? nextResync?.hash?.live;
  const hash = { ...(recorded ? { recorded: recorded.slice(0, 12) } : {}), ...(live ? { live } : {}) };
  const next = nextEvent ?? nextResync;

  let state: WorkloadState;
  if (findBorrowedTemplate(workload.kind, workload.object)) state = 'blocked';
  else if (!next) state = 'in sync';
  else if (mode.ok && mode.mode === 'notify') state = next.action === 'notified' ? 'notification due' : 'notify-only';
  else if (next.action === 'deferred') state = 'deferred';
  else if (next.action === 'rolled') state = recorded === undefined ? 'not recorded yet' : 'rollout due';
  else if (recorded === undefined) state = 'not recorded yet';
  else if (next.action === 'unchanged') state = 'in sync';
  else state = 'blocked';
  const due = state === 'rollout due' || state === 'deferred' || state === 'notification due';
  return {
    ...base,
    optedInBy: optIn.by.join(', '),
    configs: explained,
    hash,
    ...(nextEvent ? { nextEvent } : {}),
    ...(nextResync ? { nextResync } : {}),
    state,
    ...(next?.dueAt ? { dueAt: next.dueAt } : {}),
    due,
  };
}

/** The label-matched configs among those read (both/labels mode), as decideResync finds them. */
function labelMatchedRefs(workload: KubeObject, configs: ConfigLookup, options: DecideOptions): ConfigRef[] {
  if (options.match === 'reference') return [];
  return [...configs.values()]
    .filter((c): c is KubeObject => c !== null && isConfigOptedIn(c) && labelsMatch(workload, c))
    .map(refOf);
}

/** Configs among those read that a Reloader reload list names (by pattern too): an event for one rolls it. */
function reloadListRefs(workload: KubeObject, configs: ConfigLookup): ConfigRef[] {
  return [...configs.values()]
    .filter((c): c is KubeObject => c !== null)
    .map(refOf)
    .filter((r) => isNamedByReloadList(workload, r));
}

/** What findConfigsUsed adds to the references: label matches, and configs a reload list names. */
function extraRefs(workload: KubeObject, configs: ConfigLookup, options: DecideOptions): ConfigRef[] {
  return [...labelMatchedRefs(workload, configs, options), ...reloadListRefs(workload, configs)];
}

function refOf(c: KubeObject): ConfigRef {
  return { kind: c.kind as ConfigKind, namespace: c.metadata?.namespace ?? '', name: c.metadata?.name ?? '' };
}

function explainConfigs(workload: KubeObject, configs: ConfigLookup, options: DecideOptions): ExplainedConfig[] {
  const namespace = workload.metadata?.namespace ?? '';
  const labelMatched = labelMatchedRefs(workload, configs, options);
  const uses = findConfigsUsed(workload, options.match, extraRefs(workload, configs, options));
  const reloader = readReloaderOptIn(workload);
  const paths = new Map(
    (options.match === 'labels' ? [] : findReferencePaths(podSpecOf(workload))).map((u) => [
      `${u.kind}/${u.name}`,
      u.via ?? [],
    ]),
  );
  const remembered = new Set(rememberedLabelMatches(workload).map((r) => `${r.kind}/${r.name}`));
  const labels = workload.metadata?.labels ?? {};
  return uses.map((use) => {
    const id = `${use.kind}/${use.name}`;
    const via = [...(paths.get(id) ?? []).map((p) => `pod spec ${p}`)];
    if (labelMatched.some((r) => `${r.kind}/${r.name}` === id))
      via.push(`label match app=${labels.app ?? ''},env=${labels.env ?? ''}`);
    else if (remembered.has(id)) via.push(`label match remembered in ${ANNOTATIONS.labelMatches}`);
    const item = reloader ? findReloadListItem(reloader, use.kind, use.name) : undefined;
    if (item !== undefined) {
      const key = use.kind === 'ConfigMap' ? RELOADER.configmapReload : RELOADER.secretReload;
      via.push(`${key} item ${JSON.stringify(item)}`);
    }
    const ref: ConfigRef = { kind: use.kind, namespace, name: use.name };
    const live = configs.get(configKey(ref)) ?? null;
    const count = findCountRule(workload, use, live);
    return {
      kind: use.kind,
      name: use.name,
      via,
      keys: use.keys,
      optional: use.optional,
      exists: live !== null,
      counts: count.counts,
      why: explainConfigCount(workload, ref, live, count),
    };
  });
}

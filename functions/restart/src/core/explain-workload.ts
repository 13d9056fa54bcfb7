// "Why did (or didn't) my pod restart?" (Reloader #320, #854), answered by the same rules the
// function applies: which configs a workload uses and why, the hashes, the last rollout, and what
// the next event and the next resync would decide. Pure: `reroll explain`/`status` feed it what they
// read, read-only, from the cluster.
import {
  decideResync,
  decideWorkload,
  type ConfigLookup,
  type DecideOptions,
  type Plan,
  type Workload,
} from './decide';
import { readDeferredSince } from './defer-rollout';
import { findReferencePaths, podSpecOf } from './find-references';
import { findBorrowedTemplate } from './pod-template';
import {
  findConfigsUsed,
  isConfigOptedIn,
  isWorkloadOptedIn,
  labelsMatch,
  rememberedLabelMatches,
} from './match-workload';
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
  /** why it counts: pod-spec paths, a label match, a remembered label match */
  via: string[];
  /** the keys that count (null = every key) */
  keys: string[] | null;
  optional: boolean;
  exists: boolean;
  /** it carries triggerRestart: "true" (a config that did not opt in never drives the hash) */
  optedIn: boolean;
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
  /** the annotation that opts it in, `key: "value"` (undefined = it does not) */
  optedInBy?: string;
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
  const base = {
    kind: workload.kind,
    namespace,
    name: meta.name ?? '',
    mode: mode.ok ? mode.mode : mode.error,
    ...(interval ? { minInterval: interval.ok ? interval.text : interval.error } : {}),
    ...(last ? { lastRollout: formatTimestamp(last) } : {}),
    ...(since ? { deferredSince: formatTimestamp(since) } : {}),
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
  const counted = explained.filter((c) => c.optedIn || !c.exists);
  const first = counted[0];
  let nextEvent: (Decision & { trigger: string }) | undefined;
  if (first) {
    const ref: ConfigRef = { kind: first.kind, namespace, name: first.name };
    const uses = findConfigsUsed(workload.object, options.match, labelMatchedRefs(workload.object, configs, options));
    const plan = budget(
      decideWorkload(
        workload,
        { type: 'event', action: 'update', ref },
        uses,
        configs,
        configs.get(configKey(ref)) ?? null,
        options,
      ),
    );
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
    optedInBy: `${ANNOTATIONS.restartOnTrigger}: "true"`,
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
    .map((c) => ({
      kind: c.kind as ConfigKind,
      namespace: c.metadata?.namespace ?? '',
      name: c.metadata?.name ?? '',
    }));
}

function explainConfigs(workload: KubeObject, configs: ConfigLookup, options: DecideOptions): ExplainedConfig[] {
  const namespace = workload.metadata?.namespace ?? '';
  const labelMatched = labelMatchedRefs(workload, configs, options);
  const uses = findConfigsUsed(workload, options.match, labelMatched);
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
    const live = configs.get(configKey({ kind: use.kind, namespace, name: use.name })) ?? null;
    return {
      kind: use.kind,
      name: use.name,
      via,
      keys: use.keys,
      optional: use.optional,
      exists: live !== null,
      optedIn: live !== null && isConfigOptedIn(live),
    };
  });
}

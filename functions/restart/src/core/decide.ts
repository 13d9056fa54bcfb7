// The three rules of the contract, applied to live objects:
//  1. a workload rolls only when the live hash differs from the one recorded on it;
//  2. with no hash recorded yet, an `update` rolls it; `add` and resync only record the hash on the
//     workload's own metadata, so installing reroll or a resync never restarts a fleet;
//  3. a deleted config rolls nothing unless on-delete=roll (pods keep the config they started with).
// What counts is the live state, not the event: an update for a config that is gone is a delete, a
// `delete` for a config that still exists (a label-selector transition) is treated like an `add`.
import { buildPatch, formatTimestamp, type MergePatch } from './build-patch';
import type { DecisionTrace } from './decision-events';
import { clearDeferral, deferPlan, readDeferredSince } from './defer-rollout';
import type { ConfigUse } from './find-references';
import { hashConfigs } from './hash-config';
import {
  configCountsFor,
  explainNotCounted,
  findConfigsUsed,
  formatLabelMatches,
  isConfigOptedIn,
  isNamedByReloadList,
  isWorkloadOptedIn,
  labelsMatch,
  matchWorkload,
} from './match-workload';
import { describeRollEffect, explainBorrowedTemplate, findBorrowedTemplate } from './pod-template';
import { checkRolloutRules } from './rollout-rules';
import type { ConfigRef, Decision, EventAction, KubeObject, MatchMode, OnDelete, WorkloadKind } from './types';
import { ANNOTATIONS, configKey, describeConfig } from './types';

export interface DecideOptions {
  match: MatchMode;
  onDelete: OnDelete;
  now: Date;
}

export interface Workload {
  kind: WorkloadKind;
  object: KubeObject;
}

export type Trigger = { type: 'event'; action: EventAction; ref: ConfigRef } | { type: 'resync' };

export interface Plan {
  decision: Decision;
  /** the merge patch to apply (rolled / recorded only) */
  patch?: MergePatch;
  workload: Workload;
  /** what the hash covered and how it moved (rolled / recorded): the workload's Kubernetes Event says it */
  trace?: DecisionTrace;
}

/** Live configs read for this reconcile, keyed by configKey(); null = 404. */
export type ConfigLookup = ReadonlyMap<string, KubeObject | null>;

/** The event's config as far as it is known: live, else the last state the event carried. */
export interface EventConfig {
  live: KubeObject | null;
  lastKnown?: KubeObject;
}

/** Workloads that use the event's config (by reference and/or labels, per match mode). */
export function findCandidates(
  workloads: Workload[],
  ref: ConfigRef,
  config: EventConfig,
  mode: MatchMode,
): Workload[] {
  const known = config.live ?? config.lastKnown ?? null;
  return workloads.filter((w) => matchWorkload(w.object, ref, known, mode) !== undefined);
}

/** The configs (besides the event's) whose live state must be read before deciding. */
export function listConfigsNeeded(workloads: Workload[], mode: MatchMode, namespace: string): ConfigRef[] {
  const refs = new Map<string, ConfigRef>();
  for (const w of workloads) {
    for (const use of findConfigsUsed(w.object, mode)) {
      const ref: ConfigRef = { kind: use.kind, namespace, name: use.name };
      refs.set(configKey(ref), ref);
    }
  }
  return [...refs.values()];
}

export function decideEvent(
  ref: ConfigRef,
  action: EventAction,
  config: EventConfig,
  candidates: Workload[],
  lookup: ConfigLookup,
  options: DecideOptions,
): Plan[] {
  const known = config.live ?? config.lastKnown ?? null;
  return candidates.map((workload) => {
    const labelMatched =
      (options.match !== 'reference' && known !== null && labelsMatch(workload.object, known)) ||
      isNamedByReloadList(workload.object, ref)
        ? [ref]
        : [];
    const uses = findConfigsUsed(workload.object, options.match, labelMatched);
    const withEventConfig = new Map(lookup);
    withEventConfig.set(configKey(ref), config.live);
    return decideWorkload(workload, { type: 'event', action, ref }, uses, withEventConfig, known, options);
  });
}

export function decideResync(workloads: Workload[], lookup: ConfigLookup, options: DecideOptions): Plan[] {
  const fetched = [...lookup.values()].filter((c): c is KubeObject => c !== null);
  return workloads
    .filter((w) => isWorkloadOptedIn(w.object))
    .flatMap((workload) => {
      const labelMatched: ConfigRef[] =
        options.match === 'reference'
          ? []
          : fetched
              .filter((c) => isConfigOptedIn(c) && labelsMatch(workload.object, c))
              .map((c) => ({
                kind: c.kind as ConfigRef['kind'],
                namespace: c.metadata?.namespace ?? '',
                name: c.metadata?.name ?? '',
              }));
      const uses = findConfigsUsed(workload.object, options.match, labelMatched);
      // an opted-in Rollout that borrows its template is reported (skipped, with why), not silently passed over
      if (uses.length === 0 && !findBorrowedTemplate(workload.kind, workload.object)) return [];
      return [decideWorkload(workload, { type: 'resync' }, uses, lookup, null, options)];
    });
}

export function decideWorkload(
  workload: Workload,
  trigger: Trigger,
  uses: ConfigUse[],
  lookup: ConfigLookup,
  eventConfig: KubeObject | null,
  options: DecideOptions,
): Plan {
  const meta = workload.object.metadata ?? {};
  const namespace = meta.namespace ?? '';
  let detail: Pick<Decision, 'configs' | 'hash'> = {};
  const decide = (action: Decision['action'], reason: string, patch?: MergePatch): Plan => ({
    decision: { kind: workload.kind, namespace, name: meta.name ?? '', action, reason, ...detail },
    workload,
    ...(patch ? { patch } : {}),
  });

  if (!isWorkloadOptedIn(workload.object)) {
    return decide(
      'skipped',
      `workload has no ${ANNOTATIONS.restartOnTrigger}: "true" annotation (nor a Reloader annotation that selects configs)`,
    );
  }
  const borrowed = findBorrowedTemplate(workload.kind, workload.object);
  if (borrowed) return decide('skipped', explainBorrowedTemplate(borrowed, namespace));
  const configDeleted = trigger.type === 'event' && lookup.get(configKey(trigger.ref)) === null;
  if (trigger.type === 'event' && eventConfig !== null && !configCountsFor(workload.object, trigger.ref, eventConfig)) {
    return decide('skipped', explainNotCounted(workload.object, trigger.ref, eventConfig));
  }
  if (configDeleted && options.onDelete === 'ignore') {
    return decide(
      'skipped',
      `${describeConfig((trigger as { ref: ConfigRef }).ref)} was deleted; pods keep the config they started with (REROLL_ON_DELETE=roll changes this)`,
    );
  }

  const lookupUse = (use: ConfigUse) => lookup.get(configKey({ kind: use.kind, namespace, name: use.name })) ?? null;
  // A config that does not count for this workload (not opted in, not selected by its Reloader
  // annotations, ignored) never drives its hash: its changes must not roll it.
  const counted = uses.filter((use) => configCountsFor(workload.object, use, lookupUse(use)));
  const hash = hashConfigs(counted, lookupUse);
  const recorded = meta.annotations?.[ANNOTATIONS.configHash];
  const labelMatches = formatLabelMatches(workload.object, uses, options.match);
  const plan = (roll: boolean) =>
    clearDeferral(workload.object, buildPatch(workload.object, { hash, roll, now: options.now, labelMatches }));
  detail = {
    configs: counted.map((u) => `${u.kind}/${u.name}`),
    hash: { ...(recorded ? { recorded: short(recorded) } : {}), live: short(hash) },
  };
  const trace: DecisionTrace = {
    configs: counted.map((use) => `${use.kind} ${use.name}`),
    to: hash,
    ...(recorded !== undefined ? { from: recorded } : {}),
  };
  const traced = (p: Plan): Plan => (p.patch ? { ...p, trace } : p);

  if (recorded === hash)
    return decide(
      'unchanged',
      `config hash ${short(hash)} matches the recorded one`,
      clearDeferral(workload.object, undefined),
    );

  let why: string;
  if (configDeleted) {
    why = `${describeConfig((trigger as { ref: ConfigRef }).ref)} was deleted and REROLL_ON_DELETE=roll`;
  } else if (recorded === undefined) {
    const isUpdate = trigger.type === 'event' && trigger.action === 'update';
    const owed = readDeferredSince(workload.object);
    if (!isUpdate && owed) {
      why = `no config hash recorded, and a rollout deferred since ${formatTimestamp(owed)} is still owed`;
    } else if (!isUpdate) {
      const what =
        trigger.type === 'resync'
          ? 'resync'
          : trigger.action === 'delete'
            ? `delete event for a ${trigger.ref.kind} that still exists (label-selector transition)`
            : `${trigger.action} event`;
      return traced(
        decide('recorded', `first sight on ${what}: config hash ${short(hash)} recorded, no rollout`, plan(false)),
      );
    } else {
      why = `no config hash recorded and ${describeConfig((trigger as { ref: ConfigRef }).ref)} was updated`;
    }
  } else {
    why = `config hash changed ${short(recorded)} → ${short(hash)}`;
  }

  const missing = counted.find(
    (use) =>
      !use.optional &&
      lookupUse(use) === null &&
      !(configDeleted && trigger.type === 'event' && use.kind === trigger.ref.kind && use.name === trigger.ref.name),
  );
  if (missing) {
    return decide(
      'skipped',
      `${why}, but required ${missing.kind} ${namespace}/${missing.name} does not exist: new pods could not start`,
    );
  }
  // the hash rules say roll; the workload's own rollout rules may still say notify or wait
  const rules = checkRolloutRules(workload.object, options.now);
  if (rules.verdict === 'invalid') return decide('skipped', `${why}, but ${rules.reason}`);
  if (rules.verdict === 'notify') return traced(decide('notified', `${why}; ${rules.reason}`, plan(false)));
  if (rules.verdict === 'defer')
    return deferPlan(decide('rolled', why), `${why}, but ${rules.reason}`, rules.dueAt, options.now);
  const effect = describeRollEffect(workload.kind, workload.object);
  return traced(decide('rolled', effect ? `${why}; ${effect}` : why, plan(true)));
}

function short(hash: string): string {
  return hash.slice(0, 12);
}

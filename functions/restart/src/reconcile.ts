// Level-triggered reconcile: the event only names a config. Read it live (404 = deleted), list the
// workloads of its namespace, decide with the pure core, apply the patches. Duplicate, reordered,
// replayed or forged events therefore converge to the same state and never add a rollout.
import {
  decideEvent,
  decideResync,
  findCandidates,
  listConfigsNeeded,
  type ConfigLookup,
  type DecideOptions,
  type Plan,
  type Workload,
} from './core/decide';
import { readTemplateStamp } from './core/build-patch';
import { describeDecisionEvent } from './core/decision-events';
import { formatRequirements } from './core/label-selector';
import { findConfigsUsed } from './core/match-workload';
import { applyRolloutBudget, countRecentRollouts, type BudgetState } from './core/rollout-budget';
import {
  decideNamespace,
  explainNamespace,
  isNamespaceServed,
  selectServedNamespaces,
  type NamespacePolicy,
} from './core/namespaces';
import type { ConfigRef, Decision, EventAction, KubeObject, MatchMode, OnDelete, WorkloadKind } from './core/types';
import { WORKLOAD_KINDS, configKey, describeConfig } from './core/types';
import { ApiUnavailableError, KubeApiError, type EventRegarding, type KubePort, type WorkloadEvent } from './kube/port';
import { recordEventSafely, type EventReporter } from './kube/record-event-safely';
import { KeyedLock } from './keyed-lock';
import { SingleFlight } from './single-flight';

export interface ReconcileSettings extends NamespacePolicy {
  match: MatchMode;
  onDelete: OnDelete;
  dryRun: boolean;
  /** rollouts per namespace per minute; unset = no budget */
  maxRolloutsPerMinute?: number;
  /** workload kinds to list (default: every kind); kinds not asked for cost no request */
  kinds?: readonly WorkloadKind[];
}

type Redecide = (fresh: Workload) => Plan | undefined;

export interface ReconcileResult {
  decisions: Decision[];
  /** why there are no decisions at all (excluded namespace …) */
  note?: string;
  /** RFC 3339 restart timestamps of rolled workloads, keyed `Kind/ns/name` */
  restartedAt?: Record<string, string>;
  /** the config's `env` label, when known (seed 000's log line shows it) */
  env?: string;
}

export interface ConfigEvent {
  ref: ConfigRef;
  action: EventAction;
  /** the object a Resource-mode event carried (its last state, useful when it is gone) */
  lastKnown?: KubeObject;
}

export interface ReconcilerOptions {
  port: KubePort;
  settings: ReconcileSettings;
  now?: () => Date;
  /** how often a 409 (someone else wrote the workload) is re-read and decided again */
  maxConflictRetries?: number;
  /** told about every Kubernetes Event written or dropped (the entry point logs and counts them) */
  onEvent?: EventReporter;
}

export class Reconciler {
  private readonly configFlights = new SingleFlight<ConfigEvent, ReconcileResult>(mergeEvents);
  private readonly resyncFlight = new SingleFlight<null, ReconcileResult>(() => null);
  private readonly namespaceLock = new KeyedLock();
  private readonly now: () => Date;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Write a Kubernetes Event on a workload; a failure is reported through onEvent, never thrown. */
  recordEvent(regarding: EventRegarding, event: WorkloadEvent): Promise<boolean> {
    return recordEventSafely(this.options.port, regarding, event, this.options.onEvent);
  }

  /** Single-flight per (kind, namespace, name). */
  reconcileConfig(event: ConfigEvent): Promise<ReconcileResult> {
    const { settings } = this.options;
    if (!isNamespaceServed(event.ref.namespace, settings)) {
      return Promise.resolve({ decisions: [], note: explainNamespace(event.ref.namespace, settings) });
    }
    return this.configFlights.run(configKey(event.ref), event, async (e) => {
      const refusal = await this.checkNamespaceLabels(e.ref);
      return refusal ?? this.inNamespace(e.ref.namespace, () => this.runConfig(e));
    });
  }

  /**
   * With a namespace selector, the namespace's labels are read live for every event (one GET, inside
   * the single-flight): no cache, so labelling or unlabelling a namespace counts from the next event,
   * and nothing else of a namespace that does not match is read.
   */
  private async checkNamespaceLabels(ref: ConfigRef): Promise<ReconcileResult | undefined> {
    const { port, settings } = this.options;
    if (!settings.namespaceSelector) return undefined;
    let live: KubeObject | null;
    try {
      live = await port.getNamespace(ref.namespace);
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      return {
        decisions: [
          failed(ref.kind, ref.namespace, ref.name, `cannot read namespace ${ref.namespace}: ${err.message}`),
        ],
      };
    }
    const verdict = decideNamespace(ref.namespace, live, settings);
    return verdict.served ? undefined : { decisions: [], note: verdict.reason };
  }

  /** Every opted-in workload in the served namespaces (PingSource: the adapter never replays missed changes). */
  resync(): Promise<ReconcileResult> {
    return this.resyncFlight.run('resync', null, () => this.runResync());
  }

  /** With a budget, one namespace decides at a time (see keyed-lock.ts); without, nothing waits. */
  private inNamespace<T>(namespace: string, task: () => Promise<T>): Promise<T> {
    return this.options.settings.maxRolloutsPerMinute ? this.namespaceLock.run(namespace, task) : task();
  }

  /** The namespace budget over this round's plans; a 409 re-decision cannot slip past it either. */
  private withBudget(plans: Plan[], listed: Workload[], now: Date, redecide: Redecide): [Plan[], Redecide] {
    const max = this.options.settings.maxRolloutsPerMinute;
    if (!max) return [plans, redecide];
    const budgeted = applyRolloutBudget(plans, countRecentRollouts(listed, max, now), now);
    const held = new Set(
      budgeted
        .filter((p, i) => p.decision.action === 'deferred' && plans[i]!.decision.action === 'rolled')
        .map((p) => `${p.decision.kind}/${p.decision.name}`),
    );
    const spent: BudgetState = { maxPerMinute: max, recent: Array<Date>(max).fill(now) };
    return [
      budgeted,
      (fresh) => {
        const again = redecide(fresh);
        if (!again || !held.has(`${again.decision.kind}/${again.decision.name}`)) return again;
        return applyRolloutBudget([again], spent, now)[0];
      },
    ];
  }

  private decideOptions(): DecideOptions {
    return { match: this.options.settings.match, onDelete: this.options.settings.onDelete, now: this.now() };
  }

  private async runConfig(event: ConfigEvent): Promise<ReconcileResult> {
    const { port, settings } = this.options;
    const { ref } = event;
    // both reads are needed whatever they return: one round trip instead of two
    const [got, listing] = await Promise.allSettled([
      port.getConfig(ref),
      port.listWorkloads(ref.namespace, settings.kinds ?? WORKLOAD_KINDS),
    ]);
    if (got.status === 'rejected') {
      if (got.reason instanceof KubeApiError)
        return {
          decisions: [
            failed(ref.kind, ref.namespace, ref.name, `cannot read ${describeConfig(ref)}: ${got.reason.message}`),
          ],
          ...(event.lastKnown?.metadata?.labels?.env ? { env: event.lastKnown.metadata.labels.env } : {}),
        };
      throw got.reason;
    }
    if (listing.status === 'rejected') throw listing.reason;
    const live = got.value;
    const listed = listing.value;
    const decisions: Decision[] = listed.failures.map((f) =>
      failed(f.kind, ref.namespace, '*', `cannot list ${f.kind}s: ${f.message}`),
    );

    const config = { live, ...(event.lastKnown ? { lastKnown: event.lastKnown } : {}) };
    const env = (live ?? event.lastKnown)?.metadata?.labels?.env;
    const candidates = findCandidates(listed.workloads, ref, config, settings.match);
    const lookup = await this.readConfigs(
      listConfigsNeeded(candidates, settings.match, ref.namespace).filter((r) => configKey(r) !== configKey(ref)),
    );
    const options = this.decideOptions();
    const { readable, unreadable } = splitReadable(candidates, lookup.unreadable, settings.match);
    decisions.push(...unreadable);
    const [plans, redecide] = this.withBudget(
      decideEvent(ref, event.action, config, readable, lookup.configs, options),
      listed.workloads,
      options.now,
      (fresh: Workload) => {
        const again = findCandidates([fresh], ref, config, settings.match);
        return again.length === 0
          ? undefined
          : decideEvent(ref, event.action, config, again, lookup.configs, options)[0];
      },
    );
    const result = await this.apply(plans, redecide, decisions);
    return env ? { ...result, env } : result;
  }

  private async runResync(): Promise<ReconcileResult> {
    const decisions: Decision[] = [];
    const restartedAt: Record<string, string> = {};
    const served = await this.listServedNamespaces(decisions);
    for (const namespace of served) {
      await this.inNamespace(namespace, () => this.resyncNamespace(namespace, decisions, restartedAt));
    }
    return { decisions, restartedAt };
  }

  /** The configured list, or, with a selector, one LIST of the namespaces carrying its labels. */
  private async listServedNamespaces(decisions: Decision[]): Promise<string[]> {
    const { port, settings } = this.options;
    const selector = settings.namespaceSelector;
    if (!selector) return settings.namespaces.filter((ns) => isNamespaceServed(ns, settings));
    try {
      return selectServedNamespaces(await port.listNamespaces(formatRequirements(selector.requirements)), settings);
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      decisions.push(failed('Namespace', '', '*', `cannot list namespaces (${selector.text}): ${err.message}`));
      return [];
    }
  }

  private async resyncNamespace(
    namespace: string,
    decisions: Decision[],
    restartedAt: Record<string, string>,
  ): Promise<void> {
    const { port, settings } = this.options;
    const listed = await port.listWorkloads(namespace, settings.kinds ?? WORKLOAD_KINDS);
    decisions.push(
      ...listed.failures.map((f) => failed(f.kind, namespace, '*', `cannot list ${f.kind}s: ${f.message}`)),
    );
    const lookup = await this.readConfigs(listConfigsNeeded(listed.workloads, settings.match, namespace));
    const options = this.decideOptions();
    const { readable, unreadable } = splitReadable(listed.workloads, lookup.unreadable, settings.match);
    decisions.push(...unreadable);
    const [plans, redecide] = this.withBudget(
      decideResync(readable, lookup.configs, options),
      listed.workloads,
      options.now,
      (fresh) => decideResync([fresh], lookup.configs, options)[0],
    );
    const result = await this.apply(plans, redecide, []);
    decisions.push(...result.decisions);
    Object.assign(restartedAt, result.restartedAt);
  }

  private async readConfigs(refs: ConfigRef[]): Promise<{ configs: ConfigLookup; unreadable: Map<string, string> }> {
    const configs = new Map<string, KubeObject | null>();
    const unreadable = new Map<string, string>();
    await Promise.all(
      refs.map(async (ref) => {
        try {
          configs.set(configKey(ref), await this.options.port.getConfig(ref));
        } catch (err) {
          if (!(err instanceof KubeApiError)) throw err;
          unreadable.set(configKey(ref), err.message);
        }
      }),
    );
    return { configs, unreadable };
  }

  private async apply(
    plans: Plan[],
    redecide: (fresh: Workload) => Plan | undefined,
    decisions: Decision[],
  ): Promise<ReconcileResult> {
    const restartedAt: Record<string, string> = {};
    const outcomes = await Promise.allSettled(plans.map((plan) => this.applyAndRecord(plan, redecide)));
    const unavailable = outcomes.find((o) => o.status === 'rejected' && o.reason instanceof ApiUnavailableError);
    if (unavailable) throw (unavailable as PromiseRejectedResult).reason;
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') throw outcome.reason;
      const { decision, timestamp } = outcome.value;
      decisions.push(decision);
      if (timestamp) restartedAt[`${decision.kind}/${decision.namespace}/${decision.name}`] = timestamp;
    }
    return { decisions, restartedAt };
  }

  /** Apply a plan, then leave its Kubernetes Event on the workload (a failed event write changes nothing). */
  private async applyAndRecord(
    plan: Plan,
    redecide: (fresh: Workload) => Plan | undefined,
  ): Promise<{ decision: Decision; timestamp?: string }> {
    const outcome = await this.applyOne(plan, redecide);
    const event = this.options.settings.dryRun ? undefined : describeDecisionEvent(outcome.decision, outcome.trace);
    if (event) {
      const { kind } = plan.workload;
      const { namespace, name } = outcome.decision;
      await this.recordEvent({ kind, namespace, name, ...(outcome.uid ? { uid: outcome.uid } : {}) }, event);
    }
    return outcome;
  }

  private async applyOne(
    first: Plan,
    redecide: (fresh: Workload) => Plan | undefined,
  ): Promise<{ decision: Decision; timestamp?: string; trace?: Plan['trace']; uid?: string }> {
    const { port, settings } = this.options;
    const maxConflicts = this.options.maxConflictRetries ?? 3;
    let plan = first;
    const done = (decision: Decision, timestamp?: string) => {
      const uid = plan.workload.object.metadata?.uid;
      return {
        decision,
        ...(timestamp ? { timestamp } : {}),
        ...(plan.trace ? { trace: plan.trace } : {}),
        ...(typeof uid === 'string' ? { uid } : {}),
      };
    };
    for (let conflicts = 0; ; conflicts++) {
      if (!plan.patch) return done(plan.decision);
      const timestamp = readTemplateStamp(plan.patch, plan.workload.object.kind ?? plan.workload.kind)?.[
        'rolling.restart.controller/restartTimestamp'
      ];
      if (settings.dryRun) return done({ ...plan.decision, reason: `${plan.decision.reason} (dry run: not patched)` });
      const ref = { kind: plan.workload.kind, namespace: plan.decision.namespace, name: plan.decision.name };
      try {
        await port.patchWorkload(ref, plan.patch);
        return done(plan.decision, timestamp);
      } catch (err) {
        if (!(err instanceof KubeApiError)) throw err;
        if (err.status === 404)
          return done({ ...plan.decision, action: 'skipped', reason: 'the workload was deleted meanwhile' });
        if (err.status !== 409)
          return done({
            ...plan.decision,
            action: 'failed',
            reason: `${plan.decision.reason}; the patch failed: ${err.message}`,
          });
        if (conflicts >= maxConflicts)
          return done({
            ...plan.decision,
            action: 'failed',
            reason: `the workload kept changing under us (${conflicts + 1} conflicts); the next event or resync will converge it`,
          });
        // 409: another writer (maybe another replica) changed it since we read it: read again, decide again.
        const fresh = await port.getWorkload(ref);
        if (!fresh) return done({ ...plan.decision, action: 'skipped', reason: 'the workload was deleted meanwhile' });
        const again = redecide({ kind: plan.workload.kind, object: fresh });
        if (!again)
          return done({
            ...plan.decision,
            action: 'skipped',
            reason: 'after a conflict, the workload no longer uses the config',
          });
        plan = again;
      }
    }
  }
}

/** Workloads that use a config the function may not read get a failed decision instead of a guess. */
function splitReadable(
  workloads: Workload[],
  unreadable: Map<string, string>,
  match: MatchMode,
): { readable: Workload[]; unreadable: Decision[] } {
  if (unreadable.size === 0) return { readable: workloads, unreadable: [] };
  const readable: Workload[] = [];
  const decisions: Decision[] = [];
  for (const w of workloads) {
    const ns = w.object.metadata?.namespace ?? '';
    const blocked = findConfigsUsed(w.object, match)
      .map((u) => unreadable.get(configKey({ kind: u.kind, namespace: ns, name: u.name })))
      .find(Boolean);
    if (blocked) decisions.push(failed(w.kind, ns, w.object.metadata?.name ?? '', blocked));
    else readable.push(w);
  }
  return { readable, unreadable: decisions };
}

function failed(kind: string, namespace: string, name: string, reason: string): Decision {
  return { kind, namespace, name, action: 'failed', reason };
}

/** Coalesced events: an update anywhere keeps update semantics (it may roll on first sight); the newest body wins. */
export function mergeEvents(queued: ConfigEvent, incoming: ConfigEvent): ConfigEvent {
  const action = queued.action === 'update' || incoming.action === 'update' ? 'update' : incoming.action;
  const lastKnown = incoming.lastKnown ?? queued.lastKnown;
  return { ref: incoming.ref, action, ...(lastKnown ? { lastKnown } : {}) };
}

// REROLL_MAX_ROLLOUTS_PER_MINUTE: a namespace-wide pace for mass changes (Reloader #220, #179).
// Counted from the restartTimestamps on the workloads the reconcile lists anyway, so it needs no
// state: past the budget, the rest are deferred and the next events/resyncs take them in a stable
// order, oldest change first (deferred-since, then kind/name), until none is left.
import { formatTimestamp } from './build-patch';
import type { Plan, Workload } from './decide';
import { deferPlan, readDeferredSince } from './defer-rollout';
import { readLastRollout } from './min-interval';

export const BUDGET_WINDOW_MS = 60_000;

export interface BudgetState {
  maxPerMinute: number;
  /** rollout times inside the last minute, oldest first */
  recent: Date[];
}

/** The rollouts of the last minute among every listed workload of the namespace. */
export function countRecentRollouts(workloads: readonly Workload[], maxPerMinute: number, now: Date): BudgetState {
  const from = now.getTime() - BUDGET_WINDOW_MS;
  const recent = workloads
    .map((w) => readLastRollout(w.object))
    .filter((at): at is Date => at !== undefined && at.getTime() > from)
    .sort((a, b) => a.getTime() - b.getTime());
  return { maxPerMinute, recent };
}

/** Stable queue order: the longest-waiting change first, then kind/namespace/name. */
export function compareQueueOrder(a: Plan, b: Plan, now: Date): number {
  const since = (p: Plan) => (readDeferredSince(p.workload.object) ?? now).getTime();
  return since(a) - since(b) || queueKey(a).localeCompare(queueKey(b));
}

/** Keep at most the budget's remaining rollouts; defer the others (plans keep their order). */
export function applyRolloutBudget(plans: Plan[], budget: BudgetState, now: Date): Plan[] {
  const rolling = plans.filter((p) => p.decision.action === 'rolled').sort((a, b) => compareQueueOrder(a, b, now));
  const remaining = Math.max(0, budget.maxPerMinute - budget.recent.length);
  if (rolling.length <= remaining) return plans;
  const admitted = new Set(rolling.slice(0, remaining));
  const deferred = rolling.slice(remaining);
  // the next slot frees when the oldest rollout in the window (this round's included) leaves it
  const window = [...budget.recent, ...Array<Date>(remaining).fill(now)];
  const nextSlot = new Date((window[0] ?? now).getTime() + BUDGET_WINDOW_MS);
  const position = new Map(deferred.map((p, i) => [p, i]));
  return plans.map((plan) => {
    const ahead = position.get(plan);
    if (ahead === undefined || admitted.has(plan)) return plan;
    const reason =
      `${plan.decision.reason}, but the namespace's rollout budget is spent ` +
      `(REROLL_MAX_ROLLOUTS_PER_MINUTE=${budget.maxPerMinute}: ${window.length} in the last minute); ` +
      `next slot at ${formatTimestamp(nextSlot)}, ${ahead} ahead in the queue`;
    return deferPlan(plan, reason, nextSlot, now);
  });
}

function queueKey(p: Plan): string {
  return `${p.decision.kind}/${p.decision.namespace}/${p.decision.name}`;
}

// A rollout that is due but may not happen yet (min-interval, namespace budget) becomes `deferred`.
// Nothing is lost: the recorded hash is left as it was, so the next event or resync still sees the
// change; the first deferral also marks the workload (deferred-since) with when it started waiting,
// which orders the budget's queue and keeps a first-sight update owed its rollout.
import type { MergePatch } from './build-patch';
import type { Plan } from './decide';
import { formatTimestamp } from './build-patch';
import { ROLLOUT_ANNOTATIONS } from './rollout-annotations';
import type { KubeObject } from './types';

export function readDeferredSince(workload: KubeObject): Date | undefined {
  const raw = workload.metadata?.annotations?.[ROLLOUT_ANNOTATIONS.deferredSince];
  if (!raw) return undefined;
  const at = new Date(raw);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** A rolled plan turned into `deferred`: no pod template change, only the mark (when not there yet). */
export function deferPlan(plan: Plan, reason: string, dueAt: Date | undefined, now: Date): Plan {
  const object = plan.workload.object;
  const marked = object.metadata?.annotations?.[ROLLOUT_ANNOTATIONS.deferredSince] !== undefined;
  const decision = {
    ...plan.decision,
    action: 'deferred' as const,
    reason,
    ...(dueAt ? { dueAt: formatTimestamp(dueAt) } : {}),
  };
  if (marked) return { decision, workload: plan.workload };
  const patch: MergePatch = {
    metadata: { annotations: { [ROLLOUT_ANNOTATIONS.deferredSince]: formatTimestamp(now) } },
  };
  const resourceVersion = object.metadata?.resourceVersion;
  if (resourceVersion) patch.metadata.resourceVersion = resourceVersion;
  return { decision, workload: plan.workload, patch };
}

/** The wait is over (rolled, notified, recorded, back in sync): drop the mark in the same write. */
export function clearDeferral(workload: KubeObject, patch: MergePatch | undefined): MergePatch | undefined {
  if (workload.metadata?.annotations?.[ROLLOUT_ANNOTATIONS.deferredSince] === undefined) return patch;
  const base: MergePatch = patch ?? { metadata: { annotations: {} } };
  const resourceVersion = workload.metadata?.resourceVersion;
  if (!patch && resourceVersion) base.metadata.resourceVersion = resourceVersion;
  return {
    ...base,
    metadata: {
      ...base.metadata,
      annotations: { ...base.metadata.annotations, [ROLLOUT_ANNOTATIONS.deferredSince]: null },
    },
  };
}

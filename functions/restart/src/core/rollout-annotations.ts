// reroll's own per-workload annotations (issue 15), beside seed 001's in types.ts. Kept apart so the
// rollout rules (interval, budget, notify) stay one hook away from the matching and hashing rules.
export const ROLLOUT_ANNOTATIONS = {
  /** Go duration: at most one rollout per interval (later changes are deferred, then rolled once) */
  minInterval: 'reroll.dev/min-interval',
  /** "notify": decide and report, never patch the pod template; "roll" (default) */
  mode: 'reroll.dev/mode',
  /**
   * on the workload's own metadata while a rollout waits (RFC 3339, when it was first deferred): the
   * budget's queue order (oldest change first), and the memory that a first-sight update is still
   * owed a rollout, since the hash is only recorded when it really rolls
   */
  deferredSince: 'reroll.dev/deferred-since',
} as const;

export const WORKLOAD_MODES = ['roll', 'notify'] as const;
export type WorkloadMode = (typeof WORKLOAD_MODES)[number];

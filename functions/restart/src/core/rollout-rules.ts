// What may stop a rollout that the hash rules say is due, per workload: notify-only mode and the
// min-interval. Checked only once a rollout is due, so a bad annotation never blocks recording a
// hash, and it is reported (skipped, with the annotation named) instead of guessed at.
import { formatTimestamp } from './build-patch';
import { findIntervalDue, readLastRollout, readMinInterval } from './min-interval';
import { ROLLOUT_ANNOTATIONS } from './rollout-annotations';
import type { KubeObject } from './types';
import { readWorkloadMode } from './workload-mode';

export type RolloutVerdict =
  | { verdict: 'roll' }
  | { verdict: 'notify'; reason: string }
  | { verdict: 'defer'; reason: string; dueAt: Date }
  | { verdict: 'invalid'; reason: string };

export function checkRolloutRules(workload: KubeObject, now: Date): RolloutVerdict {
  const mode = readWorkloadMode(workload);
  if (!mode.ok) return { verdict: 'invalid', reason: `${mode.error}: not rolled until it is fixed` };
  const interval = readMinInterval(workload);
  if (interval && !interval.ok)
    return { verdict: 'invalid', reason: `${interval.error}: not rolled until it is fixed` };
  if (mode.mode === 'notify')
    return { verdict: 'notify', reason: `${ROLLOUT_ANNOTATIONS.mode}: notify: pod template not patched` };
  if (interval) {
    const due = findIntervalDue(workload, interval.ms, now);
    if (due) {
      const last = readLastRollout(workload)!;
      return {
        verdict: 'defer',
        dueAt: due,
        reason: `${ROLLOUT_ANNOTATIONS.minInterval} ${interval.text}: last rollout ${formatTimestamp(last)}, due at ${formatTimestamp(due)}`,
      };
    }
  }
  return { verdict: 'roll' };
}

// reroll.dev/min-interval: at most one rollout per interval, computed from the restartTimestamp the
// last rollout stamped on the pod template, so no state lives anywhere but on the workload.
import { formatDuration, parseGoDuration } from './go-duration';
import { podTemplateOf } from './pod-template';
import { ROLLOUT_ANNOTATIONS } from './rollout-annotations';
import type { KubeObject } from './types';
import { ANNOTATIONS } from './types';

export type IntervalSetting = { ok: true; ms: number; text: string } | { ok: false; error: string } | undefined;

/** The workload's min-interval (undefined when not set). */
export function readMinInterval(workload: KubeObject): IntervalSetting {
  const raw = workload.metadata?.annotations?.[ROLLOUT_ANNOTATIONS.minInterval];
  if (raw === undefined || raw.trim() === '') return undefined;
  const ms = parseGoDuration(raw);
  if (ms === undefined)
    return {
      ok: false,
      error: `${ROLLOUT_ANNOTATIONS.minInterval}: ${JSON.stringify(raw)} is not a Go duration (e.g. "10m", "1h30m")`,
    };
  return { ok: true, ms, text: formatDuration(ms) };
}

/** When reroll last rolled this workload (the pod template's restartTimestamp), if it ever did. */
export function readLastRollout(workload: KubeObject): Date | undefined {
  const template = podTemplateOf(workload) as { metadata?: { annotations?: Record<string, string> } } | undefined;
  const raw = template?.metadata?.annotations?.[ANNOTATIONS.restartTimestamp];
  if (!raw) return undefined;
  const at = new Date(raw);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** When the next rollout is allowed, or undefined when it is allowed now. `at` the interval counts as elapsed. */
export function findIntervalDue(workload: KubeObject, intervalMs: number, now: Date): Date | undefined {
  const last = readLastRollout(workload);
  if (!last) return undefined;
  const due = new Date(last.getTime() + intervalMs);
  return due.getTime() > now.getTime() ? due : undefined;
}

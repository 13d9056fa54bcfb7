// reroll.dev/mode: "notify" decides as usual but never patches the pod template (Reloader #414).
// A value reroll does not know is refused rather than read as "roll": a typo must not restart pods
// whose owner asked for notifications only.
import { ROLLOUT_ANNOTATIONS, WORKLOAD_MODES, type WorkloadMode } from './rollout-annotations';
import type { KubeObject } from './types';

export type ModeSetting = { ok: true; mode: WorkloadMode } | { ok: false; error: string };

export function readWorkloadMode(workload: KubeObject): ModeSetting {
  const raw = workload.metadata?.annotations?.[ROLLOUT_ANNOTATIONS.mode]?.trim();
  if (raw === undefined || raw === '') return { ok: true, mode: 'roll' };
  if ((WORKLOAD_MODES as readonly string[]).includes(raw)) return { ok: true, mode: raw as WorkloadMode };
  return {
    ok: false,
    error: `${ROLLOUT_ANNOTATIONS.mode}: ${JSON.stringify(raw)} is not one of ${WORKLOAD_MODES.join('|')}`,
  };
}

// The deployment controller's arithmetic, pure: how many new pods to start and how many old ones to
// stop next, within the Deployment's strategy (maxSurge, maxUnavailable, or Recreate), as
// pkg/controller/deployment/rolling.go computes it. The supervisor repeats steps until none is left.

export interface RolloutStrategy {
  type: 'RollingUpdate' | 'Recreate';
  maxSurge: number;
  maxUnavailable: number;
}

export interface RolloutCounts {
  desired: number;
  /** pods of the current template: all of them, and those ready */
  newTotal: number;
  newReady: number;
  /** pods of older templates */
  oldTotal: number;
  oldReady: number;
}

export interface RolloutStep {
  /** new pods to start now */
  start: number;
  /** old pods to stop now (not-ready ones first) */
  stopOld: number;
  /** pods of the current template beyond the replicas asked for */
  stopNew: number;
  reason: string;
}

type IntOrPercent = number | string | undefined;

/** intstr.GetScaledValueFromIntOrPercent: percentages of the replicas, surge rounded up, unavailable down. */
function scaled(value: IntOrPercent, replicas: number, roundUp: boolean, fallback: number): number {
  if (typeof value === 'number') return Math.max(0, Math.floor(value));
  if (typeof value === 'string') {
    const m = /^(\d+)%$/.exec(value.trim());
    if (m) {
      const exact = (Number(m[1]) * replicas) / 100;
      return roundUp ? Math.ceil(exact) : Math.floor(exact);
    }
    if (/^\d+$/.test(value.trim())) return Number(value.trim());
  }
  return fallback;
}

/** The strategy as the controller resolves it for `replicas` (defaults 25% / 25%, never both zero). */
export function resolveStrategy(strategy: unknown, replicas: number): RolloutStrategy {
  const s = (typeof strategy === 'object' && strategy !== null ? strategy : {}) as {
    type?: unknown;
    rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent };
  };
  if (s.type === 'Recreate') return { type: 'Recreate', maxSurge: 0, maxUnavailable: replicas };
  const maxSurge = scaled(s.rollingUpdate?.maxSurge ?? '25%', replicas, true, 1);
  let maxUnavailable = scaled(s.rollingUpdate?.maxUnavailable ?? '25%', replicas, false, 0);
  // deploymentutil.ResolveFenceposts: a rollout must be able to make progress
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { type: 'RollingUpdate', maxSurge, maxUnavailable };
}

export function planRolloutStep(strategy: RolloutStrategy, c: RolloutCounts): RolloutStep {
  const stopNew = Math.max(c.newTotal - c.desired, 0);
  if (strategy.type === 'Recreate') {
    if (c.oldTotal > 0) return { start: 0, stopOld: c.oldTotal, stopNew, reason: 'Recreate: old pods go first' };
    const start = Math.max(c.desired - c.newTotal, 0);
    return { start, stopOld: 0, stopNew, reason: start > 0 ? 'Recreate: start the new pods' : 'complete' };
  }
  // Scale up: never more than desired + maxSurge pods in all.
  const room = c.desired + strategy.maxSurge - (c.newTotal + c.oldTotal);
  const start = Math.max(Math.min(room, c.desired - c.newTotal), 0);
  // Scale down: keep at least desired - maxUnavailable available; not-ready old pods cost nothing.
  const minAvailable = c.desired - strategy.maxUnavailable;
  const oldNotReady = c.oldTotal - c.oldReady;
  const canStopReady = Math.max(c.newReady + c.oldReady - minAvailable, 0);
  const stopOld = Math.min(c.oldTotal, oldNotReady + Math.min(canStopReady, c.oldReady));
  const reason =
    start === 0 && stopOld === 0 && stopNew === 0
      ? c.oldTotal === 0 && c.newReady >= c.desired
        ? 'complete'
        : 'waiting for new pods to become ready'
      : `maxSurge ${strategy.maxSurge}, maxUnavailable ${strategy.maxUnavailable}`;
  return { start, stopOld, stopNew, reason };
}

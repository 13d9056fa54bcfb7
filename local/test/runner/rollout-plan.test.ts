// The deployment controller's rollout arithmetic: how far a rollout may surge and how many old pods
// may go at each step, for the strategies users write.
import { describe, expect, it } from 'vitest';
import { planRolloutStep, resolveStrategy } from '../../src/runner/rollout-plan';

describe('resolveStrategy', () => {
  it('rounds the 25% defaults as the controller does: surge up, unavailable down', () => {
    expect(resolveStrategy(undefined, 1)).toEqual({ type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 });
    expect(resolveStrategy({ type: 'RollingUpdate' }, 10)).toEqual({
      type: 'RollingUpdate',
      maxSurge: 3,
      maxUnavailable: 2,
    });
  });
  it('takes integers and never leaves both at zero', () => {
    expect(resolveStrategy({ rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }, 3)).toMatchObject({
      maxSurge: 0,
      maxUnavailable: 1,
    });
    expect(resolveStrategy({ rollingUpdate: { maxSurge: 2, maxUnavailable: '50%' } }, 3)).toMatchObject({
      maxSurge: 2,
      maxUnavailable: 1,
    });
  });
});

describe('planRolloutStep', () => {
  it('one replica, defaults: start the new pod first, stop the old one only once it is ready', () => {
    const s = resolveStrategy(undefined, 1);
    expect(planRolloutStep(s, { desired: 1, newTotal: 0, newReady: 0, oldTotal: 1, oldReady: 1 })).toMatchObject({
      start: 1,
      stopOld: 0,
    });
    expect(planRolloutStep(s, { desired: 1, newTotal: 1, newReady: 1, oldTotal: 1, oldReady: 1 })).toMatchObject({
      start: 0,
      stopOld: 1,
    });
    expect(planRolloutStep(s, { desired: 1, newTotal: 1, newReady: 1, oldTotal: 0, oldReady: 0 }).reason).toBe(
      'complete',
    );
  });
  it('four replicas, maxSurge 1, maxUnavailable 0: one pod at a time', () => {
    const s = resolveStrategy({ rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, 4);
    expect(planRolloutStep(s, { desired: 4, newTotal: 0, newReady: 0, oldTotal: 4, oldReady: 4 })).toMatchObject({
      start: 1,
      stopOld: 0,
    });
    expect(planRolloutStep(s, { desired: 4, newTotal: 1, newReady: 1, oldTotal: 4, oldReady: 4 })).toMatchObject({
      start: 0,
      stopOld: 1,
    });
  });
  it('maxUnavailable lets old pods go before new ones are ready; not-ready old pods cost nothing', () => {
    const s = resolveStrategy({ rollingUpdate: { maxSurge: 0, maxUnavailable: 2 } }, 4);
    expect(planRolloutStep(s, { desired: 4, newTotal: 0, newReady: 0, oldTotal: 4, oldReady: 4 })).toMatchObject({
      start: 0,
      stopOld: 2,
    });
    expect(planRolloutStep(s, { desired: 4, newTotal: 0, newReady: 0, oldTotal: 4, oldReady: 1 })).toMatchObject({
      stopOld: 3,
    });
  });
  it('Recreate stops every old pod before starting new ones', () => {
    const s = resolveStrategy({ type: 'Recreate' }, 2);
    expect(planRolloutStep(s, { desired: 2, newTotal: 0, newReady: 0, oldTotal: 2, oldReady: 2 })).toMatchObject({
      start: 0,
      stopOld: 2,
    });
    expect(planRolloutStep(s, { desired: 2, newTotal: 0, newReady: 0, oldTotal: 0, oldReady: 0 })).toMatchObject({
      start: 2,
    });
  });
  it('scaling down stops the surplus of the current template', () => {
    const s = resolveStrategy(undefined, 1);
    expect(planRolloutStep(s, { desired: 1, newTotal: 3, newReady: 3, oldTotal: 0, oldReady: 0 })).toMatchObject({
      stopNew: 2,
    });
  });
});

// Test-file side of the tier: `describeRealTier` skips when the globalSetup found no
// binaries (it printed the one line already) and counts each test that ran; `useControlPlane` gives
// the shared control plane to the file.
import { appendFileSync } from 'node:fs';
import { afterEach, describe, inject, it } from 'vitest';
import { connectControlPlane, type ControlPlaneClient } from './control-plane-client';
import type { RealTierAssets } from './find-assets';
import type { RealTierContext } from './real-tier-context';
import './real-tier-context';

export interface DescribeRealTierOptions {
  /** the suite runs the real adapter: skip it when REROLL_ADAPTER_BIN is unset */
  adapters?: boolean;
  /** the suite needs kube-controller-manager (use the global-setup-controllers setup) */
  controllerManager?: boolean;
}

function context(): RealTierContext | null {
  // inject throws outside vitest or when no globalSetup provided the key; both mean "not set up"
  try {
    return inject('realTier') ?? null;
  } catch {
    return null;
  }
}

export function realTierSkipReason(options: DescribeRealTierOptions = {}): string | undefined {
  const ctx = context();
  if (!ctx) return 'real tier not configured';
  if (options.adapters && ctx.adapterSkipReason) return ctx.adapterSkipReason;
  if (options.controllerManager && !ctx.info.controllerManager)
    return 'this workspace starts no kube-controller-manager';
  return undefined;
}

export function describeRealTier(name: string, fn: () => void, options: DescribeRealTierOptions = {}): void {
  const reason = realTierSkipReason(options);
  if (reason !== undefined) {
    // the body is not collected: it would ask for a control plane that does not exist. The one line
    // saying how to enable the tier was printed by the globalSetup.
    describe.skip(`[real tier] ${name}`, () => {
      it.skip(reason, () => undefined);
    });
    return;
  }
  describe(`[real tier] ${name}`, () => {
    afterEach((test) => {
      const ctx = context();
      if (ctx) appendFileSync(ctx.ranFile, `${test.task.name}\n`);
    });
    fn();
  });
}

/** The workspace's control plane; only call inside a describeRealTier body (hooks or tests). */
export function useControlPlane(): ControlPlaneClient {
  const ctx = context();
  if (!ctx) throw new Error('useControlPlane() outside the real tier (no globalSetup, or it was skipped)');
  return connectControlPlane(ctx.info);
}

export function realTierAssets(): RealTierAssets {
  const ctx = context();
  if (!ctx) throw new Error('realTierAssets() outside the real tier');
  return ctx.assets;
}

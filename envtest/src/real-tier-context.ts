// What the globalSetup hands the test files (vitest provide/inject): plain data only.
import type { RealTierAssets } from './find-assets';
import type { ControlPlaneInfo } from './control-plane-client';

export interface RealTierContext {
  info: ControlPlaneInfo;
  assets: RealTierAssets;
  /** a file each real-tier test appends a line to, so the run can say how many ran */
  ranFile: string;
  /** why adapter suites skip (REROLL_ADAPTER_BIN unset), when they do */
  adapterSkipReason?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** null when the tier is skipped */
    realTier: RealTierContext | null;
  }
}

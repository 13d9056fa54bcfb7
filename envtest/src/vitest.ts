// @reroll/envtest/vitest: the test-file helpers (they import vitest; the rest of the module does not).
export {
  describeRealTier,
  useControlPlane,
  realTierAssets,
  realTierSkipReason,
  type DescribeRealTierOptions,
} from './describe-real-tier';
export { realTierGlobalSetup, type RealTierSetupOptions } from './vitest-setup';
export type { RealTierContext } from './real-tier-context';

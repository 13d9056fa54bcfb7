import { defineConfig } from 'vitest/config';

// The real tier (test/real-tier.test.ts): one real control plane for the run, or one line saying how
// to enable it. Files one after the other (they share it), generous timeouts on a busy machine.
export default defineConfig({
  test: {
    globalSetup: ['@reroll/envtest/global-setup'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

// One real control plane for the whole run (globalSetup); its processes compete for two shared cores,
// so timeouts are generous and files run one after the other.
export default defineConfig({
  test: {
    globalSetup: ['./src/global-setup-controllers.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});

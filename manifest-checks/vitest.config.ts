import { defineConfig } from 'vitest/config';

// kubectl kustomize and the CRD schema compiles take seconds on a busy 2-core machine.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});

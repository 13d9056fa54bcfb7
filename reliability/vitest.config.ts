import { defineConfig } from 'vitest/config';

// Each file starts real servers (emulator + restart) and pushes thousands of requests through them
// on a busy 2-core machine: generous timeouts, files one after the other so they don't starve each other.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // the real tier (test/real-tier/): one real control plane for the run, or one line saying how to enable it
    globalSetup: ['./test/real-tier/global-setup.ts'],
  },
});

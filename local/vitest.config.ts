import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // the real tier (test/real-tier/): one real control plane for the run, or one line saying how to enable it
    globalSetup: ['./test/real-tier/global-setup.ts'],
  },
});

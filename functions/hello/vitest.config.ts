import { defineConfig } from 'vitest/config';

// main.test.ts starts real processes through tsx: slow on a busy 2-core machine.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});

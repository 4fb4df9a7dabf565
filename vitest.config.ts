import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Whole-pipeline tests take 20-30 s on an idle 2-core machine and twice that when other
    // work shares it (measured up to 59 s at load 10); a hung test still fails within 2 min.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests spawn child processes and worker threads; two cores are all a CI machine has.
    maxWorkers: 2,
  },
});

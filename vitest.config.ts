import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Protocol tests spawn servers; two cores, so keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/bench/**', 'test/e2e/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Real editors (a browser and code-server, ...) are heavy: one file at a time, after the
        // rest, so that they neither slow down the timing-sensitive server tests nor are slowed by them.
        extends: true,
        test: {
          name: 'editors',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// Unit tests are fast and pure; integration and e2e tests start real processes from dist/ and so run
// one file at a time on a 2-core machine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          // Ink decides once, when it is imported, whether it is in CI, and then draws nothing live.
          // The console's in-process tests need it drawing, so unit tests run as not-CI even on CI.
          env: { CI: 'false' },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.{ts,tsx}', 'test/e2e/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

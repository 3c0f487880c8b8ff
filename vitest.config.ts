import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Lambda runs Node 24; the SDK's notice about Node 20 is noise in local test runs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-results.json' },
    // Timeouts only catch a hung test: tests wait on conditions, never on durations, and a busy
    // two-core machine can be many times slower than an idle one, so the bounds are generous.
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/support/unit-env.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 240_000,
          // Most of this project's time was importing aws-cdk-lib again for every file. Each file still
          // builds its own App (synthApp); only library modules are shared, and no file changes them.
          isolate: false,
        },
      },
      {
        test: {
          name: 'local',
          include: ['test/local/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // expect.poll waits on the page as locators do (1 s by default: too short on a busy machine).
          expect: { poll: { timeout: 30_000, interval: 100 } },
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});

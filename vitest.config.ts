import { defineConfig } from 'vitest/config';

// Tests run on the packages' src through the `@secretref/source` export condition: no build needed.
const conditions = ['@secretref/source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    // The SDK warns on Node 20 about releases after January 2027; the versions pinned here support it.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts'],
          typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: 'tsconfig.typetest.json' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.integration.test.ts', 'examples/*/test/**/*.test.ts'],
          globalSetup: ['tools/local-aws/src/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

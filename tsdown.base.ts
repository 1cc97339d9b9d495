import type { UserConfig } from 'tsdown';

/** Shared build for every published package: dual ESM + CJS, declarations for both, no minification. */
export const base: UserConfig = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  clean: true,
  // The source condition is for tests and typecheck only; the build reads src directly.
  fixedExtension: true,
};

import type { UserConfig } from 'tsdown';
import { base } from '../../tsdown.base.ts';

const config: UserConfig[] = [
  { ...base, entry: ['src/index.ts', 'src/testing/index.ts'] },
  // The `secretref` bin: ESM only, no declarations, built after (and without cleaning) the library.
  { ...base, entry: { cli: 'src/cli/main.ts' }, format: ['esm'], dts: false, clean: false },
];
export default config;

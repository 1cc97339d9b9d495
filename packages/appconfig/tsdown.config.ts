import type { UserConfig } from 'tsdown';
import { base } from '../../tsdown.base.ts';

const config: UserConfig = { ...base };
export default config;

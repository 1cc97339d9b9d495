/**
 * @secretref/ssm: the SSM Parameter Store provider (`ssm:` and `ssm-secure:` references).
 * See docs/providers/ssm.md.
 *
 * @module @secretref/ssm
 */
export { parseSsmBody, type SsmLocator } from './parse.ts';
export { type SsmFetchProviderOptions, type SsmProviderOptions, ssmFetchProvider, ssmProvider } from './provider.ts';
export { SSM_SERVICE } from './service.ts';

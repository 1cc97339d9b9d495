/**
 * @secretref/ssm: the SSM Parameter Store provider (`ssm:` and `ssm-secure:` references).
 * See docs/providers/ssm.md.
 *
 * @module @secretref/ssm
 */
export { parseSsmBody, type SsmLocator } from './parse.ts';
export { type SsmProviderOptions, ssmProvider } from './provider.ts';

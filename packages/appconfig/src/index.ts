/**
 * @secretref/appconfig: the AWS AppConfig provider (`appconfig:` references to configurations and
 * feature flags) and the typed `flag` helper. See docs/providers/appconfig.md.
 *
 * @module @secretref/appconfig
 */
export { type Flag, type FlagOptions, flagWith } from './flag.ts';
export { type AppConfigLocator, parseAppConfigBody } from './parse.ts';
export {
  type AppConfigFetchProviderOptions,
  type AppConfigProviderOptions,
  appconfigFetchProvider,
  appconfigProvider,
} from './provider.ts';
export { APPCONFIG_SERVICE } from './service.ts';

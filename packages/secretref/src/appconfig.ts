/**
 * What `secretref` has of `@secretref/appconfig`: its providers, and `flag`, which reads one feature
 * flag with the default resolver (docs/providers/appconfig.md).
 */
import { type Flag, type FlagOptions, flagWith } from '@secretref/appconfig';
import { defaultResolver } from './default.ts';

export {
  type AppConfigFetchProviderOptions,
  type AppConfigProviderOptions,
  appconfigFetchProvider,
  appconfigProvider,
  type Flag,
  type FlagOptions,
  flagWith,
} from '@secretref/appconfig';

/**
 * Resolves one AppConfig feature flag with the default resolver and checks that it is one: an object
 * with a boolean `enabled` (and its attributes). See `flagWith` for a resolver of your own.
 *
 * @example
 * ```ts
 * const checkout = await flag('appconfig:shop/prod/flags#new-checkout', { default: { enabled: false } });
 * if (checkout.enabled) console.log('limit', checkout.limit);
 * ```
 */
export function flag(ref: string, options?: FlagOptions): Promise<Flag> {
  return flagWith(defaultResolver(), ref, options);
}

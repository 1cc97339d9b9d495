/** The typed reading of one feature flag: `flagWith(resolver, 'appconfig:shop/prod/flags#new-checkout')`. */
import { InvalidReferenceError, InvalidValueError, type ResolveOptions, type Resolver } from '@secretref/core';

/** A feature flag as AppConfig hands it over: `enabled`, and its attributes (a disabled flag has none). */
export interface Flag {
  readonly enabled: boolean;
  readonly [attribute: string]: unknown;
}

/** Options of `flag` and `flagWith`: those of `resolve` (but `as` and `optional`), and a default. */
export interface FlagOptions extends Omit<ResolveOptions, 'as' | 'optional'> {
  /**
   * What a flag that is not in the profile reads as (`{ enabled: false }`): the profile itself must
   * exist. @default none: a flag not in the profile is an `InvalidValueError`
   */
  readonly default?: Flag | undefined;
}

/**
 * Resolves one feature flag (`appconfig:<application>/<environment>/<profile>#<flag>`) and checks
 * that it is one: an object with a boolean `enabled`. It is read from the cached profile, so every
 * flag of a profile costs one fetch per TTL together.
 *
 * @example
 * ```ts
 * const checkout = await flagWith(resolver, 'appconfig:shop/prod/flags#new-checkout', { default: { enabled: false } });
 * if (checkout.enabled) useNewCheckout(checkout.limit);
 * ```
 */
export async function flagWith(
  resolver: Pick<Resolver, 'resolve' | 'parse'>,
  ref: string,
  options: FlagOptions = {},
): Promise<Flag> {
  // Checked before any fetch; a reference of another scheme is not quoted (a kms: body is a ciphertext).
  const reference = resolver.parse(ref);
  const { fragment } = reference;
  if (reference.scheme !== 'appconfig' || fragment === undefined || reference.optional === true) {
    throw new InvalidReferenceError(
      reference.scheme !== 'appconfig'
        ? `a feature flag is an AppConfig reference (appconfig:<application>/<environment>/<profile>#<flag>), not a ${reference.scheme}: one`
        : fragment === undefined
          ? `"appconfig:${reference.body}" is a whole profile: name one flag of it with #<flag>`
          : 'a feature flag reference cannot be optional: give a flag that is not in the profile a default ({ default: { enabled: false } })',
      { scheme: reference.scheme },
    );
  }
  const { default: fallback, ...resolveOptions } = options;
  // The profile first (a missing one fails here, default or not), then the flag in it, from the cache.
  await resolver.resolve(ref.slice(0, ref.indexOf('#')), { ...resolveOptions, as: 'json' });
  const shown = `appconfig:${reference.body}`;
  let node: unknown;
  try {
    node = await resolver.resolve<unknown>(ref, { ...resolveOptions, as: 'json', forceFetch: false });
  } catch (error) {
    // The profile is JSON (it resolved as JSON): the flag is not in it.
    if (!(error instanceof InvalidValueError)) throw error;
    if (fallback !== undefined) return fallback;
    throw new InvalidValueError(`there is no flag ${JSON.stringify(fragment)} in "${shown}"`, {
      ref: shown,
      scheme: 'appconfig',
    });
  }
  if (typeof node === 'object' && node !== null && typeof (node as { enabled?: unknown }).enabled === 'boolean') {
    return node as Flag;
  }
  throw new InvalidValueError(`"${shown}#${fragment}" is not a feature flag (an object with a boolean "enabled")`, {
    ref: shown,
    scheme: 'appconfig',
  });
}

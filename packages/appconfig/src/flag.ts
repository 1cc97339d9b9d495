/** The typed reading of one feature flag: `flagWith(resolver, 'appconfig:shop/prod/flags#new-checkout')`. */
import { InvalidReferenceError, InvalidValueError, type ResolveOptions, type Resolver } from '@secretref/core';

/** A feature flag as AppConfig hands it over: `enabled`, and its attributes (a disabled flag has none). */
export interface Flag {
  readonly enabled: boolean;
  readonly [attribute: string]: unknown;
}

/**
 * Resolves one feature flag (`appconfig:<application>/<environment>/<profile>#<flag>`) and checks
 * that it is one: an object with a boolean `enabled`. It is read from the cached profile, so every
 * flag of a profile costs one fetch per TTL together.
 *
 * @example
 * ```ts
 * const checkout = await flagWith(resolver, 'appconfig:shop/prod/flags#new-checkout');
 * if (checkout.enabled) useNewCheckout(checkout.limit);
 * ```
 */
export async function flagWith(
  resolver: Pick<Resolver, 'resolve' | 'parse'>,
  ref: string,
  options: Omit<ResolveOptions, 'as' | 'optional'> = {},
): Promise<Flag> {
  // Checked before any fetch; a reference of another scheme is not quoted (a kms: body is a ciphertext).
  const reference = resolver.parse(ref);
  if (reference.scheme !== 'appconfig' || reference.fragment === undefined) {
    throw new InvalidReferenceError(
      reference.scheme === 'appconfig'
        ? `"appconfig:${reference.body}" is a whole profile: flagWith() reads one flag, named with #<flag>`
        : `flagWith() reads an AppConfig feature flag (appconfig:<application>/<environment>/<profile>#<flag>), not a ${reference.scheme}: reference`,
      { scheme: reference.scheme },
    );
  }
  const value = await resolver.resolve<unknown>(ref, { ...options, as: 'json' });
  if (typeof value === 'object' && value !== null && typeof (value as { enabled?: unknown }).enabled === 'boolean') {
    return value as Flag;
  }
  const shown = `appconfig:${reference.body}#${reference.fragment}`;
  throw new InvalidValueError(`"${shown}" is not a feature flag (an object with a boolean "enabled")`, {
    ref: shown,
    scheme: 'appconfig',
  });
}

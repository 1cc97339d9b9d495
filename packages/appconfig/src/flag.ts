/** The typed reading of one feature flag: `flagWith(resolver, 'appconfig:shop/prod/flags#new-checkout')`. */
import {
  InvalidOptionError,
  InvalidReferenceError,
  InvalidValueError,
  type ResolveOptions,
  type Resolver,
} from '@secretref/core';

const isFlag = (value: unknown): value is Flag =>
  typeof value === 'object' && value !== null && typeof (value as { enabled?: unknown }).enabled === 'boolean';

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
        ? `a feature flag is an AppConfig reference (appconfig:<application>/<environment>/<profile>#<flag>), not one of scheme ${reference.scheme}`
        : fragment === undefined
          ? `"appconfig:${reference.body}" is a whole profile: name one flag of it with #<flag>`
          : 'a feature flag reference cannot be optional: give a flag that is not in the profile a default ({ default: { enabled: false } })',
      { scheme: reference.scheme },
    );
  }
  // `as` and `optional` are not flag options, whatever a JavaScript caller passes.
  const {
    default: fallback,
    as: _as,
    optional: _optional,
    ...resolveOptions
  } = options as FlagOptions & ResolveOptions;
  if (fallback !== undefined && !isFlag(fallback)) {
    throw new InvalidOptionError('option default of flag must be a flag: { enabled: true | false, ...attributes }');
  }
  const shown = `appconfig:${reference.body}`;
  // The profile first (a missing one fails here, default or not), then the flag in it, from the cache.
  const profile = await resolver.resolve<unknown>(ref.slice(0, ref.indexOf('#')), { ...resolveOptions, as: 'json' });
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    throw new InvalidValueError(`"${shown}" is not a feature flag profile (a JSON object of flags)`, {
      ref: shown,
      scheme: 'appconfig',
    });
  }
  let node: unknown;
  try {
    node = await resolver.resolve<unknown>(ref, { ...resolveOptions, as: 'json', forceFetch: false });
  } catch (error) {
    // The profile is JSON (it resolved as JSON): the flag is not in it.
    if (!(error instanceof InvalidValueError)) throw error;
    if (fallback !== undefined) return fallback;
    // `#beta?ttl=30s`: the query after the fragment is part of the flag's name.
    const hint = fragment.includes('?')
      ? ' (a "?" after "#" is part of the flag name: write the query before the "#")'
      : '';
    throw new InvalidValueError(`there is no flag ${JSON.stringify(fragment)} in "${shown}"${hint}`, {
      ref: shown,
      scheme: 'appconfig',
    });
  }
  if (isFlag(node)) return node;
  throw new InvalidValueError(`"${shown}#${fragment}" is not a feature flag (an object with a boolean "enabled")`, {
    ref: shown,
    scheme: 'appconfig',
  });
}

/**
 * `retryWithFreshSecret` over a resolver: runs a function with a secret and, when the function says
 * the secret was refused (a database rejected a password rotated since it was cached), fetches it
 * again past the cache and runs the function once more. For rotation; see
 * docs/providers/secrets-manager.md.
 */
import { InvalidOptionError } from './errors.ts';
import type { FreshSecretOptions, ResolveOptions } from './types.ts';

/** Runs `fn` with the secret, retrying once with a fresh one after an auth failure. */
export async function retryWithFreshSecretWith<T, V>(
  resolve: (ref: string, options: ResolveOptions) => Promise<unknown>,
  ref: string,
  fn: (value: V) => T | Promise<T>,
  options: FreshSecretOptions,
): Promise<T> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('retryWithFreshSecret needs options with isAuthFailure');
  }
  if (typeof fn !== 'function')
    throw new InvalidOptionError('retryWithFreshSecret needs a function to run with the secret');
  const { isAuthFailure, ...resolveOptions } = options;
  if (typeof isAuthFailure !== 'function') throw new InvalidOptionError('retryWithFreshSecret needs isAuthFailure');
  const value = (await resolve(ref, resolveOptions)) as V;
  try {
    return await fn(value);
  } catch (error) {
    if (!isAuthFailure(error)) throw error;
    const fresh = (await resolve(ref, { ...resolveOptions, forceFetch: true })) as V;
    return fn(fresh);
  }
}

/**
 * secretref: resolve secret references in Node apps.
 *
 * ```ts
 * import { resolve } from 'secretref';
 * const password = await resolve('ssm:/my/app/password');
 * ```
 *
 * `resolve`, `resolveAll`, `peek`, `invalidate`, `watch`, `retryWithFreshSecret`, `loadEnv`, `resolveEnv`, `loadConfig`,
 * `secretsHandler`, `secretsMiddleware`, `decryptEnv` and `flag` use the default resolver, which has the AWS providers. A
 * resolver of your own: `createResolver({ providers: awsProviders(), ...options })`, with its methods and the
 * `...With` functions (`loadEnvWith(resolver)`). Every name here means what it means in the package it comes from.
 *
 * @module secretref
 */

import {
  type LambdaContextLike,
  type LambdaSecretsOptions,
  type MiddyRequestLike,
  type SecretsMiddlewareOptions,
  secretsHandlerWith,
  secretsMiddlewareWith,
} from '@secretref/aws';
import {
  type ConfigOptions,
  type ConfigSpec,
  type EnvOptions,
  type EnvResolution,
  loadConfigWith,
  loadEnvWith,
  type PeekOptions,
  type ReferenceSpec,
  type ResolvedAll,
  type ResolvedConfig,
  type ResolveFunction,
  type Resolver,
  resolveEnvWith,
  type StandardSchemaV1,
  type WatchOptions,
} from '@secretref/core';
import { type DecryptEnvOptions, decryptEnvWith } from '@secretref/kms';
import { defaultResolver } from './default.ts';

export {
  AccessDeniedError,
  CHANNELS,
  type Clock,
  type ClockTimer,
  ConfigError,
  type ConfigIssue,
  type ConfigOptions,
  type ConfigSpec,
  createResolver,
  DEFAULTS,
  DecryptionError,
  DisposedError,
  type Environment,
  type EnvOptions,
  type EnvResolution,
  type EnvResolver,
  type ErrorCode,
  type ErrorEvent,
  envProvider,
  type FetchContext,
  type FetchEvent,
  type FetchRequest,
  type FetchResult,
  type FreshSecretOptions,
  fileProvider,
  formatReference,
  type GovernorStats,
  type HitEvent,
  InvalidOptionError,
  InvalidReferenceError,
  InvalidValueError,
  type Locator,
  loadConfigWith,
  loadEnvWith,
  type MissEvent,
  type ParseInput,
  type PeekFunction,
  type PeekOptions,
  type Provider,
  ProviderError,
  parseDuration,
  parseReference,
  type RawValue,
  type Reference,
  type ReferenceForm,
  type ReferenceSpec,
  ResolveAllError,
  type ResolvedAll,
  type ResolvedConfig,
  type ResolvedValue,
  type ResolveFunction,
  type ResolveOptions,
  type Resolver,
  type ResolverOptions,
  type ResolverStats,
  type RetryWithFreshSecretFunction,
  resolveEnvWith,
  Secret,
  SecretNotFoundError,
  SecretrefError,
  type SecretrefErrorOptions,
  type SecretSpec,
  type StaleServedEvent,
  type StandardSchemaResult,
  type StandardSchemaV1,
  secret,
  systemClock,
  ThrottledError,
  type ThrottleEvent,
  TimeoutError,
  UnknownSchemeError,
  type ValueType,
  WatchCallbackError,
  type Watcher,
  type WatchFunction,
  type WatchOptions,
} from '@secretref/core';
export {
  type DecryptEnvOptions,
  decryptEnvWith,
  type EncryptOptions,
  type EncryptResult,
  encrypt,
  KMS_ENCRYPT_LIMIT,
  type KmsProviderOptions,
  kmsProvider,
} from '@secretref/kms';
export {
  type SecretsManagerFetchProviderOptions,
  type SecretsManagerProviderOptions,
  secretsManagerFetchProvider,
  secretsManagerProvider,
} from '@secretref/secrets-manager';
export { type SsmFetchProviderOptions, type SsmProviderOptions, ssmFetchProvider, ssmProvider } from '@secretref/ssm';
export * from './appconfig.ts';
export * from './aws.ts';
export {
  type AwsProvidersOptions,
  awsProviders,
  awsTransportChoice,
  defaultResolver,
  setDefaultResolver,
} from './default.ts';

/**
 * Resolves a reference with the default resolver. See {@link Resolver.resolve}, and
 * {@link ResolveFunction} for how the value is typed.
 *
 * @example
 * ```ts
 * const password = await resolve('ssm:/my/app/db-password');
 * const port = await resolve('secretsmanager:prod/db#port', { as: 'json' });
 * ```
 * @function
 */
export const resolve: ResolveFunction = ((ref: string, options?: Parameters<ResolveFunction>[1]) =>
  defaultResolver().resolve(ref, options)) as ResolveFunction;

/**
 * Resolves an object of references with the default resolver, in as few calls as the services allow.
 * See {@link Resolver.resolveAll} (the API reference shows its text here).
 *
 * @function
 */
export const resolveAll: Resolver['resolveAll'] = (refs, options) => defaultResolver().resolveAll(refs, options);

/**
 * The default resolver's cached value, synchronously. See {@link Resolver.peek}.
 *
 * @function
 */
export const peek: Resolver['peek'] = ((ref: string, options?: PeekOptions) =>
  defaultResolver().peek(ref, options)) as Resolver['peek'];

/**
 * Drops cached values of the default resolver. See {@link Resolver.invalidate}.
 *
 * @function
 */
export const invalidate: Resolver['invalidate'] = (ref) => defaultResolver().invalidate(ref);

/**
 * Re-resolves a reference in the background and reports changes. See {@link Resolver.watch}.
 *
 * @function
 */
export const watch: Resolver['watch'] = ((ref: string, onChange: (value: string) => void, options?: WatchOptions) =>
  defaultResolver().watch(ref, onChange, options)) as Resolver['watch'];

/**
 * Runs a function with a secret and, when it reports an auth failure (the secret was rotated),
 * once more with a freshly fetched value. See {@link Resolver.retryWithFreshSecret}.
 *
 * @function
 */
export const retryWithFreshSecret: Resolver['retryWithFreshSecret'] = ((
  ref: string,
  fn: (value: string) => unknown,
  options: never,
) => defaultResolver().retryWithFreshSecret(ref, fn, options)) as Resolver['retryWithFreshSecret'];

/**
 * Resolves every reference in `process.env` (or `options.env`) in one batch and writes the values back:
 * {@link loadEnvWith} with the default resolver. See docs/guides/env.md.
 *
 * @example
 * ```ts
 * // DATABASE_URL='postgres://app:{{ secretsmanager:prod/db#password }}@db/app', API_KEY='ssm:/app/api-key'
 * await loadEnv();
 * ```
 * @param options - `env` (default `process.env`), `write: false` to leave it alone, `schemes`, `timeoutMs`...
 * @returns the new values of the variables that held references
 */
export function loadEnv(
  options: EnvOptions & { readonly write?: boolean | undefined } = {},
): Promise<Record<string, string>> {
  return loadEnvWith(defaultResolver(), options);
}

/**
 * Resolves the references in the environment without writing them: {@link resolveEnvWith} with the
 * default resolver. See docs/guides/env.md.
 *
 * @param options - as for {@link loadEnv}
 * @returns per variable, its new value, or that it would be unset, or why it failed
 */
export function resolveEnv(options: EnvOptions = {}): Promise<EnvResolution> {
  return resolveEnvWith(defaultResolver(), options);
}

/**
 * Resolves a config spec and validates it: {@link loadConfigWith} with the default resolver. See
 * docs/guides/config.md.
 *
 * @example
 * ```ts
 * const config = await loadConfig(
 *   { db: { host: 'ssm:/app/db/host', password: secret('secretsmanager:prod/db#password') }, port: 8080 },
 *   { schema }, // zod, valibot or any Standard Schema
 * );
 * ```
 * @param spec - an object of references (or `secret(ref)` to keep a value wrapped) and plain values, nested
 * @param options - `schema` to validate and type the result, and the options of a resolve
 * @returns the spec with every reference resolved, validated by the schema when given
 */
export function loadConfig<const Spec extends ConfigSpec, Schema extends StandardSchemaV1 | undefined = undefined>(
  spec: Spec,
  options: ConfigOptions<Schema> = {},
): Promise<Schema extends StandardSchemaV1<unknown, infer Output> ? Output : ResolvedConfig<Spec>> {
  return loadConfigWith(defaultResolver(), spec, options);
}

// A handler wrapped at import time uses the default resolver of each invocation: one that a test set
// (mockSecrets, setDefaultResolver) after the import.
const currentDefault: Pick<Resolver, 'resolveAll'> = {
  resolveAll: (refs, options) => defaultResolver().resolveAll(refs, options),
};

/**
 * Wraps a Lambda handler so that its secrets are resolved before each invocation:
 * {@link secretsHandlerWith} with the default resolver. See docs/guides/lambda.md.
 */
export function secretsHandler<
  const M extends Readonly<Record<string, ReferenceSpec>>,
  E,
  C extends LambdaContextLike,
  R,
>(
  refs: M,
  handler: (event: E, context: C, secrets: ResolvedAll<M>) => R | Promise<R>,
  options: LambdaSecretsOptions = {},
): (event: E, context: C) => Promise<R> {
  return secretsHandlerWith(currentDefault, refs, handler, options);
}

/**
 * A middy middleware that resolves secrets before the handler: {@link secretsMiddlewareWith} with the
 * default resolver. See docs/guides/lambda.md.
 */
export function secretsMiddleware(
  refs: Readonly<Record<string, ReferenceSpec>>,
  options: SecretsMiddlewareOptions = {},
): { before: (request: MiddyRequestLike) => Promise<void> } {
  return secretsMiddlewareWith(currentDefault, refs, options);
}

/**
 * Decrypts KMS-encrypted environment variables (bare base64, as the Lambda console and `aws kms
 * encrypt` write them): {@link decryptEnvWith} with the default resolver. See docs/providers/kms.md.
 */
export function decryptEnv(names: readonly string[], options: DecryptEnvOptions = {}): Promise<Record<string, string>> {
  return decryptEnvWith(defaultResolver(), names, options);
}

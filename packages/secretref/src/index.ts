/**
 * secretref: resolve secret references in Node apps.
 *
 * ```ts
 * import { resolve } from 'secretref';
 * const password = await resolve('ssm:/my/app/password');
 * ```
 *
 * `resolve`, `resolveAll`, `peek`, `withSecret`, `invalidate`, `watch`, `loadEnv`, `loadConfig`, `withSecrets`,
 * `secretsMiddleware` and `decryptEnv` use a default resolver with the AWS providers registered, created on
 * first use. `createResolver` makes one with its own cache and
 * options.
 */
import {
  type ConfigOptions,
  type ConfigSpec,
  createResolver as createCoreResolver,
  type EnvOptions,
  InvalidOptionError,
  type LambdaContextLike,
  type LambdaSecretsOptions,
  loadConfig as loadConfigWith,
  loadEnv as loadEnvWith,
  type PeekOptions,
  type Provider,
  type ReferenceSpec,
  type ResolvedAll,
  type ResolvedConfig,
  type ResolveFunction,
  type Resolver,
  type ResolverOptions,
  type SecretsMiddlewareOptions,
  type StandardSchemaV1,
  secretsMiddleware as secretsMiddlewareWith,
  type WatchOptions,
  withSecrets as withSecretsWith,
} from '@secretref/core';
import { type DecryptEnvOptions, decryptEnv as decryptEnvWith, kmsProvider } from '@secretref/kms';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { ssmProvider } from '@secretref/ssm';
import { VERSION } from './version.ts';

export * from '@secretref/core';
export {
  type DecryptEnvOptions,
  type EncryptOptions,
  type EncryptResult,
  encrypt,
  KMS_ENCRYPT_LIMIT,
  type KmsProviderOptions,
  kmsProvider,
  lambdaEncryptionContext,
} from '@secretref/kms';
export { type SecretsManagerProviderOptions, secretsManagerProvider } from '@secretref/secrets-manager';
export { type SsmProviderOptions, ssmProvider } from '@secretref/ssm';

/**
 * The AWS providers `secretref` registers by default: SSM Parameter Store (`ssm:`, `ssm-secure:`,
 * parameter ARNs), Secrets Manager (`secretsmanager:`, secret ARNs) and KMS (`kms:`). Each imports its
 * SDK client on its first fetch, so an app that only resolves `ssm:` never loads the others' clients.
 */
export function awsProviders(): Provider[] {
  return [ssmProvider() as Provider, secretsManagerProvider() as Provider, kmsProvider() as Provider];
}

/**
 * Creates a resolver with the AWS providers registered (plus `env:` and `file:`). Providers in
 * `options.providers` are added after them and win for the schemes they claim.
 */
export function createResolver(options: ResolverOptions = {}): Resolver {
  return createCoreResolver({ ...options, providers: [...awsProviders(), ...(options.providers ?? [])] });
}

// Kept on globalThis, under a key of this version, so that the ESM and the CommonJS copy of secretref
// in one process (an app that imports it, a dependency that requires it) share one default resolver:
// one cache, one set of AWS clients. Another version keeps its own, as its options may differ.
const DEFAULT_RESOLVER = Symbol.for(`secretref.defaultResolver@${VERSION}`);
const shared = globalThis as { [DEFAULT_RESOLVER]?: Resolver | undefined };

/** The resolver behind `resolve`, `resolveAll`, `peek` and `invalidate`, created on first use. */
export function defaultResolver(): Resolver {
  shared[DEFAULT_RESOLVER] ??= createResolver();
  return shared[DEFAULT_RESOLVER];
}

/**
 * Replaces the default resolver (to configure it, or in tests); returns the previous one.
 * `undefined` makes the next call create a fresh default. The ESM and CommonJS copies of this
 * version share the default: replacing it in one replaces it in both.
 */
export function setDefaultResolver(resolver: Resolver | undefined): Resolver | undefined {
  const previous = shared[DEFAULT_RESOLVER];
  shared[DEFAULT_RESOLVER] = resolver;
  return previous;
}

/** Resolves a reference with the default resolver. See `Resolver.resolve`. */
export const resolve: ResolveFunction = ((ref: string, options?: Parameters<ResolveFunction>[1]) =>
  defaultResolver().resolve(ref, options)) as ResolveFunction;

/** Resolves an object of references with the default resolver. See `Resolver.resolveAll`. */
export const resolveAll: Resolver['resolveAll'] = (refs, options) => defaultResolver().resolveAll(refs, options);

/** The default resolver's cached value, synchronously. See `Resolver.peek`. */
export const peek: Resolver['peek'] = ((ref: string, options?: PeekOptions) =>
  defaultResolver().peek(ref, options)) as Resolver['peek'];

/** Runs a function with a secret, re-fetching it once if the function reports an auth failure. See `Resolver.withSecret`. */
export const withSecret: Resolver['withSecret'] = ((ref: string, fn: (value: string) => unknown, options: never) =>
  defaultResolver().withSecret(ref, fn, options)) as Resolver['withSecret'];

/** Drops cached values of the default resolver. See `Resolver.invalidate`. */
export const invalidate: Resolver['invalidate'] = (ref) => defaultResolver().invalidate(ref);

/**
 * Decrypts KMS-encrypted environment variables (bare base64, as the Lambda console and `aws kms encrypt`
 * write them) with the default resolver. See `decryptEnv` in `@secretref/kms` and docs/providers/kms.md.
 */
export function decryptEnv(names: readonly string[], options: DecryptEnvOptions = {}): Promise<Record<string, string>> {
  return decryptEnvWith(names, { resolver: defaultResolver(), ...options });
}

type Bound<O> = Omit<O, 'resolver'> & { readonly resolver?: Resolver | undefined };

/** The options with the default resolver where they name none (options that are no object are refused). */
function withDefault<O extends { readonly resolver?: Resolver | undefined }>(
  options: O,
  of: string,
): O & { readonly resolver: Resolver } {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`the options of ${of} must be an object`);
  }
  return { ...options, resolver: options.resolver ?? defaultResolver() };
}

/**
 * Resolves every reference in `process.env` (or `options.env`) in one batch and writes the values back.
 * See `loadEnv` in `@secretref/core` and docs/guides/env.md.
 */
export function loadEnv(
  options: Bound<EnvOptions> & { readonly write?: boolean | undefined } = {},
): Promise<Record<string, string>> {
  return Promise.resolve().then(() => loadEnvWith(withDefault(options, 'loadEnv')));
}

/** Resolves a config spec and validates it. See `loadConfig` in `@secretref/core` and docs/guides/config.md. */
export function loadConfig<const Spec extends ConfigSpec, Schema extends StandardSchemaV1 | undefined = undefined>(
  spec: Spec,
  options: Bound<ConfigOptions<Schema>> = {},
): Promise<Schema extends StandardSchemaV1<unknown, infer Output> ? Output : ResolvedConfig<Spec>> {
  return Promise.resolve().then(() => loadConfigWith(spec, withDefault(options, 'loadConfig')));
}

/** Re-resolves a reference in the background and reports changes. See `Resolver.watch`. */
export const watch: Resolver['watch'] = ((ref: string, onChange: (value: string) => void, options?: WatchOptions) =>
  defaultResolver().watch(ref, onChange, options)) as Resolver['watch'];

/** Wraps a Lambda handler so that its secrets are resolved before each invocation. See docs/guides/lambda.md. */
export function withSecrets<const M extends Readonly<Record<string, ReferenceSpec>>, E, C extends LambdaContextLike, R>(
  refs: M,
  handler: (event: E, context: C, secrets: ResolvedAll<M>) => R | Promise<R>,
  options: Bound<LambdaSecretsOptions> = {},
): (event: E, context: C) => Promise<R> {
  return withSecretsWith(refs, handler, withDefault(options, 'withSecrets'));
}

/** A middy middleware that resolves secrets before the handler. See docs/guides/lambda.md. */
export function secretsMiddleware(
  refs: Readonly<Record<string, ReferenceSpec>>,
  options: Bound<SecretsMiddlewareOptions> = {},
): ReturnType<typeof secretsMiddlewareWith> {
  return secretsMiddlewareWith(refs, withDefault(options, 'secretsMiddleware'));
}

/**
 * @secretref/core: the reference grammar, the resolver with its cache and batching, the error
 * hierarchy, diagnostics events, and the provider interface that AWS providers implement.
 */
export { type AwsClient, type AwsClientOptions, type AwsClientPool, awsClientPool } from './aws-clients.ts';
export { type AwsErrorContext, type AwsErrorNames, fromAwsError } from './aws-errors.ts';
export { type Clock, type ClockTimer, systemClock } from './clock.ts';
export {
  type ConfigOptions,
  type ConfigSpec,
  loadConfig,
  type ResolvedConfig,
  type SecretSpec,
  type StandardSchemaResult,
  type StandardSchemaV1,
  secret,
} from './config.ts';
export { type Environment, type EnvOptions, type EnvResolution, loadEnv, resolveEnv } from './env.ts';
export {
  AccessDeniedError,
  ConfigError,
  type ConfigIssue,
  DecryptionError,
  DisposedError,
  type ErrorCode,
  InvalidOptionError,
  InvalidReferenceError,
  InvalidValueError,
  ProviderError,
  ResolveAllError,
  SecretNotFoundError,
  SecretrefError,
  type SecretrefErrorOptions,
  ThrottledError,
  TimeoutError,
  UnknownSchemeError,
  WatchCallbackError,
} from './errors.ts';
export {
  CHANNELS,
  type ErrorEvent,
  type FetchEvent,
  type HitEvent,
  type MissEvent,
  type StaleServedEvent,
} from './events.ts';
export {
  type LambdaContextLike,
  type LambdaSecretsOptions,
  type MiddyRequestLike,
  type SecretsMiddlewareOptions,
  secretsMiddleware,
  withSecrets,
} from './lambda.ts';
export { DEFAULTS } from './options.ts';
export type {
  FetchContext,
  FetchRequest,
  FetchResult,
  Locator,
  ParseInput,
  Provider,
  RawValue,
  ReferenceForm,
  ValueType,
} from './provider.ts';
export { envProvider } from './providers/env.ts';
export { fileProvider } from './providers/file.ts';
export { keyedDigest, redactText } from './redact.ts';
export { formatReference, isAwsRegion, parseDuration, parseReference, type Reference } from './reference.ts';
export { createResolver } from './resolver.ts';
export { Secret } from './secret.ts';
export type {
  PeekFunction,
  PeekOptions,
  ReferenceSpec,
  ResolvedAll,
  ResolvedValue,
  ResolveFunction,
  ResolveOptions,
  Resolver,
  ResolverOptions,
  ResolverStats,
  Watcher,
  WatchFunction,
  WatchOptions,
  WithSecretFunction,
  WithSecretOptions,
} from './types.ts';

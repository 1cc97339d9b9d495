/**
 * @secretref/core: the engine, with no AWS in it: the reference grammar, the resolver with its cache,
 * batching and deadlines, the error hierarchy, diagnostics events, the provider contract that every
 * provider implements, and `env:` and `file:`. The functions over a resolver are named `...With`
 * (`loadEnvWith(resolver)`); `secretref` has them bound to its default resolver (`loadEnv()`).
 *
 * @module @secretref/core
 */

export type { GovernorStats } from './batcher.ts';
export { type Clock, type ClockTimer, systemClock } from './clock.ts';
export {
  type ConfigOptions,
  type ConfigSpec,
  loadConfigWith,
  type ResolvedConfig,
  type SecretSpec,
  type StandardSchemaResult,
  type StandardSchemaV1,
  secret,
} from './config.ts';
export {
  type Environment,
  type EnvOptions,
  type EnvResolution,
  type EnvResolver,
  loadEnvWith,
  resolveEnvWith,
} from './env.ts';
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
  type ThrottleEvent,
} from './events.ts';
export { checkOptions, DEFAULTS } from './options.ts';
export {
  type FetchContext,
  type FetchedValue,
  type FetchRequest,
  type FetchResult,
  failure,
  type Locator,
  malformedAnswer,
  type ParseInput,
  type Provider,
  type RawValue,
  type ReferenceForm,
  type RequestErrorClass,
  type ValueType,
} from './provider.ts';
export { envProvider } from './providers/env.ts';
export { fileProvider } from './providers/file.ts';
export { parseDuration } from './query.ts';
export { keyedDigest, redactText } from './redact.ts';
export { formatReference, parseReference, type Reference } from './reference.ts';
export { schemeOf } from './registry.ts';
export { createResolver } from './resolver.ts';
export { Secret } from './secret.ts';
export type {
  FreshSecretOptions,
  PeekFunction,
  PeekOptions,
  ReferenceSpec,
  ResolveFunction,
  ResolveOptions,
  Resolver,
  ResolverOptions,
  ResolverStats,
  RetryWithFreshSecretFunction,
  Watcher,
  WatchFunction,
  WatchOptions,
} from './types.ts';
export type {
  RefAs,
  RefBeforeFragment,
  RefBody,
  RefFirstField,
  RefMaybe,
  RefQuery,
  ResolvedAll,
  ResolvedValue,
  SecretJsonKey,
  SpecValue,
  ValueAs,
} from './value-types.ts';

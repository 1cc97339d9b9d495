/** The resolver's public types. The defaults named here are in options.ts (`DEFAULTS`). */
import type { GovernorStats } from './batcher.ts';
import type { Clock } from './clock.ts';
import type { SecretrefError } from './errors.ts';
import type { Provider, ValueType } from './provider.ts';
import type { Reference } from './reference.ts';
import type { ResolvedAll, ResolvedValue } from './value-types.ts';

/** Options of one `resolve` call. They override the reference's own query parameters. */
export interface ResolveOptions {
  /** How long a fetched value stays fresh, in ms. @default the reference's `?ttl=`, else the provider's, else the resolver's */
  readonly ttlMs?: number | undefined;
  /** What to turn the value into. @default `string`, or `json` with a fragment */
  readonly as?: ValueType | undefined;
  /** Resolve to `undefined` instead of throwing `SecretNotFoundError`. @default false */
  readonly optional?: boolean | undefined;
  /**
   * Deadline for this call in ms (finite); a hang becomes a `TimeoutError` (or the last good value).
   * Joining a fetch started with an earlier deadline extends that fetch to this one.
   * @default the resolver's `timeoutMs`
   */
  readonly timeoutMs?: number | undefined;
  /** Aborts this call (the shared fetch goes on for other callers); rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Fetch even if a fresh value is cached, and even during a failure backoff. @default false */
  readonly forceFetch?: boolean | undefined;
}

/** Options of `createResolver`. Every default is in docs/caching.md. */
export interface ResolverOptions {
  /** Providers; `env:` and `file:` are always registered unless a provider claims those schemes. */
  readonly providers?: readonly Provider[] | undefined;
  /** Default time-to-live of a fetched value, in ms. @default 300000 (5 minutes) */
  readonly ttlMs?: number | undefined;
  /** A fetched batch's values expire together, at random in the last `jitter` fraction of their TTL (0-1). @default 0.1 */
  readonly jitter?: number | undefined;
  /** How long past expiry the last good value is served while refreshes fail transiently, in ms. @default 86400000 (24 hours) */
  readonly maxStaleMs?: number | undefined;
  /** Most fetched values kept (least recently used go first). Keys that only failed do not count. @default 1000 */
  readonly maxEntries?: number | undefined;
  /** Most keys whose failure (and backoff) is remembered, apart from the values. @default 10000 */
  readonly maxFailures?: number | undefined;
  /** Default deadline of a resolve, in ms; must be finite, so that every fetch ends. @default 10000 */
  readonly timeoutMs?: number | undefined;
  /** Batches of one provider and region in flight at once. @default 10 */
  readonly maxConcurrency?: number | undefined;
  /** After a failed fetch, the key is not fetched again for this long, doubling per consecutive failure, in ms. @default 1000 */
  readonly retryBaseMs?: number | undefined;
  /** The longest failure backoff, in ms. @default 60000 */
  readonly retryMaxMs?: number | undefined;
  /** Attempts after the first, in the deadline, when a key with no value to serve fails transiently (docs/caching.md). @default 2 */
  readonly retries?: number | undefined;
  /**
   * Time and timers: a monotonic clock for every duration and the timers of deadlines and `watch`.
   * Tests pass `manualClock()` from `@secretref/core/testing`. @default the system clock
   */
  readonly clock?: Clock | undefined;
  /** Random numbers in [0, 1) for jitter. @default Math.random */
  readonly random?: (() => number) | undefined;
}

/** Counters since the resolver was created. */
export interface ResolverStats {
  /** Resolves answered from a fresh cached value. */
  readonly hits: number;
  /** Resolves not answered by a fresh cached value: they started or joined a fetch, or met a failure backoff. */
  readonly misses: number;
  /** Provider calls (one per batch). */
  readonly calls: number;
  /** References fetched, over all calls. */
  readonly fetched: number;
  /** Resolves answered with a stale value because a refresh failed. */
  readonly staleServed: number;
  /** Resolves that failed, on the cache-hit path (a bad option) as on the miss path. */
  readonly errors: number;
  /** Values in the cache now. */
  readonly entries: number;
  /** Keys whose last fetch failed, remembered for their backoff. */
  readonly failures: number;
  /**
   * The throttle governor of each provider and region called so far: whether it is holding calls back,
   * its rate, and the calls the service throttled (docs/scaling.md).
   */
  readonly governors: readonly GovernorStats[];
}

/** Options of `retryWithFreshSecret`. */
export interface FreshSecretOptions extends ResolveOptions {
  /** True if an error thrown by the function means the secret was rejected and may have been rotated. */
  readonly isAuthFailure: (error: unknown) => boolean;
}

/** Options of `peek`. */
export interface PeekOptions {
  /** What to turn the value into. @default the reference's `?as=` */
  readonly as?: ValueType | undefined;
  /** Return an expired value too. @default false */
  readonly allowStale?: boolean | undefined;
}

/** Options of `watch`. */
export interface WatchOptions extends Omit<ResolveOptions, 'forceFetch' | 'signal' | 'ttlMs'> {
  /**
   * How often to check, in ms: a check fetches again when the cached value is this old. At least
   * 1000. @default the reference's TTL (a `kms:` ciphertext never changes: no checks)
   */
  readonly intervalMs?: number | undefined;
  /**
   * Called when a check fails (`error.transient`: the last good value is still being served, or the
   * failure may pass) or when `onChange` threw (a `WatchCallbackError`; it runs again on the next
   * check). Watching goes on.
   */
  readonly onError?: ((error: SecretrefError) => void) | undefined;
}

/** A running watch. */
export interface Watcher {
  /** Settles when the first value was read (the baseline later values are compared with). */
  readonly ready: Promise<void>;
  /** Stops the checks; no callback runs after it returns. */
  stop(): void;
}

/** An entry of `resolveAll`: a reference, or a reference with options of its own. */
export type ReferenceSpec = string | ({ readonly ref: string } & ResolveOptions);

/**
 * `resolve`, typed by what it resolves: the options' `as` (`binary` gives bytes, `list` an array,
 * `json` `unknown`), else the reference's own `?as=`, `#fragment` (JSON: `unknown`) or SSM path, else a
 * string; `| undefined` with `optional`. Name the type of a JSON value yourself:
 * `resolve<Config>(ref, { as: 'json' })`. The type is never inferred from where the result goes:
 * `const port: number = await resolve(ref)` does not compile.
 */
export interface ResolveFunction {
  /**
   * @param ref - a reference: `ssm:/app/db`, `secretsmanager:prod/db#password`, `{{resolve:ssm:/a}}`, an ARN
   * @param options - this call's TTL, deadline, `as`, `optional`, `forceFetch` and `signal`
   * @returns the value, from the cache while fresh; rejects with a `SecretrefError`
   */
  <
    const R extends string,
    const A extends ValueType | undefined = undefined,
    const P extends boolean | undefined = undefined,
  >(
    ref: R,
    options?: ResolveOptions & { readonly as?: A; readonly optional?: P },
  ): Promise<ResolvedValue<R, Chosen<A, P>>>;
  /**
   * @param ref - a reference whose value you type yourself: `resolve<Config>(ref, { as: 'json' })`
   * @param options - as above
   */
  <T>(ref: string, options?: ResolveOptions): Promise<NoInfer<T>>;
}

/**
 * What a call's options chose: `as` and `optional` as written, `undefined` where left out. (Shown
 * in place in the API reference.)
 *
 * @inline
 */
interface Chosen<A, P> {
  readonly as: A;
  readonly optional: P;
}

/** `peek`, typed by what it resolves as `resolve` is (and `undefined` when nothing is cached). */
export interface PeekFunction {
  <const R extends string, const A extends ValueType | undefined = undefined>(
    ref: R,
    options?: PeekOptions & { readonly as?: A },
  ): ResolvedValue<R, Chosen<A, undefined>> | undefined;
  <T>(ref: string, options?: PeekOptions): NoInfer<T> | undefined;
}

/** `watch`, typed by what it resolves as `resolve` is. */
export interface WatchFunction {
  <
    const R extends string,
    const A extends ValueType | undefined = undefined,
    const P extends boolean | undefined = undefined,
  >(
    ref: R,
    onChange: (
      value: ResolvedValue<R, Chosen<A, P>>,
      previous: ResolvedValue<R, Chosen<A, P>> | undefined,
    ) => void | Promise<void>,
    options?: WatchOptions & { readonly as?: A; readonly optional?: P },
  ): Watcher;
  <V>(
    ref: string,
    onChange: (value: NoInfer<V>, previous: NoInfer<V> | undefined) => void | Promise<void>,
    options?: WatchOptions,
  ): Watcher;
}

/** `retryWithFreshSecret`, typed by what it resolves as `resolve` is. */
export type RetryWithFreshSecretFunction = <
  T,
  const R extends string = string,
  const A extends ValueType | undefined = undefined,
  const P extends boolean | undefined = undefined,
>(
  ref: R,
  fn: (value: ResolvedValue<R, Chosen<A, P>>) => T | Promise<T>,
  options: FreshSecretOptions & { readonly as?: A; readonly optional?: P },
) => Promise<T>;

/** A resolver with its own cache. */
export interface Resolver {
  /** Resolves one reference. */
  readonly resolve: ResolveFunction;
  /**
   * Resolves an object of references in one batch and returns the same keys. Every reference is
   * parsed first: an invalid one fails the call before anything is fetched. If any fail, rejects
   * with one `ResolveAllError` naming every failing key.
   *
   * @example
   * ```ts
   * const { db, apiKey } = await resolveAll({ db: 'secretsmanager:prod/db#password', apiKey: 'ssm:/app/api-key' });
   * ```
   */
  resolveAll<const M extends Readonly<Record<string, ReferenceSpec>>>(
    refs: M,
    options?: ResolveOptions,
  ): Promise<ResolvedAll<M>>;
  /** The cached value, synchronously, or `undefined`. Never fetches. Expired values only with `allowStale`. */
  readonly peek: PeekFunction;
  /**
   * Runs `fn` with the secret; if it throws an error that `isAuthFailure` recognises (the database
   * rejected a password that was rotated since it was cached), fetches the secret again, bypassing
   * the cache, and runs `fn` once more with the fresh value. Other errors, and a second failure, are
   * thrown as they are.
   */
  readonly retryWithFreshSecret: RetryWithFreshSecretFunction;
  /**
   * Re-resolves `ref` in the background, every `intervalMs` (default: its TTL) on an unref'd timer,
   * and calls `onChange(value, previous)` when the value changed. Returns at once; `ready` settles
   * when the first value was read. `dispose()` stops every watch.
   */
  readonly watch: WatchFunction;
  /** Is `input` written as a reference of a registered scheme (it may still be invalid)? Plain values are not. */
  isReference(input: string): boolean;
  /** Parses a reference (throws `InvalidReferenceError` / `UnknownSchemeError`). */
  parse(ref: string): Reference;
  /** Drops the cached value of one reference (all its `as` and fragment variants), or of all. */
  invalidate(ref?: string): void;
  /** Counters. */
  stats(): ResolverStats;
  /**
   * Drops the cache, stops every watch, aborts the fetches in flight (their callers reject with a
   * `DisposedError`) and releases the providers' clients; later calls reject with `DisposedError`.
   */
  dispose(): void;
}

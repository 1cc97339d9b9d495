/**
 * The resolver: reference -> parse -> cache -> batch -> provider -> transform -> value.
 * See docs/caching.md for the cache's rules and defaults.
 */
import { LRUCache } from 'lru-cache';
import { createBatcher } from './batcher.ts';
import { InvalidOptionError, ResolveAllError, SecretNotFoundError, SecretrefError, TimeoutError } from './errors.ts';
import { channels } from './events.ts';
import type { FetchRequest, FetchResult, Provider, RawValue, ValueType } from './provider.ts';
import { envProvider } from './providers/env.ts';
import { fileProvider } from './providers/file.ts';
import { createRegistry, formatReference, isReferenceOf, parseWith, type Reference } from './reference.ts';
import { transform } from './transform.ts';
import { startWatch, type Watcher, type WatchOptions } from './watch.ts';

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

/** Options of `createResolver`. Every default is documented in docs/caching.md. */
export interface ResolverOptions {
  /** Providers; `env:` and `file:` are always registered unless a provider claims those schemes. */
  readonly providers?: readonly Provider[] | undefined;
  /** Default time-to-live of a fetched value, in ms. @default 300000 (5 minutes) */
  readonly ttlMs?: number | undefined;
  /** Each value expires at a random point in the last `jitter` fraction of its TTL. @default 0.1 */
  readonly jitter?: number | undefined;
  /** How long past expiry the last good value is served while refreshes fail transiently, in ms. @default 86400000 (24 hours) */
  readonly maxStaleMs?: number | undefined;
  /** Most fetched values kept (least recently used go first). @default 1000 */
  readonly maxEntries?: number | undefined;
  /** Default deadline of a resolve, in ms; must be finite, so that every fetch ends. @default 10000 */
  readonly timeoutMs?: number | undefined;
  /** Batches of one provider and region in flight at once. @default 10 */
  readonly maxConcurrency?: number | undefined;
  /** After a failed fetch, the key is not fetched again for this long, doubling per consecutive failure, in ms. @default 1000 */
  readonly retryBaseMs?: number | undefined;
  /** The longest failure backoff, in ms. @default 60000 */
  readonly retryMaxMs?: number | undefined;
  /** The clock, in ms. @default Date.now */
  readonly now?: (() => number) | undefined;
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
  /** Resolves that failed. */
  readonly errors: number;
  /** Values in the cache now (keys that only remember a failure are not counted). */
  readonly entries: number;
}

/** Options of `withSecret`. */
export interface WithSecretOptions extends ResolveOptions {
  /** True if an error thrown by the function means the secret was rejected and may have been rotated. */
  readonly isAuthFailure: (error: unknown) => boolean;
}

/** An entry of `resolveAll`: a reference, or a reference with options of its own. */
export type ReferenceSpec = string | ({ readonly ref: string } & ResolveOptions);

type SpecValue<S> = S extends { as: 'binary' }
  ? Uint8Array
  : S extends { as: 'list' }
    ? readonly string[]
    : S extends { as: 'json' }
      ? unknown
      : string;

/** What `resolveAll` returns for an object of references. */
export type ResolvedAll<M> = {
  -readonly [K in keyof M]: M[K] extends { optional: true } ? SpecValue<M[K]> | undefined : SpecValue<M[K]>;
};

/** `resolve`, typed by its options. */
export interface ResolveFunction {
  (ref: string, options: ResolveOptions & { as: 'binary'; optional: true }): Promise<Uint8Array | undefined>;
  (ref: string, options: ResolveOptions & { as: 'binary' }): Promise<Uint8Array>;
  (ref: string, options: ResolveOptions & { as: 'list'; optional: true }): Promise<readonly string[] | undefined>;
  (ref: string, options: ResolveOptions & { as: 'list' }): Promise<readonly string[]>;
  <T = string>(ref: string, options: ResolveOptions & { optional: true }): Promise<T | undefined>;
  <T = string>(ref: string, options?: ResolveOptions): Promise<T>;
}

/** A resolver with its own cache. */
export interface Resolver {
  /** Resolves one reference. */
  readonly resolve: ResolveFunction;
  /**
   * Resolves an object of references in one batch and returns the same keys. Every reference is
   * parsed first: an invalid one fails the call before anything is fetched. If any fail, rejects
   * with one `ResolveAllError` naming every failing key.
   */
  resolveAll<const M extends Readonly<Record<string, ReferenceSpec>>>(
    refs: M,
    options?: ResolveOptions,
  ): Promise<ResolvedAll<M>>;
  /** The cached value, synchronously, or `undefined`. Never fetches. Expired values only with `allowStale`. */
  peek<T = string>(ref: string, options?: { readonly as?: ValueType; readonly allowStale?: boolean }): T | undefined;
  /**
   * Runs `fn` with the secret; if it throws an error that `isAuthFailure` recognises (the database
   * rejected a password that was rotated since it was cached), fetches the secret again, bypassing
   * the cache, and runs `fn` once more with the fresh value. Other errors, and a second failure, are
   * thrown as they are.
   */
  withSecret<T, V = string>(ref: string, fn: (value: V) => T | Promise<T>, options: WithSecretOptions): Promise<T>;
  /**
   * Re-resolves `ref` in the background, every `intervalMs` (default: its TTL) on an unref'd timer,
   * and calls `onChange(value, previous)` when the value changed. Returns at once; `ready` settles
   * when the first value was read. `dispose()` stops every watch.
   */
  watch<V = string>(
    ref: string,
    onChange: (value: V, previous: V | undefined) => void | Promise<void>,
    options?: WatchOptions,
  ): Watcher;
  /** Is `input` written as a reference of a registered scheme (it may still be invalid)? Plain values are not. */
  isReference(input: string): boolean;
  /** Parses a reference (throws `InvalidReferenceError` / `UnknownSchemeError`). */
  parse(ref: string): Reference;
  /** Drops the cached value of one reference (all its `as` and fragment variants), or of all. */
  invalidate(ref?: string): void;
  /** Counters. */
  stats(): ResolverStats;
  /** Drops the cache and releases the providers' clients; later calls reject. */
  dispose(): void;
}

/** The options of a call that passes none: one shared object, not one per call. */
const NO_OPTIONS: ResolveOptions & { readonly allowStale?: boolean; readonly as?: ValueType } = Object.freeze({});

interface Target {
  /** The canonical reference, for events and value errors. */
  readonly ref: string;
  readonly scheme: string;
  readonly provider: Provider;
  readonly region: string | undefined;
  /** The canonical reference without ttl, as, optional and fragment: what is fetched and cached. */
  readonly fetchKey: string;
  readonly ttlMs: number;
  readonly as: ValueType | undefined;
  readonly fragment: string | undefined;
  readonly viewKey: string;
  readonly optional: boolean;
  readonly request: FetchRequest;
}

interface Entry {
  value: RawValue | undefined;
  fetchedAt: number;
  /** Fraction of the TTL after which this value expires, in [1 - jitter, 1]. */
  lifetime: number;
  derived: Map<string, unknown>;
  failures: number;
  retryAt: number;
  lastError: SecretrefError | undefined;
  /** Invalidated or evicted: its value is no longer served, not even as stale. */
  detached: boolean;
}

/** A fetch in flight, shared by every caller of its key. */
interface Inflight {
  readonly entry: Entry;
  readonly result: Promise<FetchResult>;
  extend(deadline: number): void;
}

const MAX_PARSED = 10_000;

function option(name: string, value: number | undefined, fallback: number, finite = false): number {
  if (value === undefined) return fallback;
  if (!(value >= 0) || (finite && !Number.isFinite(value))) {
    throw new InvalidOptionError(`option ${name} must be a ${finite ? 'finite ' : ''}number >= 0, got ${value}`);
  }
  return value;
}

/** Creates a resolver with its own cache, batcher and providers. */
export function createResolver(options: ResolverOptions = {}): Resolver {
  const registry = createRegistry([envProvider(), fileProvider(), ...(options.providers ?? [])]);
  const defaultTtlMs = option('ttlMs', options.ttlMs, 300_000);
  const jitter = Math.min(1, option('jitter', options.jitter, 0.1));
  const maxStaleMs = option('maxStaleMs', options.maxStaleMs, 86_400_000);
  // Finite: a fetch must end some time, or it would hold its key forever.
  const defaultTimeoutMs = option('timeoutMs', options.timeoutMs, 10_000, true);
  const retryBaseMs = option('retryBaseMs', options.retryBaseMs, 1000);
  const retryMaxMs = option('retryMaxMs', options.retryMaxMs, 60_000);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const counters = { hits: 0, misses: 0, calls: 0, fetched: 0, staleServed: 0, errors: 0 };
  const cache = new LRUCache<string, Entry>({
    max: Math.max(1, option('maxEntries', options.maxEntries, 1000)),
    dispose: (entry) => {
      entry.detached = true;
    },
  });
  // In flight, by fetch key: apart from the LRU, so that eviction never splits a single flight.
  const inflight = new Map<string, Inflight>();
  const batcher = createBatcher({
    maxConcurrency: Math.max(1, option('maxConcurrency', options.maxConcurrency, 10)),
    onCall: (size) => {
      counters.calls++;
      counters.fetched += size;
    },
  });
  const targets = new Map<string, Target>();
  const watchers = new Set<Watcher>();
  let disposed = false;

  function target(input: string): Target {
    const known = targets.get(input);
    if (known) return known;
    const { reference, canonical, provider, locator } = parseWith(registry, input);
    const { scheme, region, fragment, as, params, body } = reference;
    const fetchKey = formatReference({ scheme, body, params, ...(region ? { region } : {}) });
    const t: Target = {
      ref: canonical,
      scheme,
      provider,
      region,
      fetchKey,
      ttlMs: reference.ttlMs ?? provider.ttlMs ?? defaultTtlMs,
      as,
      fragment,
      viewKey: `${as ?? ''}#${fragment ?? ''}`,
      optional: reference.optional ?? false,
      // The fetch is shared by every variant of the key, so its errors name the key, not one variant.
      request: { locator, ref: fetchKey, scheme, params },
    };
    if (targets.size >= MAX_PARSED) targets.clear();
    targets.set(input, t);
    return t;
  }

  function view(entry: Entry, t: Target, value: RawValue, as: ValueType | undefined): unknown {
    const key = as === t.as ? t.viewKey : `${as ?? ''}#${t.fragment ?? ''}`;
    let derived = entry.derived.get(key);
    if (derived === undefined) {
      derived = transform(value, as, t.fragment, t);
      if (value === entry.value) entry.derived.set(key, derived);
    }
    // Bytes cannot be frozen: every caller gets its own copy.
    return derived instanceof Uint8Array ? derived.slice() : derived;
  }

  function expiresAt(entry: Entry, ttlMs: number): number {
    return entry.fetchedAt + ttlMs * entry.lifetime;
  }

  function startFetch(t: Target, entry: Entry, deadline: number, forced: boolean): Inflight {
    const request = forced ? { ...t.request, forced } : t.request;
    const pending = batcher.fetch(t.provider, t.region, request, deadline);
    const result = pending.result.then((outcome) => {
      if (inflight.get(t.fetchKey) === flight) inflight.delete(t.fetchKey);
      if ('value' in outcome) {
        entry.value = outcome.value;
        entry.fetchedAt = now();
        entry.lifetime = 1 - random() * jitter;
        entry.derived = new Map();
        entry.failures = 0;
        entry.retryAt = 0;
        entry.lastError = undefined;
      } else {
        entry.failures++;
        entry.retryAt = now() + Math.min(retryMaxMs, retryBaseMs * 2 ** (entry.failures - 1));
        entry.lastError = outcome.error;
        // Not-found and access denied are never masked by an old value.
        if (!outcome.error.transient) {
          entry.value = undefined;
          entry.derived = new Map();
        }
      }
      return outcome;
    });
    const flight: Inflight = { entry, result, extend: pending.extend };
    inflight.set(t.fetchKey, flight);
    return flight;
  }

  /** Waits for a fetch, up to the caller's deadline and abort signal. */
  function wait(fetch: Promise<FetchResult>, t: Target, timeoutMs: number, signal?: AbortSignal): Promise<FetchResult> {
    return new Promise<FetchResult>((resolve, reject) => {
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        const error = new TimeoutError(`no value for "${t.ref}" within ${timeoutMs} ms`, {
          ref: t.ref,
          scheme: t.scheme,
        });
        resolve({ error });
      }, timeoutMs);
      function cleanup(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      fetch.then((result) => {
        cleanup();
        resolve(result);
      });
    });
  }

  /** Turns a fetch result into the caller's value, serving a stale value through transient failures. */
  function settle(result: FetchResult, entry: Entry, t: Target, options: ResolveOptions): unknown {
    const as = options.as ?? t.as;
    if ('value' in result) return view(entry, t, result.value, as);
    const { error } = result;
    const ttlMs = options.ttlMs ?? t.ttlMs;
    const stale = entry.value;
    if (error.transient && stale !== undefined && !entry.detached && now() <= expiresAt(entry, ttlMs) + maxStaleMs) {
      counters.staleServed++;
      if (channels.staleServed.hasSubscribers) {
        channels.staleServed.publish({ ref: t.ref, scheme: t.scheme, ageMs: now() - entry.fetchedAt, error });
      }
      return view(entry, t, stale, as);
    }
    if (error instanceof SecretNotFoundError && (options.optional ?? t.optional)) return undefined;
    throw error;
  }

  async function load(t: Target, options: ResolveOptions): Promise<unknown> {
    const timeoutMs = option('timeoutMs', options.timeoutMs, defaultTimeoutMs, true);
    const flight = inflight.get(t.fetchKey);
    let entry = flight?.entry ?? cache.get(t.fetchKey);
    const reason = options.forceFetch ? 'forced' : entry?.value === undefined ? 'cold' : 'expired';
    if (!entry) {
      entry = {
        value: undefined,
        fetchedAt: 0,
        lifetime: 1,
        derived: new Map(),
        failures: 0,
        retryAt: 0,
        lastError: undefined,
        detached: false,
      };
      cache.set(t.fetchKey, entry);
    }
    counters.misses++;
    if (channels.miss.hasSubscribers) channels.miss.publish({ ref: t.ref, scheme: t.scheme, reason });
    try {
      if (options.signal?.aborted) throw options.signal.reason;
      const deadline = performance.now() + timeoutMs;
      let fetch: Promise<FetchResult>;
      if (flight) {
        // A caller with a later deadline keeps the shared fetch going for itself.
        flight.extend(deadline);
        fetch = flight.result;
      } else if (entry.lastError !== undefined && now() < entry.retryAt && !options.forceFetch) {
        fetch = Promise.resolve({ error: entry.lastError });
      } else {
        fetch = startFetch(t, entry, deadline, options.forceFetch === true).result;
      }
      return settle(await wait(fetch, t, timeoutMs, options.signal), entry, t, options);
    } catch (error) {
      counters.errors++;
      if (error instanceof SecretrefError && channels.error.hasSubscribers) {
        channels.error.publish({ ref: t.ref, scheme: t.scheme, error });
      }
      throw error;
    }
  }

  function resolve(input: string, options: ResolveOptions = NO_OPTIONS): Promise<unknown> {
    try {
      if (disposed) throw new SecretrefError('DISPOSED', 'this resolver was disposed');
      const t = target(input);
      const entry = cache.get(t.fetchKey);
      const value = entry?.value;
      const ttlMs = options.ttlMs === undefined ? t.ttlMs : option('ttlMs', options.ttlMs, 0);
      // A value that never expires (a KMS ciphertext's) needs no clock read.
      if (
        value !== undefined &&
        !options.forceFetch &&
        (ttlMs === Infinity || now() < expiresAt(entry as Entry, ttlMs))
      ) {
        counters.hits++;
        if (channels.hit.hasSubscribers) channels.hit.publish({ ref: t.ref, scheme: t.scheme });
        return Promise.resolve(view(entry as Entry, t, value, options.as ?? t.as));
      }
      return load(t, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async function resolveAll(
    refs: Readonly<Record<string, ReferenceSpec>>,
    options: ResolveOptions = {},
  ): Promise<Record<string, unknown>> {
    const keys = Object.keys(refs);
    const specs = keys.map((key) => {
      const spec = refs[key] as ReferenceSpec;
      return typeof spec === 'string' ? { ref: spec, options } : { ref: spec.ref, options: { ...options, ...spec } };
    });
    const invalid: Record<string, SecretrefError> = {};
    specs.forEach(({ ref }, i) => {
      try {
        target(ref);
      } catch (error) {
        if (!(error instanceof SecretrefError)) throw error;
        invalid[keys[i] as string] = error;
      }
    });
    if (Object.keys(invalid).length > 0) throw new ResolveAllError(invalid);
    const settled = await Promise.allSettled(specs.map(({ ref, options: o }) => resolve(ref, o)));
    const values: Record<string, unknown> = {};
    const failed: Record<string, SecretrefError> = {};
    settled.forEach((outcome, i) => {
      const key = keys[i] as string;
      if (outcome.status === 'fulfilled') values[key] = outcome.value;
      else if (outcome.reason instanceof SecretrefError) failed[key] = outcome.reason;
      else throw outcome.reason;
    });
    if (Object.keys(failed).length > 0) throw new ResolveAllError(failed);
    return values;
  }

  return {
    resolve: resolve as ResolveFunction,
    resolveAll: resolveAll as Resolver['resolveAll'],
    peek(input, peekOptions: { readonly as?: ValueType; readonly allowStale?: boolean } = NO_OPTIONS as object) {
      const t = target(input);
      const entry = cache.peek(t.fetchKey);
      const value = entry?.value;
      if (value === undefined || entry === undefined) return undefined;
      if (!peekOptions.allowStale && t.ttlMs !== Infinity && now() >= expiresAt(entry, t.ttlMs)) return undefined;
      return view(entry, t, value, peekOptions.as ?? t.as) as never;
    },
    async withSecret<T, V>(input: string, fn: (value: V) => T | Promise<T>, withOptions: WithSecretOptions) {
      const { isAuthFailure, ...resolveOptions } = withOptions;
      const value = (await resolve(input, resolveOptions)) as V;
      try {
        return await fn(value);
      } catch (error) {
        if (!isAuthFailure(error)) throw error;
        const fresh = (await resolve(input, { ...resolveOptions, forceFetch: true })) as V;
        return fn(fresh);
      }
    },
    watch(input, onChange, watchOptions) {
      if (disposed) throw new SecretrefError('DISPOSED', 'this resolver was disposed');
      const started = startWatch(resolve, (ref) => target(ref).ttlMs, input, onChange, watchOptions);
      const watcher: Watcher = {
        ready: started.ready,
        stop() {
          started.stop();
          watchers.delete(watcher);
        },
      };
      watchers.add(watcher);
      return watcher;
    },
    isReference: (input) => isReferenceOf(registry, input),
    parse: (input) => parseWith(registry, input).reference,
    invalidate(input) {
      if (input === undefined) {
        cache.clear();
        inflight.clear();
        return;
      }
      const key = target(input).fetchKey;
      cache.delete(key);
      // A fetch in flight may return the value being invalidated: later resolves start their own.
      inflight.delete(key);
    },
    stats: () => {
      let entries = 0;
      for (const entry of cache.values()) if (entry.value !== undefined) entries++;
      return { ...counters, entries };
    },
    dispose() {
      disposed = true;
      for (const watcher of [...watchers]) watcher.stop();
      cache.clear();
      inflight.clear();
      targets.clear();
      for (const provider of new Set(registry.schemes.values())) provider.dispose?.();
    },
  };
}

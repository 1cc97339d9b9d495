/**
 * The resolver: reference -> parse -> cache -> batch -> provider -> transform -> value. This file
 * wires the parts: options.ts (defaults and checks), clock.ts (time and timers), entry.ts (values and
 * the failure memory), deadline.ts (one deadline race), batcher.ts, transform.ts, watch.ts.
 * See docs/caching.md for the cache's rules.
 */
import { createHash } from 'node:crypto';
import { createBatcher } from './batcher.ts';
import { systemClock } from './clock.ts';
import { timeoutError, within } from './deadline.ts';
import { createStore, type Entry, isFresh, isStaleServable } from './entry.ts';
import {
  DisposedError,
  InvalidOptionError,
  ResolveAllError,
  SecretNotFoundError,
  SecretrefError,
  TimeoutError,
} from './errors.ts';
import { channels } from './events.ts';
import {
  asOption,
  CALL_OPTIONS,
  checkCallOptions,
  checkKnown,
  checkResolverOptions,
  DEFAULTS,
  numberOption,
} from './options.ts';
import type { FetchRequest, FetchResult, Provider, RawValue, ValueType } from './provider.ts';
import { envProvider } from './providers/env.ts';
import { fileProvider } from './providers/file.ts';
import { createRegistry, formatReference, isReferenceOf, parseWith } from './reference.ts';
import { transform } from './transform.ts';
import type {
  PeekOptions,
  ReferenceSpec,
  ResolveFunction,
  ResolveOptions,
  Resolver,
  ResolverOptions,
  Watcher,
} from './types.ts';
import { startWatch } from './watch.ts';

/** The options of a call that passes none: one shared object, not one per call. */
const NO_OPTIONS: ResolveOptions & PeekOptions = Object.freeze({});

/** A parsed reference, with everything a resolve needs. */
interface Target {
  /** The canonical reference as messages and events show it. */
  readonly ref: string;
  readonly scheme: string;
  readonly provider: Provider;
  readonly region: string | undefined;
  /** The cache key: the canonical reference without ttl, as, optional and fragment (a digest if long). */
  readonly key: string;
  readonly ttlMs: number;
  readonly as: ValueType | undefined;
  readonly fragment: string | undefined;
  readonly viewKey: string;
  readonly optional: boolean;
  readonly request: FetchRequest;
}

/** A fetch in flight, shared by every caller of its key. */
interface Flight {
  readonly result: Promise<Answer>;
  extend(at: number, timeoutMs: number): void;
}

/**
 * A result, with the key's entry as it was when a fetch's result was kept: the new value, or after a
 * failure the last good value, read before the batch's other values could evict it. Without `entry`
 * (a backoff, a caller's deadline), the entry cached when the caller is answered.
 */
interface Answer {
  readonly outcome: FetchResult;
  readonly entry?: Entry | undefined;
}

/** Reports a transient failure that was answered with the last good value (for `watch`). */
type OnStale = (error: SecretrefError) => void;

// The parsed-reference cache is bounded by count and by size: a `kms:` reference can be megabytes.
const MAX_PARSED = 10_000;
const MAX_PARSED_CHARS = 16 * 1024 * 1024;
// Cache keys longer than this are kept as a digest: the value store holds no megabyte-long keys.
const MAX_KEY_CHARS = 256;

const SPEC_OPTIONS: ReadonlySet<string> = new Set([...CALL_OPTIONS, 'ref']);
const PEEK_OPTIONS: ReadonlySet<string> = new Set(['as', 'allowStale']);

/** The options that are set: an entry's own options override the shared ones only where it sets them. */
function defined(options: ResolveOptions): ResolveOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** Sets an own property, even one named `__proto__`. */
function own<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function cacheKey(fetchKey: string): string {
  return fetchKey.length <= MAX_KEY_CHARS ? fetchKey : `#${createHash('sha256').update(fetchKey).digest('base64')}`;
}

/** Creates a resolver with its own cache, batcher and providers. */
export function createResolver(options: ResolverOptions = {}): Resolver {
  checkResolverOptions(options);
  const registry = createRegistry([envProvider(), fileProvider(), ...(options.providers ?? [])]);
  const defaultTtlMs = numberOption('ttlMs', options.ttlMs, DEFAULTS.ttlMs);
  const jitter = numberOption('jitter', options.jitter, DEFAULTS.jitter, 'fraction');
  const maxStaleMs = numberOption('maxStaleMs', options.maxStaleMs, DEFAULTS.maxStaleMs);
  // Finite: a fetch must end some time, or it would hold its key forever.
  const defaultTimeoutMs = numberOption('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs, 'finite');
  const backoff = {
    baseMs: numberOption('retryBaseMs', options.retryBaseMs, DEFAULTS.retryBaseMs),
    maxMs: numberOption('retryMaxMs', options.retryMaxMs, DEFAULTS.retryMaxMs),
  };
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const counters = { hits: 0, misses: 0, calls: 0, fetched: 0, staleServed: 0, errors: 0 };
  const store = createStore(
    numberOption('maxEntries', options.maxEntries, DEFAULTS.maxEntries, 'count'),
    numberOption('maxFailures', options.maxFailures, DEFAULTS.maxFailures, 'count'),
  );
  // In flight, by cache key: apart from the store, so that eviction never splits a single flight.
  const inflight = new Map<string, Flight>();
  const batcher = createBatcher({
    maxConcurrency: numberOption('maxConcurrency', options.maxConcurrency, DEFAULTS.maxConcurrency, 'count'),
    clock,
    onCall: (size) => {
      counters.calls++;
      counters.fetched += size;
    },
  });
  // A plain map on the hit path (an LRU costs more than the lookup it saves), cleared when full.
  const targets = new Map<string, Target>();
  let parsedChars = 0;
  const watchers = new Set<Watcher>();
  let disposed = false;

  function target(input: string): Target {
    const known = targets.get(input);
    if (known) return known;
    const { reference, shown, provider, locator } = parseWith(registry, input);
    const { scheme, region, fragment, as, params, body } = reference;
    const fetched = { scheme, body, params, ...(region ? { region } : {}) };
    const fetchKey = formatReference(fetched);
    const display = provider.display;
    // The fetch is shared by every variant of the key, so its errors name the key, not one variant.
    const fetchRef = display ? formatReference({ ...fetched, body: display(body) }) : fetchKey;
    const t: Target = {
      ref: shown,
      scheme,
      provider,
      region,
      key: cacheKey(fetchKey),
      ttlMs: reference.ttlMs ?? provider.ttlMs ?? defaultTtlMs,
      as,
      fragment,
      viewKey: `${as ?? ''}#${fragment ?? ''}`,
      optional: reference.optional ?? false,
      request: { locator, ref: fetchRef, scheme, params },
    };
    const chars = input.length * 2 + t.ref.length + t.key.length;
    if (chars > MAX_PARSED_CHARS / 4) return t; // a reference of megabytes is parsed on each use
    parsedChars += chars;
    if (targets.size >= MAX_PARSED || parsedChars > MAX_PARSED_CHARS) {
      targets.clear();
      parsedChars = chars;
    }
    targets.set(input, t);
    return t;
  }

  /** The value a caller gets: derived once per entry and view, bytes copied. */
  function view(value: RawValue, derived: Map<string, unknown> | undefined, t: Target, as: ValueType | undefined) {
    const key = as === t.as ? t.viewKey : `${as ?? ''}#${t.fragment ?? ''}`;
    let result = derived?.get(key);
    if (result === undefined) {
      result = transform(value, as, t.fragment, t);
      derived?.set(key, result);
    }
    // Bytes cannot be frozen: every caller gets its own copy.
    return result instanceof Uint8Array ? result.slice() : result;
  }

  /** Counts a failed resolve and publishes it; returns the error to throw. */
  function failed(error: unknown, t: Target | undefined): unknown {
    counters.errors++;
    if (error instanceof SecretrefError && channels.error.hasSubscribers) {
      channels.error.publish({ ref: t?.ref ?? error.ref, scheme: t?.scheme ?? error.scheme, error });
    }
    return error;
  }

  function startFetch(t: Target, at: number, timeoutMs: number, forced: boolean): Flight {
    const request = forced ? { ...t.request, forced } : t.request;
    const pending = batcher.fetch(t.provider, t.region, request, at, timeoutMs);
    const flight: Flight = {
      result: pending.result.then((outcome): Answer => {
        // Invalidated (or disposed) meanwhile: its callers get the outcome, the cache does not, and
        // the invalidated value is not served stale.
        if (inflight.get(t.key) !== flight) return { outcome, entry: undefined };
        inflight.delete(t.key);
        if ('value' in outcome) {
          return { outcome, entry: store.succeeded(t.key, outcome.value, clock.now(), 1 - random() * jitter) };
        }
        // A deadline that passed is the callers' limit, not the service's answer (a Lambda with 4 ms
        // left): it starts no backoff, and the next caller, with more time, fetches again.
        if (!(outcome.error instanceof TimeoutError)) store.failed(t.key, outcome.error, clock.now(), backoff);
        return { outcome, entry: store.peek(t.key) };
      }),
      extend: pending.extend,
    };
    inflight.set(t.key, flight);
    return flight;
  }

  /** Turns a fetch result into the caller's value, serving the last good value through transient failures. */
  function settle(answer: Answer, t: Target, call: ResolveOptions, ttlMs: number, onStale?: OnStale): unknown {
    const as = call.as ?? t.as;
    const { outcome } = answer;
    const entry = 'entry' in answer ? answer.entry : store.peek(t.key);
    // A new value shares its entry's views (none if it was invalidated meanwhile).
    if ('value' in outcome)
      return view(outcome.value, entry?.value === outcome.value ? entry.derived : undefined, t, as);
    const { error } = outcome;
    if (error.transient && entry !== undefined && isStaleServable(entry, ttlMs, maxStaleMs, clock.now())) {
      counters.staleServed++;
      if (channels.staleServed.hasSubscribers) {
        channels.staleServed.publish({ ref: t.ref, scheme: t.scheme, ageMs: clock.now() - entry.fetchedAt, error });
      }
      onStale?.(error);
      return view(entry.value, entry.derived, t, as);
    }
    if (error instanceof SecretNotFoundError && (call.optional ?? t.optional)) return undefined;
    throw error;
  }

  async function load(
    t: Target,
    entry: Entry | undefined,
    call: ResolveOptions,
    ttlMs: number,
    onStale?: OnStale,
  ): Promise<unknown> {
    counters.misses++;
    const forced = call.forceFetch === true;
    if (channels.miss.hasSubscribers) {
      channels.miss.publish({ ref: t.ref, scheme: t.scheme, reason: forced ? 'forced' : entry ? 'expired' : 'cold' });
    }
    try {
      const timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
      const now = clock.now();
      const at = now + timeoutMs;
      let result: Promise<Answer>;
      const flight = inflight.get(t.key);
      const failure = flight ? undefined : store.failure(t.key);
      if (flight) {
        // A caller with a later deadline keeps the shared fetch going for itself.
        flight.extend(at, timeoutMs);
        result = flight.result;
      } else if (failure !== undefined && !forced && now < failure.retryAt) {
        result = Promise.resolve({ outcome: { error: failure.error } });
      } else {
        result = startFetch(t, at, timeoutMs, forced).result;
      }
      const outcome = await within(
        result,
        // A caller's own deadline never moves: a plain timer of the clock.
        (pass) => clock.setTimer(pass, timeoutMs),
        (): Answer => ({ outcome: { error: timeoutError(t.ref, t.scheme, timeoutMs) } }),
        call.signal,
      );
      return settle(outcome, t, call, ttlMs, onStale);
    } catch (error) {
      throw failed(error, t);
    }
  }

  function resolveWith(input: string, options: ResolveOptions = NO_OPTIONS, onStale?: OnStale): Promise<unknown> {
    let t: Target | undefined;
    try {
      if (disposed) throw new DisposedError();
      t = target(input);
      const call = options === NO_OPTIONS ? NO_OPTIONS : checkCallOptions(options);
      const ttlMs = call.ttlMs ?? t.ttlMs;
      const entry = store.get(t.key);
      // A value that never expires (a KMS ciphertext's) needs no clock read.
      if (entry !== undefined && !call.forceFetch && (ttlMs === Infinity || isFresh(entry, ttlMs, clock.now()))) {
        counters.hits++;
        if (channels.hit.hasSubscribers) channels.hit.publish({ ref: t.ref, scheme: t.scheme });
        return Promise.resolve(view(entry.value, entry.derived, t, call.as ?? t.as));
      }
      return load(t, entry, call, ttlMs, onStale);
    } catch (error) {
      return Promise.reject(failed(error, t));
    }
  }

  const resolve = (input: string, options?: ResolveOptions): Promise<unknown> => resolveWith(input, options);

  async function resolveAll(
    refs: Readonly<Record<string, ReferenceSpec>>,
    options: ResolveOptions = NO_OPTIONS,
  ): Promise<Record<string, unknown>> {
    if (typeof refs !== 'object' || refs === null || Array.isArray(refs)) {
      throw new InvalidOptionError('resolveAll takes an object of references');
    }
    const shared = options === NO_OPTIONS ? NO_OPTIONS : checkCallOptions(options);
    // Own keys only, `__proto__` included (JSON.parse makes it one): results are built with
    // defineProperty, so no key ever becomes a prototype.
    const keys = Object.keys(refs);
    const specs = keys.map((key) => {
      const spec = refs[key] as ReferenceSpec;
      if (typeof spec !== 'object' || spec === null) return { ref: spec as string, options: shared };
      const { ref } = spec; // read once, as every option is
      return { ref, options: { ...shared, ...defined(checkCallOptions(spec, SPEC_OPTIONS, 'a resolveAll entry')) } };
    });
    const invalid: Record<string, SecretrefError> = {};
    specs.forEach(({ ref }, i) => {
      try {
        target(ref);
      } catch (error) {
        if (!(error instanceof SecretrefError)) throw error;
        own(invalid, keys[i] as string, error);
      }
    });
    if (Object.keys(invalid).length > 0) {
      // Each is a failed resolve: counted and published as `resolve` does.
      for (const error of Object.values(invalid)) failed(error, undefined);
      throw new ResolveAllError(invalid);
    }
    const settled = await Promise.allSettled(specs.map(({ ref, options: o }) => resolve(ref, o)));
    const values: Record<string, unknown> = {};
    const errors: Record<string, SecretrefError> = {};
    settled.forEach((outcome, i) => {
      const key = keys[i] as string;
      if (outcome.status === 'fulfilled') own(values, key, outcome.value);
      else if (outcome.reason instanceof SecretrefError) own(errors, key, outcome.reason);
      else throw outcome.reason;
    });
    if (Object.keys(errors).length > 0) throw new ResolveAllError(errors);
    return values;
  }

  function peek(input: string, peekOptions: PeekOptions = NO_OPTIONS): unknown {
    if (peekOptions !== NO_OPTIONS) checkKnown(peekOptions, PEEK_OPTIONS, 'peek');
    const t = target(input);
    const as = peekOptions === NO_OPTIONS ? t.as : (asOption(peekOptions.as) ?? t.as);
    const entry = store.peek(t.key);
    if (entry === undefined) return undefined;
    if (!peekOptions.allowStale && t.ttlMs !== Infinity && !isFresh(entry, t.ttlMs, clock.now())) return undefined;
    return view(entry.value, entry.derived, t, as);
  }

  function watch(input: string, onChange: (value: unknown, previous: unknown) => void | Promise<void>, o?: object) {
    if (disposed) throw new DisposedError();
    const t = target(input);
    const started = startWatch(
      resolveWith,
      clock,
      { ttlMs: t.ttlMs, shown: t.ref, scheme: t.scheme },
      input,
      onChange,
      o,
    );
    const watcher: Watcher = {
      ready: started.ready,
      stop() {
        started.stop();
        watchers.delete(watcher);
      },
    };
    watchers.add(watcher);
    return watcher;
  }

  return {
    resolve: resolve as ResolveFunction,
    resolveAll: resolveAll as Resolver['resolveAll'],
    peek: peek as Resolver['peek'],
    withSecret: (async <T, V>(
      input: string,
      fn: (value: V) => T | Promise<T>,
      withOptions: { isAuthFailure: unknown },
    ) => {
      if (typeof withOptions !== 'object' || withOptions === null) {
        throw new InvalidOptionError('withSecret needs options with isAuthFailure');
      }
      if (typeof fn !== 'function') throw new InvalidOptionError('withSecret needs a function to run with the secret');
      const { isAuthFailure, ...resolveOptions } = withOptions as { isAuthFailure: (error: unknown) => boolean };
      if (typeof isAuthFailure !== 'function') throw new InvalidOptionError('withSecret needs isAuthFailure');
      const value = (await resolve(input, resolveOptions)) as V;
      try {
        return await fn(value);
      } catch (error) {
        if (!isAuthFailure(error)) throw error;
        const fresh = (await resolve(input, { ...resolveOptions, forceFetch: true })) as V;
        return fn(fresh);
      }
    }) as Resolver['withSecret'],
    watch: watch as Resolver['watch'],
    isReference: (input) => isReferenceOf(registry, input),
    parse: (input) => parseWith(registry, input).reference,
    invalidate(input) {
      if (input === undefined) {
        store.delete();
        inflight.clear();
        return;
      }
      const { key } = target(input);
      store.delete(key);
      // A fetch in flight may return the value being invalidated: later resolves start their own.
      inflight.delete(key);
    },
    stats: () => ({ ...counters, entries: store.size, failures: store.failures }),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const watcher of [...watchers]) watcher.stop();
      inflight.clear();
      // Settles every caller in flight with a DisposedError and clears the batches' timers.
      batcher.dispose();
      store.delete();
      targets.clear();
      parsedChars = 0;
      for (const provider of new Set(registry.schemes.values())) provider.dispose?.();
    },
  };
}

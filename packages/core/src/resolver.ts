/**
 * The resolver: reference -> parse -> cache -> batch -> provider -> transform -> value. This file
 * wires the parts: options.ts (defaults and checks), clock.ts (time and timers), entry.ts (values and
 * the failure memory), views.ts (what a caller gets of an entry), deadline.ts (one deadline race),
 * batcher.ts (with batch-call.ts and governor.ts, each service's gate), retry.ts, transform.ts, watch.ts.
 * See docs/caching.md for the cache's rules.
 */
import { createBatcher } from './batcher.ts';
import { perTurn, systemClock } from './clock.ts';
import { timeoutError, within } from './deadline.ts';
import { type Cohort, createStore, type Entry, isFresh, isStaleServable } from './entry.ts';
import { DisposedError, SecretNotFoundError, SecretrefError, ThrottledError, TimeoutError } from './errors.ts';
import { channels } from './events.ts';
import { retryWithFreshSecretWith } from './fresh-secret.ts';
import { checkCallOptions, checkResolverOptions, DEFAULTS, numberOption } from './options.ts';
import type { FetchResult } from './provider.ts';
import { envProvider } from './providers/env.ts';
import { fileProvider } from './providers/file.ts';
import { parseWith } from './reference.ts';
import { createRegistry, isReferenceOf } from './registry.ts';
import { resolveAllWith } from './resolve-all.ts';
import { backoffOption, fetchRetrying, retriesOption, retryPlan, worthRetrying } from './retry.ts';
import { createTargets, type Target } from './targets.ts';
import type { PeekOptions, ResolveFunction, ResolveOptions, Resolver, ResolverOptions, Watcher } from './types.ts';
import { hit, peekWith, view } from './views.ts';
import { startWatch } from './watch.ts';

const NO_OPTIONS: ResolveOptions & PeekOptions = Object.freeze({});
/** A fetch in flight, shared by every caller of its key until its deadline (`at`, extended by joiners). */
interface Flight {
  readonly result: Promise<Answer>;
  readonly at: number;
  readonly forced: boolean;
  extend(at: number, timeoutMs: number): void;
}

/** A result, with the key's entry when it was kept (read before other values could evict it); else read later. */
interface Answer {
  readonly outcome: FetchResult;
  readonly entry?: Entry | undefined;
}

/** Reports a transient failure answered with the last good value (for `watch`). */
type OnStale = (error: SecretrefError) => void;

/**
 * Creates a resolver with its own cache, batcher and providers: only those given (and `env:`, `file:`).
 * @example const resolver = createResolver({ providers: [ssmProvider()], ttlMs: 60_000 }); // or awsProviders()
 * @param options - the providers, and the cache's TTL, jitter, stale window, deadline, bounds and clock
 */
export function createResolver(options: ResolverOptions = {}): Resolver {
  checkResolverOptions(options);
  const registry = createRegistry([envProvider(), fileProvider(), ...(options.providers ?? [])], 2);
  const defaultTtlMs = numberOption('ttlMs', options.ttlMs, DEFAULTS.ttlMs);
  const jitter = numberOption('jitter', options.jitter, DEFAULTS.jitter, 'fraction');
  const maxStaleMs = numberOption('maxStaleMs', options.maxStaleMs, DEFAULTS.maxStaleMs);
  // Finite: a fetch must end some time, or it would hold its key forever.
  const defaultTimeoutMs = numberOption('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs, 'finite');
  const backoff = backoffOption(options);
  const retries = retriesOption(options.retries);
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
    random,
    onCall: (size) => {
      counters.calls++;
      counters.fetched += size;
    },
  });
  const retryParts = retryPlan({ batcher, clock, random, retries });
  // One cohort per fetched batch (its values settle in one turn): they expire and refresh together.
  // Fetched at one time (each value's own clock read would set them microseconds apart, and a refresh
  // at the first one's expiry would find the others fresh); looked at once a turn, however many miss.
  const cohort = perTurn<0, Cohort>(() => ({ lifetime: 1 - random() * jitter, refreshers: [], at: clock.now() }));
  const sweep = perTurn<Cohort, 0>((of) => {
    for (const refresh of of.refreshers) refresh();
    return 0;
  });
  const targets = createTargets(registry, defaultTtlMs);
  const target = targets.get;
  const watchers = new Set<Watcher>();
  let disposed = false;

  /** Counts a failed resolve and publishes it; returns the error to throw. */
  function failed(error: unknown, t?: Target): unknown {
    counters.errors++;
    if (error instanceof SecretrefError && channels.error.hasSubscribers) {
      channels.error.publish({ ref: t?.ref ?? error.ref, scheme: t?.scheme ?? error.scheme, error });
    }
    return error;
  }

  function startFetch(t: Target, at: number, timeoutMs: number, forced: boolean): Flight {
    const request = forced ? { ...t.request, forced } : t.request;
    const retry = (e: SecretrefError) =>
      !disposed && worthRetrying(e, store.peek(t.key), t.ttlMs, maxStaleMs, clock.now());
    const pending = fetchRetrying(retryParts, t, request, at, timeoutMs, retry);
    const flight: Flight = {
      result: pending.result.then((outcome): Answer => {
        // Invalidated, disposed or superseded by a forced fetch meanwhile: its callers get the outcome,
        // the cache does not. Invalidating deleted the entry: only a later fetch's value is served stale.
        if (inflight.get(t.key) !== flight) return { outcome, entry: store.peek(t.key) };
        inflight.delete(t.key);
        if ('value' in outcome) {
          const joined = cohort(0);
          joined.refreshers.push(() => refreshMember(t, joined));
          return { outcome, entry: store.succeeded(t.key, outcome, joined.at, joined) };
        }
        // No backoff after a deadline (the callers' limit) or a throttle (the service's governor's).
        const { error } = outcome;
        if (!(error instanceof TimeoutError || error instanceof ThrottledError))
          store.failed(t.key, error, clock.now(), backoff);
        return { outcome, entry: store.peek(t.key) };
      }),
      get at() {
        return pending.at;
      },
      forced,
      extend: pending.extend,
    };
    inflight.set(t.key, flight);
    return flight;
  }

  /** Refreshes a member of an expired cohort, unless it is fresh, being fetched, backing off or replaced. */
  function refreshMember(t: Target, of: Cohort): void {
    const entry = store.peek(t.key);
    const now = clock.now();
    if (disposed || entry?.cohort !== of || isFresh(entry, t.ttlMs, now) || inflight.has(t.key)) return;
    if (now < (store.failure(t.key)?.retryAt ?? now)) return;
    startFetch(t, now + defaultTimeoutMs, defaultTimeoutMs, false);
  }

  /** Turns a fetch result into the caller's value, serving the last good value through transient failures. */
  function settle(answer: Answer, t: Target, call: ResolveOptions, ttlMs: number, onStale?: OnStale): unknown {
    const as = call.as ?? t.as;
    const { outcome } = answer;
    const entry = 'entry' in answer ? answer.entry : store.peek(t.key);
    // A new value shares its entry's views (if it is the entry's, read alike), else reads as its provider says.
    const own = 'value' in outcome && entry?.value === outcome.value && entry.as === outcome.as ? entry : undefined;
    if ('value' in outcome) return view(own, outcome.value, t, as, outcome.as);
    const { error } = outcome;
    if (error.transient && entry !== undefined && isStaleServable(entry, ttlMs, maxStaleMs, clock.now())) {
      counters.staleServed++;
      if (channels.staleServed.hasSubscribers) {
        channels.staleServed.publish({ ref: t.ref, scheme: t.scheme, ageMs: clock.now() - entry.fetchedAt, error });
      }
      onStale?.(error);
      return view(entry, entry.value, t, as);
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
      // A flight past its deadline is settling (or hung): a caller then starts its own, never extends
      // it. A forced caller never joins a flight that is not forced: it may answer from a cache.
      const joined = inflight.get(t.key);
      const flight = joined !== undefined && now < joined.at && (joined.forced || !forced) ? joined : undefined;
      const failure = flight ? undefined : store.failure(t.key);
      // Its service's governor holds calls back: the last good value now, the refresh when its turn comes.
      const held = !forced && entry !== undefined && batcher.held(t.provider, t.region, now) > 0;
      if (flight) {
        // A caller with a later deadline keeps the shared fetch going for itself.
        flight.extend(at, timeoutMs);
        result = flight.result;
      } else if (failure !== undefined && !forced && now < failure.retryAt) {
        result = Promise.resolve({ outcome: { error: failure.error } });
      } else {
        result = startFetch(t, at, timeoutMs, forced).result;
      }
      if (entry !== undefined && !forced) sweep(entry.cohort);
      if (held && isStaleServable(entry, ttlMs, maxStaleMs, now)) {
        const error = new ThrottledError('throttled: the refresh waits its turn', { ref: t.ref, scheme: t.scheme });
        return settle({ outcome: { error }, entry }, t, call, ttlMs, onStale);
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
      if (entry !== undefined) t.slot = store.slot(t.key);
      // A value that never expires (a KMS ciphertext's) needs no clock read.
      if (entry !== undefined && !call.forceFetch && (ttlMs === Infinity || isFresh(entry, ttlMs, clock.now()))) {
        counters.hits++;
        if (channels.hit.hasSubscribers) channels.hit.publish({ ref: t.ref, scheme: t.scheme });
        return hit(entry, t, call.as ?? t.as);
      }
      return load(t, entry, call, ttlMs, onStale);
    } catch (error) {
      return Promise.reject(failed(error, t));
    }
  }

  // The hit path of a call without options, at its floor (one clock read); the rest goes the long way.
  const resolve = (input: string, options?: ResolveOptions): Promise<unknown> => {
    if (options === undefined && !disposed) {
      const t = targets.known(input);
      const entry = t?.slot?.entry;
      if (
        t !== undefined &&
        entry?.lastPromise !== undefined &&
        entry.lastViewKey === t.viewKey &&
        (t.ttlMs === Infinity || isFresh(entry, t.ttlMs, clock.now()))
      ) {
        store.use(entry);
        counters.hits++;
        if (channels.hit.hasSubscribers) channels.hit.publish({ ref: t.ref, scheme: t.scheme });
        return entry.lastPromise;
      }
    }
    return resolveWith(input, options);
  };

  const check = (ref: string) => void target(ref);
  const resolveAllParts = { resolve, check, failed: (e: SecretrefError) => failed(e) };

  function watch(input: string, onChange: (value: unknown, previous: unknown) => void | Promise<void>, o?: object) {
    if (disposed) throw new DisposedError();
    const t = target(input);
    const where = { ttlMs: t.ttlMs, shown: t.ref, scheme: t.scheme };
    return startWatch(resolveWith, clock, where, input, onChange, o, watchers);
  }

  return {
    resolve: resolve as ResolveFunction,
    peek: ((input: string, o?: PeekOptions) => peekWith(targets, store, clock, input, o)) as Resolver['peek'],
    resolveAll: ((refs, o) => resolveAllWith(resolveAllParts, refs, o)) as Resolver['resolveAll'],
    retryWithFreshSecret: ((ref, fn, o) =>
      retryWithFreshSecretWith(resolve, ref, fn, o)) as Resolver['retryWithFreshSecret'],
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
    stats: () => ({ ...counters, entries: store.size, failures: store.failures, governors: batcher.governors() }),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const watcher of [...watchers]) watcher.stop();
      inflight.clear();
      // Settles every caller in flight with a DisposedError, clears the batches' timers, ends retry pauses.
      batcher.dispose();
      retryParts.dispose();
      store.delete();
      targets.clear();
      for (const provider of new Set(registry.schemes.values())) provider.dispose?.();
    },
  };
}

/**
 * The cache's entries and their transitions. Values and failures are kept apart:
 * - `values`: the last good value of each fetched key, LRU-bounded by `maxEntries`. Only a success
 *   puts a value here, so keys that fail (cold keys during an outage) never evict a last good value.
 * - `failures`: what the last fetch of a key failed with and until when it is not fetched again (the
 *   backoff), LRU-bounded by `maxFailures`, large enough that backoff holds for thousands of keys.
 *
 * An entry is fresh until `fetchedAt + ttl x lifetime`, then expired; an expired entry is
 * stale-servable for `maxStaleMs` more while refreshes fail transiently. All times are on the
 * resolver's monotonic clock.
 */
import { LRUCache } from 'lru-cache';
import type { SecretrefError } from './errors.ts';
import type { RawValue } from './provider.ts';

/** A fetched value. Replaced, never mutated, when the key is fetched again. */
export interface Entry {
  readonly value: RawValue;
  /** When it was fetched, on the monotonic clock. */
  readonly fetchedAt: number;
  /** Fraction of the TTL after which it expires, in [1 - jitter, 1]. */
  readonly lifetime: number;
  /** Transformed views of the value (`as`, fragment), computed once. */
  readonly derived: Map<string, unknown>;
}

/** The failure memory of one key. */
interface Failure {
  /** Consecutive failed fetches. */
  readonly count: number;
  /** Not fetched again before this, on the monotonic clock (unless forced). */
  readonly retryAt: number;
  readonly error: SecretrefError;
}

/** The backoff rule: `baseMs` doubling per consecutive failure, at most `maxMs`. */
interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Is `entry` fresh at `now` for a TTL of `ttlMs`? A TTL of `Infinity` needs no clock. */
export function isFresh(entry: Entry, ttlMs: number, now: number): boolean {
  return now < entry.fetchedAt + ttlMs * entry.lifetime;
}

/** May `entry` be served while a refresh fails transiently? */
export function isStaleServable(entry: Entry, ttlMs: number, maxStaleMs: number, now: number): boolean {
  return now <= entry.fetchedAt + ttlMs * entry.lifetime + maxStaleMs;
}

/** Values and failures by cache key. */
export interface Store {
  /** The value of `key`, marking it recently used. */
  get(key: string): Entry | undefined;
  /** The value of `key`, without marking it used. */
  peek(key: string): Entry | undefined;
  /** The failure memory of `key`. */
  failure(key: string): Failure | undefined;
  /** A fetch succeeded: a new entry, and the failure memory is forgotten. */
  succeeded(key: string, value: RawValue, now: number, lifetime: number): Entry;
  /**
   * A fetch failed: the failure count grows and the key backs off. A failure that is not transient
   * (not found, access denied) drops the value, which must never mask it.
   */
  failed(key: string, error: SecretrefError, now: number, backoff: Backoff): Failure;
  /** Forgets a key (value and failure), or every key. */
  delete(key?: string): void;
  /** Keys holding a value. */
  readonly size: number;
  /** Keys whose failure is remembered. */
  readonly failures: number;
}

/** Creates a store bounded by `maxEntries` values and `maxFailures` failures. */
export function createStore(maxEntries: number, maxFailures: number): Store {
  const values = new LRUCache<string, Entry>({ max: maxEntries });
  const failures = new LRUCache<string, Failure>({ max: maxFailures });
  return {
    get: (key) => values.get(key),
    peek: (key) => values.peek(key),
    failure: (key) => failures.get(key),
    succeeded(key, value, now, lifetime) {
      const entry: Entry = { value, fetchedAt: now, lifetime, derived: new Map() };
      values.set(key, entry);
      failures.delete(key);
      return entry;
    },
    failed(key, error, now, backoff) {
      const count = (failures.peek(key)?.count ?? 0) + 1;
      const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(count - 1, 52));
      const failure: Failure = { count, retryAt: now + delay, error };
      failures.set(key, failure);
      if (!error.transient) values.delete(key);
      return failure;
    },
    delete(key) {
      if (key === undefined) {
        values.clear();
        failures.clear();
      } else {
        values.delete(key);
        failures.delete(key);
      }
    },
    get size() {
      return values.size;
    },
    get failures() {
      return failures.size;
    },
  };
}

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
 *
 * The hit path reads a plain map of the live entries and records the use in the entry; the uses are
 * applied to the LRU, in the order they happened, before the next insertion (the only operation
 * that evicts). Eviction is exact LRU; a hit costs no LRU bookkeeping.
 */
import { createLRU } from 'lru.min';
import type { SecretrefError } from './errors.ts';
import type { FetchedValue, RawValue, ValueType } from './provider.ts';

/** A fetched value. Replaced, never mutated, when the key is fetched again (but for its bookkeeping). */
export interface Entry {
  /** Its cache key. */
  readonly key: string;
  readonly value: RawValue;
  /** When it was fetched, on the monotonic clock. */
  readonly fetchedAt: number;
  /** The values fetched with it: they expire together and are refreshed together. */
  readonly cohort: Cohort;
  /** The provider's floor of the TTL (a poll interval), in ms: the entry is fresh at least this long. */
  readonly minTtlMs: number;
  /** What the value reads as when the caller names no `as` (the provider's `FetchedValue.as`). */
  readonly as: ValueType | undefined;
  /** Transformed views of the value (`as`, fragment), computed once. */
  readonly derived: Map<string, unknown>;
  /** The last view asked for and its name in `derived`: most callers ask one view of a value. */
  lastView: unknown;
  lastViewKey: string | undefined;
  /** A promise of `lastView`, handed to every hit that asks for it (not for bytes: each caller copies). */
  lastPromise: Promise<unknown> | undefined;
  /** When it was last used, in uses of the store; whether that use is yet to reach the LRU. */
  lastUse: number;
  pending: boolean;
}

/**
 * The values fetched in one turn of the event loop (one batch, or batches settling together): one
 * jitter draw, so that they expire together, and a refresh of one refreshes them all (in as few calls
 * as the batches allow).
 */
export interface Cohort {
  /** Fraction of the TTL after which they expire, in [1 - jitter, 1]. */
  readonly lifetime: number;
  /** Starts a refresh of each member that is expired and not being fetched (the resolver's). */
  readonly refreshers: Array<() => void>;
  /** When they were fetched, on the monotonic clock: every member's `fetchedAt`. */
  readonly at: number;
}

/**
 * Where the live entry of one key is, for as long as the key has one: parsed references hold their
 * key's slot, so that a hit needs no lookup by key. Emptied (and dropped by the store) when the entry
 * is evicted or deleted, so it never keeps a value alive.
 */
export interface Slot {
  entry: Entry | undefined;
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
  return now < expiry(entry, ttlMs);
}

/** When `entry` expires for a TTL of `ttlMs`: its jittered TTL, never before the provider's floor. */
function expiry(entry: Entry, ttlMs: number): number {
  return entry.fetchedAt + Math.max(ttlMs * entry.cohort.lifetime, entry.minTtlMs);
}

/** May `entry` be served while a refresh fails transiently? */
export function isStaleServable(entry: Entry, ttlMs: number, maxStaleMs: number, now: number): boolean {
  return now <= expiry(entry, ttlMs) + maxStaleMs;
}

/** Values and failures by cache key. */
export interface Store {
  /** The value of `key`, marking it recently used (in the entry: the LRU learns it before it evicts). */
  get(key: string): Entry | undefined;
  /** The value of `key`, without marking it used. */
  peek(key: string): Entry | undefined;
  /** The slot of `key` while it has a live entry. */
  slot(key: string): Slot | undefined;
  /** Marks `entry` (live, from its slot) recently used, as `get` does. */
  use(entry: Entry): void;
  /** The failure memory of `key`. */
  failure(key: string): Failure | undefined;
  /** A fetch succeeded: a new entry, and the failure memory is forgotten. */
  succeeded(key: string, fetched: FetchedValue, now: number, cohort: Cohort): Entry;
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
  // The slot of every key with a live entry: a hit is a plain lookup, with no LRU bookkeeping.
  const slots = new Map<string, Slot>();
  const live = (key: string): Entry | undefined => slots.get(key)?.entry;
  let uses = 0;
  // Used entries whose use the LRU does not know yet, each once.
  let used: Entry[] = [];
  const values = createLRU<string, Entry>({
    max: maxEntries,
    // Evicted, deleted or replaced: no longer live. A replaced entry's slot already holds the new one
    // (see `succeeded`), so only its pending use is dropped.
    onEviction: (key, entry) => {
      // A dropped value is not kept alive by a use the LRU has yet to hear of.
      if (entry.pending) {
        entry.pending = false;
        const at = used.indexOf(entry);
        if (at >= 0) used.splice(at, 1);
      }
      const slot = slots.get(key);
      if (slot?.entry !== entry) return;
      slot.entry = undefined;
      slots.delete(key);
    },
  });
  const failures = createLRU<string, Failure>({ max: maxFailures });
  /** Tells the LRU of the uses since the last insertion, in the order of each entry's last use. */
  const flush = (): void => {
    if (used.length === 0) return;
    const batch = used;
    used = [];
    batch.sort((a, b) => a.lastUse - b.lastUse);
    for (const entry of batch) {
      entry.pending = false;
      if (live(entry.key) === entry) values.get(entry.key);
    }
  };
  const use = (entry: Entry): void => {
    entry.lastUse = ++uses;
    if (!entry.pending) {
      entry.pending = true;
      used.push(entry);
    }
  };
  return {
    get(key) {
      const entry = live(key);
      if (entry !== undefined) use(entry);
      return entry;
    },
    peek: live,
    slot: (key) => slots.get(key),
    use,
    failure: (key) => failures.get(key),
    succeeded(key, fetched, now, cohort) {
      const floor = fetched.minTtlMs;
      const entry: Entry = {
        key,
        value: fetched.value,
        fetchedAt: now,
        cohort,
        // A provider's floor is a finite, positive number of ms; anything else is none.
        minTtlMs: typeof floor === 'number' && floor > 0 && Number.isFinite(floor) ? floor : 0,
        as: fetched.as,
        derived: new Map(),
        lastView: undefined,
        lastViewKey: undefined,
        lastPromise: undefined,
        lastUse: ++uses,
        pending: false,
      };
      // Inserting may evict: the LRU first learns of every use. The slot holds the new entry first, so
      // that the replaced one's eviction leaves it alone.
      flush();
      const slot = slots.get(key);
      if (slot) slot.entry = entry;
      else slots.set(key, { entry });
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
        for (const entry of used) entry.pending = false;
        used = [];
        values.clear();
        failures.clear();
        slots.clear();
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

/**
 * The value a caller gets of an entry: the view that `as` and the fragment give, derived once per
 * entry and view and kept in the entry, with one promise of it shared by every hit that asks for it.
 * Bytes cannot be frozen: every caller gets its own copy.
 */
import type { Clock } from './clock.ts';
import { type Entry, isFresh, type Store } from './entry.ts';
import { asOption, checkOptions } from './options.ts';
import type { RawValue, ValueType } from './provider.ts';
import type { Target, Targets } from './targets.ts';
import { transform } from './transform.ts';
import type { PeekOptions } from './types.ts';

const PEEK_OPTIONS: ReadonlySet<string> = new Set(['as', 'allowStale']);
const NO_OPTIONS: PeekOptions = Object.freeze({});

/** `peek`: the cached value of `input` (fresh, or stale with `allowStale`), without a fetch; else undefined. */
export function peekWith(
  targets: Targets,
  store: Store,
  clock: Clock,
  input: string,
  peekOptions: PeekOptions = NO_OPTIONS,
): unknown {
  // The hit path without options: as `resolve`'s, the view already made (bytes are copied below).
  const known = peekOptions === NO_OPTIONS ? targets.known(input) : undefined;
  const cached = known?.slot?.entry;
  if (known !== undefined && cached?.lastViewKey === known.viewKey && !(cached.lastView instanceof Uint8Array)) {
    return known.ttlMs === Infinity || isFresh(cached, known.ttlMs, clock.now()) ? cached.lastView : undefined;
  }
  if (peekOptions !== NO_OPTIONS) checkOptions(peekOptions, PEEK_OPTIONS, 'peek');
  const t = targets.get(input);
  const as = peekOptions === NO_OPTIONS ? t.as : (asOption(peekOptions.as) ?? t.as);
  const entry = store.peek(t.key);
  if (entry === undefined) return undefined;
  if (!peekOptions.allowStale && t.ttlMs !== Infinity && !isFresh(entry, t.ttlMs, clock.now())) return undefined;
  return view(entry, entry.value, t, as);
}

/**
 * The value a caller gets: derived once per entry and view, bytes copied. `own` is what the value
 * reads as when the caller names no `as` (the provider's, kept in the entry).
 */
export function view(
  entry: Entry | undefined,
  value: RawValue,
  t: Target,
  as: ValueType | undefined,
  own: ValueType | undefined = entry?.as,
): unknown {
  const key = as === t.as ? t.viewKey : `${as ?? ''}#${t.fragment ?? ''}`;
  let result: unknown;
  if (entry !== undefined && entry.lastViewKey === key) result = entry.lastView;
  else {
    result = entry?.derived.get(key);
    if (result === undefined) {
      // A fragment means JSON, whatever the provider says the value reads as without one.
      result = transform(value, as ?? (t.fragment === undefined ? own : undefined), t.fragment, t);
      entry?.derived.set(key, result);
    }
    if (entry !== undefined) {
      entry.lastView = result;
      entry.lastViewKey = key;
      entry.lastPromise = undefined;
    }
  }
  // Bytes cannot be frozen: every caller gets its own copy.
  return result instanceof Uint8Array ? result.slice() : result;
}

/** A hit's promise: the entry's promise of the view when it has one, a new one for bytes (copied). */
export function hit(entry: Entry, t: Target, as: ValueType | undefined): Promise<unknown> {
  if (entry.lastPromise !== undefined && entry.lastViewKey === (as === t.as ? t.viewKey : undefined)) {
    return entry.lastPromise;
  }
  const value = view(entry, entry.value, t, as);
  // Every caller of the key gets this one promise. Not frozen: Node's async hooks tag a promise when it
  // is awaited, and a frozen one would make them throw. Its value is frozen (or copied, for bytes).
  const promise = Promise.resolve(value);
  if (as === t.as && !(value instanceof Uint8Array)) entry.lastPromise = promise;
  return promise;
}

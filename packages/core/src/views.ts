/**
 * The value a caller gets of an entry: the view that `as` and the fragment give, derived once per
 * entry and view and kept in the entry, with one promise of it shared by every hit that asks for it.
 * Bytes cannot be frozen: every caller gets its own copy.
 */
import type { Entry } from './entry.ts';
import type { RawValue, ValueType } from './provider.ts';
import type { Target } from './targets.ts';
import { transform } from './transform.ts';

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

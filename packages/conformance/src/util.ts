/** Small helpers of the topics: references, raw values, settling within a time, leak scanning, parse inputs. */
import { inspect } from 'node:util';
import type { ParseInput, RawValue } from '@secretref/core';

// Captured at load: a test's fake timers must not stop the suite's own deadlines.
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;

/** Joins `tail` (`?a=b`, `#key`, `?a=b#key`) to a reference that may already have a query. */
export function join(ref: string, tail: string): string {
  if (tail === '') return ref;
  if (tail.startsWith('?') && ref.includes('?')) return `${ref}&${tail.slice(1)}`;
  return ref + tail;
}

/** Splits items into batches of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The decoded text of a raw value, or `undefined` for an object or bytes that are not UTF-8. */
export function textOf(value: RawValue): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** How a promise settled within `ms`, or `pending` if it did not. */
export function settleWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown } | { status: 'pending' }> {
  return new Promise((resolve) => {
    const timer = realSetTimeout(() => resolve({ status: 'pending' }), ms);
    promise.then(
      (value) => {
        realClearTimeout(timer);
        resolve({ status: 'fulfilled', value });
      },
      (reason: unknown) => {
        realClearTimeout(timer);
        resolve({ status: 'rejected', reason });
      },
    );
  });
}

/** Every way a thing can be shown: inspect (hidden properties too), JSON, String, and an error's chain. */
export function renderings(thing: unknown, out: string[], seen: Set<unknown>, depth: number): void {
  if (thing === null || thing === undefined || depth > 8 || seen.has(thing)) return;
  seen.add(thing);
  out.push(inspect(thing, { showHidden: true, depth: 8, maxArrayLength: null, maxStringLength: null }));
  try {
    out.push(JSON.stringify(thing) ?? '');
  } catch {
    // A cycle: inspect has shown it.
  }
  try {
    out.push(String(thing));
  } catch {
    // An object without a string form.
  }
  if (thing instanceof Error) {
    out.push(thing.message, thing.stack ?? '');
    renderings(thing.cause, out, seen, depth + 1);
    const errors = (thing as { errors?: unknown }).errors;
    if (typeof errors === 'object' && errors !== null) {
      for (const inner of Object.values(errors)) renderings(inner, out, seen, depth + 1);
    }
  } else if (Array.isArray(thing)) {
    for (const item of thing) renderings(item, out, seen, depth + 1);
  } else if (typeof thing === 'object') {
    for (const value of Object.values(thing)) renderings(value, out, seen, depth + 1);
  }
}

/** Splits a `scheme:body?query` reference (no fragment) into what `Provider.parse` receives. */
export function parseInputOf(ref: string, display: ((body: string) => string) | undefined): ParseInput {
  const colon = ref.indexOf(':');
  const scheme = ref.slice(0, colon).toLowerCase();
  const rest = ref.slice(colon + 1);
  const question = rest.indexOf('?');
  const body = question === -1 ? rest : rest.slice(0, question);
  const params: Record<string, string> = {};
  if (question !== -1) {
    for (const pair of rest.slice(question + 1).split('&')) {
      const eq = pair.indexOf('=');
      params[decodeURIComponent(pair.slice(0, eq))] = decodeURIComponent(pair.slice(eq + 1));
    }
  }
  const shown = display ? `${scheme}:${display(rest)}` : ref;
  return { scheme, body, form: 'uri', params, ref: shown };
}

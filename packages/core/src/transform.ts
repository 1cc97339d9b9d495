/**
 * Turns a fetched value into what the caller asked for: a string, parsed JSON (optionally at a key or
 * RFC 6901 pointer), bytes, or a list. Errors name the reference and the key, never the value: in
 * particular a `JSON.parse` error is never passed on, since V8 quotes the input in its message.
 */
import { InvalidValueError } from './errors.ts';
import type { RawValue, ValueType } from './provider.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Where a value came from, for error messages. */
interface Origin {
  readonly ref: string;
  readonly scheme: string;
}

function fail(origin: Origin, message: string): InvalidValueError {
  return new InvalidValueError(`${message} (reference "${origin.ref}")`, { ref: origin.ref, scheme: origin.scheme });
}

/** Freezes a parsed JSON value so that a caller cannot change what the cache hands to the next caller. */
function deepFreeze<T>(value: T): T {
  // With a stack, not recursion: JSON nested 50,000 deep parses, and must freeze too.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'object' && node !== null && !Object.isFrozen(node)) {
      Object.freeze(node);
      for (const child of Object.values(node)) stack.push(child);
    }
  }
  return value;
}

function parseJson(text: string, origin: Origin): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Deliberately no cause: SyntaxError messages quote the input.
    throw fail(origin, 'the value is not valid JSON');
  }
}

/** Splits a fragment into JSON keys: `key` is one top-level key, `/a/b` an RFC 6901 pointer. */
function fragmentKeys(fragment: string): string[] {
  if (!fragment.startsWith('/')) return [fragment];
  return fragment
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function select(document: unknown, fragment: string, origin: Origin): unknown {
  let node = document;
  for (const key of fragmentKeys(fragment)) {
    if (Array.isArray(node) && /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < node.length) {
      node = node[Number(key)];
    } else if (typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else {
      throw fail(origin, `the JSON key "${fragment}" is not in the value`);
    }
  }
  return node;
}

function decodeBase64(text: string, origin: Origin): Uint8Array {
  if (!BASE64.test(text)) throw fail(origin, 'the value is not base64, so it cannot be read as binary');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function asText(bytes: Uint8Array, origin: Origin): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw fail(origin, 'the binary value is not valid UTF-8; resolve it with as=binary');
  }
}

/** Converts a JSON value (or a selected part of one) to the requested type. */
function coerce(value: unknown, as: ValueType | undefined, origin: Origin): unknown {
  switch (as) {
    case undefined:
    case 'json':
      return deepFreeze(value);
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'list':
      if (typeof value === 'string') return Object.freeze(value.split(','));
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return deepFreeze(value);
      throw fail(origin, 'the value is neither a comma-separated string nor an array of strings');
    case 'binary':
      if (typeof value === 'string') return decodeBase64(value, origin);
      throw fail(origin, 'the value is not a base64 string, so it cannot be read as binary');
  }
}

/**
 * Derives the value a caller receives from a fetched raw value. `as` defaults to `string`, or to
 * `json` when there is a fragment or the raw value is an object (a whole SSM path).
 */
export function transform(
  raw: RawValue,
  as: ValueType | undefined,
  fragment: string | undefined,
  origin: Origin,
): unknown {
  if (raw instanceof Uint8Array) {
    if (as === 'binary' && fragment === undefined) return raw;
    return transform(asText(raw, origin), as, fragment, origin);
  }
  if (typeof raw === 'object') {
    return coerce(fragment === undefined ? raw : select(raw, fragment, origin), as, origin);
  }
  if (fragment === undefined && as !== 'json') {
    return coerce(raw, as ?? 'string', origin);
  }
  const document = parseJson(raw, origin);
  return coerce(fragment === undefined ? document : select(document, fragment, origin), as, origin);
}

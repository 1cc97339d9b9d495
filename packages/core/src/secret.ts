/**
 * `Secret<T>`: a value that does not print. `toString`, `toJSON`, template interpolation and
 * `util.inspect` give `[redacted]`; `reveal()` gives the value. The value is kept outside the object
 * (in a WeakMap), so spreading, `structuredClone`, `Object.entries` and `inspect` with `showHidden`
 * find nothing to show either.
 */
const VALUES = new WeakMap<object, unknown>();
const REDACTED = '[redacted]';

// A brand, not the prototype: an ESM and a CommonJS copy of this module (or two installed copies of one
// version) define different classes, and a Secret made by one must be a Secret for the other. `reveal()`
// works across copies already: it is a method of the instance's own class, which holds its value.
const BRAND: unique symbol = Symbol.for('secretref.secret') as never;

/**
 * A value that does not print: `String(secret)`, `JSON.stringify`, template interpolation and
 * `util.inspect` give `[redacted]`; {@link Secret.reveal | reveal()} gives the value. `loadConfigWith`
 * (and `loadConfig`) returns one for each `secret(ref)` of its spec.
 */
export class Secret<T = string> {
  constructor(value: T) {
    VALUES.set(this, value);
    // Not enumerable: spreading, `Object.entries` and `structuredClone` do not copy it.
    Object.defineProperty(this, BRAND, { value: true });
    Object.freeze(this);
  }

  /** Brand-based: true for a `Secret` made by any copy of secretref (ESM or CommonJS). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  /** Wraps a value (a `Secret` stays as it is). */
  static of<T>(value: T | Secret<T>): Secret<T> {
    return value instanceof Secret ? value : new Secret(value);
  }

  /** Is this a `Secret` (of any copy of secretref)? */
  static isSecret(value: unknown): value is Secret<unknown> {
    return value instanceof Secret;
  }

  /** The value. Call it where the value is used, not where it is passed around. */
  reveal(): T {
    return VALUES.get(this) as T;
  }

  /** `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** `[redacted]`, for `JSON.stringify`. */
  toJSON(): string {
    return REDACTED;
  }

  /** `[redacted]`, for template interpolation and `+`. */
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

// util.inspect's hook, defined outside the class body so that declarations can be emitted in isolation.
Object.defineProperty(Secret.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value: (): string => `Secret(${REDACTED})`,
});

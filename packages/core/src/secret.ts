/**
 * `Secret<T>`: a value that does not print. `toString`, `toJSON`, template interpolation and
 * `util.inspect` give `[redacted]`; `reveal()` gives the value. The value is kept outside the object
 * (in a WeakMap), so spreading, `structuredClone`, `Object.entries` and `inspect` with `showHidden`
 * find nothing to show either.
 */
const VALUES = new WeakMap<object, unknown>();
const REDACTED = '[redacted]';

export class Secret<T = string> {
  constructor(value: T) {
    VALUES.set(this, value);
    Object.freeze(this);
  }

  /** Wraps a value (a `Secret` stays as it is). */
  static of<T>(value: T | Secret<T>): Secret<T> {
    return value instanceof Secret ? value : new Secret(value);
  }

  /** Is this a `Secret`? */
  static isSecret(value: unknown): value is Secret<unknown> {
    return value instanceof Secret;
  }

  /** The value. Call it where the value is used, not where it is passed around. */
  reveal(): T {
    return VALUES.get(this) as T;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

// util.inspect's hook, defined outside the class body so that declarations can be emitted in isolation.
Object.defineProperty(Secret.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value: (): string => `Secret(${REDACTED})`,
});

/**
 * One error hierarchy for everything secretref throws. Every error carries a stable `code`, the
 * reference it is about (`ref`, never a value), whether it is `transient` (worth serving a stale
 * value for and retrying later), and the underlying failure as `cause` when there is one.
 *
 * Messages never contain secret values: they name the reference, the scheme and what to do.
 */

/** Stable machine-readable codes, one per error class. */
export type ErrorCode =
  | 'INVALID_REFERENCE'
  | 'UNKNOWN_SCHEME'
  | 'NOT_FOUND'
  | 'ACCESS_DENIED'
  | 'THROTTLED'
  | 'TIMEOUT'
  | 'DECRYPTION_FAILED'
  | 'INVALID_VALUE'
  | 'PROVIDER_ERROR'
  | 'RESOLVE_ALL_FAILED'
  | 'INVALID_OPTION'
  | 'INVALID_CONFIG'
  | 'WATCH_CALLBACK_FAILED'
  | 'DISPOSED';

/** What every error constructor accepts besides its message. */
export interface SecretrefErrorOptions {
  /** The reference as written or in canonical form. */
  ref?: string | undefined;
  /** The scheme, used as the message prefix (`[secretref] [ssm] ...`). */
  scheme?: string | undefined;
  /** The failure underneath (an SDK error, a file system error). Must never hold a secret value. */
  cause?: unknown;
}

function prefix(scheme: string | undefined): string {
  return scheme ? `[secretref] [${scheme}] ` : '[secretref] ';
}

// Brands, not prototypes: an ESM and a CommonJS copy of this module (or two installed copies of one
// version) define different classes, and `instanceof` must hold across them.
const BRAND: unique symbol = Symbol.for('secretref.error') as never;

/** Base class of every error secretref throws. */
export class SecretrefError extends Error {
  override readonly name: string = 'SecretrefError';
  /** Stable code for programmatic handling. */
  readonly code: ErrorCode;
  /** The reference this error is about, if any. Never a value. */
  readonly ref: string | undefined;
  /** The scheme of the provider the error is about (the message's `[ssm]` prefix), if any. */
  readonly scheme: string | undefined;
  /** The message without its `[secretref] [scheme] ` prefix, for tools that print their own. */
  readonly detail: string;
  /**
   * True for failures that may pass on their own (throttling, timeouts, 5xx, network): the resolver
   * serves a stale value through them and retries with backoff. False for not-found, access denied,
   * invalid input.
   */
  readonly transient: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: SecretrefErrorOptions & { readonly transient?: boolean | undefined } = {},
  ) {
    super(prefix(options.scheme) + message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.ref = options.ref;
    this.scheme = options.scheme;
    this.detail = message;
    this.transient = options.transient ?? false;
    Object.defineProperty(this, BRAND, { value: code });
  }

  /** Brand-based: true for a secretref error of this class made by any copy of secretref. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const code = (value as { [BRAND]?: unknown })[BRAND];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof, a subclass too
    const wanted = (this as { readonly code?: ErrorCode }).code;
    // The base class has no code of its own: every secretref error is one.
    return typeof code === 'string' && (wanted === undefined || wanted === code);
  }
}

/** The reference is malformed: bad syntax, an unknown or repeated parameter, a bad value. Thrown before any network call. */
export class InvalidReferenceError extends SecretrefError {
  static readonly code: ErrorCode = 'INVALID_REFERENCE';
  override readonly name: string = 'InvalidReferenceError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('INVALID_REFERENCE', message, options);
  }
}

// What may be quoted of input that is no reference of a known scheme: a short token that looks like a
// scheme name. Anything else may be a secret pasted in the wrong place.
// Lower-case letters (and - + .) only, 16 at most: digits, capitals and length are what secrets have.
const QUOTABLE_SCHEME = /^(?:arn:)?[a-z][a-z+.-]{0,15}$/;

/** No provider is registered for the reference's scheme. Thrown before any network call. */
export class UnknownSchemeError extends SecretrefError {
  static readonly code: ErrorCode = 'UNKNOWN_SCHEME';
  override readonly name: string = 'UnknownSchemeError';
  /** The scheme that no provider handles, when it is short and looks like a scheme name (else not kept). */
  override readonly scheme: string | undefined;
  constructor(scheme: string, known: readonly string[], options?: SecretrefErrorOptions) {
    const shown = QUOTABLE_SCHEME.test(scheme) ? scheme : undefined;
    super(
      'UNKNOWN_SCHEME',
      `${shown === undefined ? 'the reference starts with no registered scheme (what it starts with is not shown: it may be a secret)' : `unknown scheme "${shown}"`}; registered schemes: ${known.join(', ')}. Register a provider for it or fix the reference.`,
      options,
    );
    this.scheme = shown;
  }
}

/** The secret, parameter, version, label or stage does not exist. */
export class SecretNotFoundError extends SecretrefError {
  static readonly code: ErrorCode = 'NOT_FOUND';
  override readonly name: string = 'SecretNotFoundError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/** The caller's credentials are not allowed to read the secret (or to decrypt it). */
export class AccessDeniedError extends SecretrefError {
  static readonly code: ErrorCode = 'ACCESS_DENIED';
  override readonly name: string = 'AccessDeniedError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('ACCESS_DENIED', message, options);
  }
}

/** An option of `createResolver` or `resolve` is out of range (a negative TTL, an infinite timeout). */
export class InvalidOptionError extends SecretrefError {
  static readonly code: ErrorCode = 'INVALID_OPTION';
  override readonly name: string = 'InvalidOptionError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('INVALID_OPTION', message, options);
  }
}

/** The service throttled the request (after the resolver's retries, for a key with nothing to serve). Transient. */
export class ThrottledError extends SecretrefError {
  static readonly code: ErrorCode = 'THROTTLED';
  override readonly name: string = 'ThrottledError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('THROTTLED', message, { ...options, transient: true });
  }
}

/** The deadline (`timeoutMs`) passed before a value arrived. Transient. */
export class TimeoutError extends SecretrefError {
  static readonly code: ErrorCode = 'TIMEOUT';
  override readonly name: string = 'TimeoutError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('TIMEOUT', message, { ...options, transient: true });
  }
}

/** The value exists but could not be decrypted (KMS key, encryption context). */
export class DecryptionError extends SecretrefError {
  static readonly code: ErrorCode = 'DECRYPTION_FAILED';
  override readonly name: string = 'DecryptionError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('DECRYPTION_FAILED', message, options);
  }
}

/**
 * The value was fetched but cannot be turned into what was asked for: not JSON for `as: 'json'`,
 * a JSON key or pointer that is not there, not base64 for `as: 'binary'`, the wrong parameter type.
 * The message names the reference and the key, never the value.
 */
export class InvalidValueError extends SecretrefError {
  static readonly code: ErrorCode = 'INVALID_VALUE';
  override readonly name: string = 'InvalidValueError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('INVALID_VALUE', message, options);
  }
}

/** Anything else that failed underneath; the SDK error is the `cause`. Transient for 5xx and network failures. */
export class ProviderError extends SecretrefError {
  static readonly code: ErrorCode = 'PROVIDER_ERROR';
  override readonly name: string = 'ProviderError';
  constructor(message: string, options?: SecretrefErrorOptions & { transient?: boolean }) {
    super('PROVIDER_ERROR', message, options);
  }
}

/** The resolver was disposed: the call came after `dispose()`, or was in flight when it ran. */
export class DisposedError extends SecretrefError {
  static readonly code: ErrorCode = 'DISPOSED';
  override readonly name: string = 'DisposedError';
  constructor(message = 'this resolver was disposed', options?: SecretrefErrorOptions) {
    super('DISPOSED', message, options);
  }
}

/**
 * A `watch` callback (`onChange`) threw or rejected; `cause` is what it threw. The value it was
 * given is not taken as current, so the callback runs again on the next check.
 */
export class WatchCallbackError extends SecretrefError {
  static readonly code: ErrorCode = 'WATCH_CALLBACK_FAILED';
  override readonly name: string = 'WatchCallbackError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('WATCH_CALLBACK_FAILED', message, { ...options, transient: true });
  }
}

/** `resolveAll` failed for one or more keys; `errors` holds each key's error. */
export class ResolveAllError extends SecretrefError {
  static readonly code: ErrorCode = 'RESOLVE_ALL_FAILED';
  override readonly name: string = 'ResolveAllError';
  /** The error of every key that failed, by key. */
  readonly errors: Readonly<Record<string, SecretrefError>>;
  /** `total`: how many references there were, for the message (`2 of 5 references`). */
  constructor(errors: Record<string, SecretrefError>, total?: number) {
    // Each line once prefixed: the key, the code, the provider's scheme and the prefix-free detail.
    const lines = Object.entries(errors).map(
      ([key, error]) => `  ${key}: ${error.code}${error.scheme ? ` [${error.scheme}]` : ''} ${error.detail}`,
    );
    const of = total === undefined ? 'of the references' : `of ${total} references`;
    super('RESOLVE_ALL_FAILED', `${lines.length} ${of} could not be resolved:\n${lines.join('\n')}`);
    this.errors = errors;
  }
}

/** One problem a config schema found: where, and what (never a secret value). */
export interface ConfigIssue {
  /** The path in the config, dotted (`db.port`), or `""` for the whole config. */
  readonly path: string;
  readonly message: string;
}

/** `loadConfig`'s schema rejected the resolved config; `issues` lists every problem. */
export class ConfigError extends SecretrefError {
  static readonly code: ErrorCode = 'INVALID_CONFIG';
  override readonly name: string = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options?: Pick<SecretrefErrorOptions, 'cause'>) {
    const lines = issues.map((issue) => `  ${issue.path || '(config)'}: ${issue.message}`);
    super('INVALID_CONFIG', `the config does not match its schema:\n${lines.join('\n')}`, options);
    this.issues = issues;
  }
}

/** A stack frame: `at fn (file:///app.js:1:2)`, `at node:internal/...`, `at new X (/app.js:1:2)`. */
const FRAME =
  /^ {4}at (?:(?:async |new )?[\w$.<>[\] ]{1,200} \()?(?:file:\/\/|node:|\/|[A-Za-z]:\\|<anonymous>)[^()\n]{0,500}\)?$/;

/**
 * What may be kept of something thrown by code secretref called (a provider, a callback): its name,
 * and the stack's frames, but not its message unless `keepMessage` says it cannot hold a value (a
 * `JSON.parse` error quotes its input; an error may be built from a value).
 */
export function describeThrown(thrown: unknown, keepMessage: (message: string) => boolean = () => false): Error {
  const name = thrown instanceof Error && /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(thrown.name) ? thrown.name : 'Error';
  const message = thrown instanceof Error ? thrown.message : '';
  const kept = message !== '' && keepMessage(message);
  const description = new Error(
    kept
      ? message
      : `(${thrown instanceof Error ? 'its message' : 'what was thrown'} is withheld: it could hold a value)`,
  );
  description.name = name;
  // The frames say where it was thrown; the first lines of a stack repeat the message, which may
  // itself hold lines that look like frames: only lines of a code location are kept.
  const stack = thrown instanceof Error && typeof thrown.stack === 'string' ? thrown.stack : '';
  const frames = stack.split('\n').filter((line) => FRAME.test(line) && keepMessage(line));
  description.stack = [`${name}: ${description.message}`, ...frames].join('\n');
  const code = (thrown as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code)) Object.assign(description, { code });
  return description;
}

/** Wraps anything thrown into a SecretrefError, keeping SecretrefErrors as they are (and nothing of a message). */
export function toSecretrefError(error: unknown, ref: string, scheme: string): SecretrefError {
  if (error instanceof SecretrefError) return error;
  return new ProviderError(`resolving "${ref}" failed unexpectedly`, { ref, scheme, cause: describeThrown(error) });
}

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

/** Base class of every error secretref throws. */
export class SecretrefError extends Error {
  override readonly name: string = 'SecretrefError';
  /** Stable code for programmatic handling. */
  readonly code: ErrorCode;
  /** The reference this error is about, if any. Never a value. */
  readonly ref: string | undefined;
  /**
   * True for failures that may pass on their own (throttling, timeouts, 5xx, network): the resolver
   * serves a stale value through them and retries with backoff. False for not-found, access denied,
   * invalid input.
   */
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, options: SecretrefErrorOptions = {}, transient = false) {
    super(prefix(options.scheme) + message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.ref = options.ref;
    this.transient = transient;
  }
}

/** The reference is malformed: bad syntax, an unknown or repeated parameter, a bad value. Thrown before any network call. */
export class InvalidReferenceError extends SecretrefError {
  override readonly name: string = 'InvalidReferenceError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('INVALID_REFERENCE', message, options);
  }
}

/** No provider is registered for the reference's scheme. Thrown before any network call. */
export class UnknownSchemeError extends SecretrefError {
  override readonly name: string = 'UnknownSchemeError';
  /** The scheme that no provider handles. */
  readonly scheme: string;
  constructor(scheme: string, known: readonly string[], options?: SecretrefErrorOptions) {
    super(
      'UNKNOWN_SCHEME',
      `unknown scheme "${scheme}"; registered schemes: ${known.join(', ')}. Register a provider for it or fix the reference.`,
      options,
    );
    this.scheme = scheme;
  }
}

/** The secret, parameter, version, label or stage does not exist. */
export class SecretNotFoundError extends SecretrefError {
  override readonly name: string = 'SecretNotFoundError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/** The caller's credentials are not allowed to read the secret (or to decrypt it). */
export class AccessDeniedError extends SecretrefError {
  override readonly name: string = 'AccessDeniedError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('ACCESS_DENIED', message, options);
  }
}

/** An option of `createResolver` or `resolve` is out of range (a negative TTL, an infinite timeout). */
export class InvalidOptionError extends SecretrefError {
  override readonly name: string = 'InvalidOptionError';
  constructor(message: string) {
    super('INVALID_OPTION', message);
  }
}

/** The service throttled the request even after the SDK's retries. Transient. */
export class ThrottledError extends SecretrefError {
  override readonly name: string = 'ThrottledError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('THROTTLED', message, options, true);
  }
}

/** The deadline (`timeoutMs`) passed before a value arrived. Transient. */
export class TimeoutError extends SecretrefError {
  override readonly name: string = 'TimeoutError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('TIMEOUT', message, options, true);
  }
}

/** The value exists but could not be decrypted (KMS key, encryption context). */
export class DecryptionError extends SecretrefError {
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
  override readonly name: string = 'InvalidValueError';
  constructor(message: string, options?: SecretrefErrorOptions) {
    super('INVALID_VALUE', message, options);
  }
}

/** Anything else that failed underneath; the SDK error is the `cause`. Transient for 5xx and network failures. */
export class ProviderError extends SecretrefError {
  override readonly name: string = 'ProviderError';
  constructor(message: string, options?: SecretrefErrorOptions & { transient?: boolean }) {
    super('PROVIDER_ERROR', message, options, options?.transient ?? false);
  }
}

/** `resolveAll` failed for one or more keys; `errors` holds each key's error. */
export class ResolveAllError extends SecretrefError {
  override readonly name: string = 'ResolveAllError';
  /** The error of every key that failed, by key. */
  readonly errors: Readonly<Record<string, SecretrefError>>;
  constructor(errors: Record<string, SecretrefError>) {
    const lines = Object.entries(errors).map(([key, error]) => `  ${key}: ${error.code} ${error.message}`);
    super('RESOLVE_ALL_FAILED', `${lines.length} of the references could not be resolved:\n${lines.join('\n')}`);
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
  override readonly name: string = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  ${issue.path || '(config)'}: ${issue.message}`);
    super('INVALID_CONFIG', `the config does not match its schema:\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/** Wraps anything thrown into a SecretrefError, keeping SecretrefErrors as they are. */
export function toSecretrefError(error: unknown, ref: string, scheme: string): SecretrefError {
  if (error instanceof SecretrefError) return error;
  return new ProviderError(`resolving "${ref}" failed unexpectedly`, { ref, scheme, cause: error });
}

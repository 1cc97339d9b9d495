/**
 * `decryptEnvWith`: decrypts environment variables that hold bare base64 KMS ciphertexts, as the
 * Lambda console's encryption helpers and `aws kms encrypt` produce them, with a resolver that has
 * the KMS provider (`secretref`'s `decryptEnv` is this with the default resolver). Inside Lambda the
 * encryption context defaults to the console's, `{ LambdaFunctionName }`.
 */
import { lambdaEncryptionContext } from '@secretref/aws';
import {
  AccessDeniedError,
  checkOptions,
  DecryptionError,
  InvalidOptionError,
  InvalidReferenceError,
  InvalidValueError,
  ProviderError,
  ResolveAllError,
  type Resolver,
  SecretrefError,
  ThrottledError,
  TimeoutError,
} from '@secretref/core';

/** Options of `decryptEnvWith` (and `secretref`'s `decryptEnv`). */
export interface DecryptEnvOptions {
  /**
   * The encryption context every variable was encrypted with; `false` for none. @default inside
   * Lambda `{ LambdaFunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME }` (the console's), else none
   */
  readonly context?: Readonly<Record<string, string>> | false | undefined;
  /** Write the plaintexts back into the environment (only when every variable decrypted). @default true */
  readonly write?: boolean | undefined;
  /** The environment to read and write. @default process.env */
  readonly env?: Record<string, string | undefined> | undefined;
  /** Deadline for each variable, in ms. @default the resolver's */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

const DECRYPT_ENV_OPTIONS: ReadonlySet<string> = new Set(['context', 'write', 'env', 'timeoutMs', 'signal']);

/** Sets an own property: a variable named `__proto__` stays a variable. */
function define<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The AWS error name in a cause chain (`InvalidCiphertextException`), if any. */
function awsErrorName(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/^[A-Z][A-Za-z]+(Exception|Error)$/.test(e.name) && !(e instanceof SecretrefError)) return e.name;
  }
  return undefined;
}

const REASONS: Readonly<Record<string, string>> = {
  DECRYPTION_FAILED:
    'KMS could not decrypt it: the encryption context, the key or the value does not match (is it a ciphertext?)',
  ACCESS_DENIED:
    'access denied: the caller may not decrypt with this key (or an IAM condition on the encryption context did not match)',
  THROTTLED: 'KMS throttled the call',
  TIMEOUT: 'no answer from KMS within the deadline',
  INVALID_VALUE: 'the plaintext is not UTF-8 text',
  INVALID_REFERENCE: 'it does not hold a base64 ciphertext',
};

/**
 * The same kind of error, naming the variable. Built from the error's code and the AWS error name
 * only: its message and cause name the reference, which holds the variable's value, and a value
 * that is no ciphertext (a plaintext set by mistake) must never be shown.
 */
function forVariable(name: string, error: unknown, noContext: boolean): SecretrefError {
  const code = error instanceof SecretrefError ? error.code : 'PROVIDER_ERROR';
  const aws = awsErrorName(error);
  // Outside Lambda no context is sent by default, while a value encrypted for Lambda has one.
  const hint =
    code === 'DECRYPTION_FAILED' && noContext
      ? '; no encryption context was sent (outside Lambda there is none by default): pass { context } if it was encrypted with one'
      : '';
  const reason = (REASONS[code] ?? 'decryption failed') + hint;
  const message = `environment variable ${name}: ${reason}${aws ? ` (${aws})` : ''}`;
  const options = { ref: `env:${name}`, scheme: 'kms' };
  switch (code) {
    case 'DECRYPTION_FAILED':
      return new DecryptionError(message, options);
    case 'ACCESS_DENIED':
      return new AccessDeniedError(message, options);
    case 'THROTTLED':
      return new ThrottledError(message, options);
    case 'TIMEOUT':
      return new TimeoutError(message, options);
    case 'INVALID_REFERENCE':
      return new InvalidReferenceError(message, options);
    case 'INVALID_VALUE':
      return new InvalidValueError(message, options);
    default:
      return new ProviderError(message, {
        ...options,
        transient: error instanceof SecretrefError && error.transient,
      });
  }
}

// What decryptEnv wrote, per environment: calling it again (each warm invocation) returns these
// rather than sending the plaintexts to KMS as if they were ciphertexts.
const written = new WeakMap<object, Map<string, string>>();

/**
 * Decrypts the named environment variables with `resolver` (which has the KMS provider), in
 * parallel, and returns `{ NAME: plaintext }` (UTF-8). By default the plaintexts are written back
 * into the environment, and only when every variable decrypted. One failing variable rejects with
 * its typed error (`DecryptionError` for a wrong context or key) naming the variable, never the
 * value; several reject with a `ResolveAllError` keyed by variable.
 */
export async function decryptEnvWith(
  resolver: Pick<Resolver, 'resolve'>,
  names: readonly string[],
  options: DecryptEnvOptions = {},
): Promise<Record<string, string>> {
  if (typeof resolver?.resolve !== 'function') {
    throw new InvalidOptionError('decryptEnvWith takes a resolver (with the KMS provider) first');
  }
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string' || name === '')) {
    throw new InvalidOptionError('decryptEnv takes an array of environment variable names');
  }
  checkOptions(options, DECRYPT_ENV_OPTIONS, 'decryptEnv');
  const { env: given, context: pairs, timeoutMs, signal, write } = options;
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw new InvalidOptionError('option env of decryptEnv must be an object of variables, such as process.env');
  }
  if (
    pairs !== undefined &&
    pairs !== false &&
    (typeof pairs !== 'object' ||
      pairs === null ||
      Array.isArray(pairs) ||
      Object.values(pairs).some((value) => typeof value !== 'string' || value === ''))
  ) {
    throw new InvalidOptionError('option context of decryptEnv must map keys to non-empty strings, or be false');
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
    throw new InvalidOptionError('option timeoutMs of decryptEnv must be a finite number of ms >= 0');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidOptionError('option signal of decryptEnv must be an AbortSignal');
  }
  if (write !== undefined && typeof write !== 'boolean') {
    throw new InvalidOptionError('option write of decryptEnv must be true or false');
  }
  const env = options.env ?? process.env;
  const context = options.context === false ? {} : (options.context ?? lambdaEncryptionContext(env) ?? {});
  const query = Object.entries(context)
    .map(([key, value]) => `context.${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const unique = [...new Set(names)];
  const errors: Record<string, SecretrefError> = {};
  const refs: Record<string, string> = {};
  const done = written.get(env);
  const result: Record<string, string> = {};
  for (const name of unique) {
    const known = done?.get(name);
    if (known !== undefined && Object.hasOwn(env, name) && env[name] === known) {
      define(result, name, known);
      continue;
    }
    // Own variables only: `__proto__` or `toString` is a variable only when it was set as one.
    const raw = Object.hasOwn(env, name) ? env[name] : undefined;
    // Base64 wrapped over several lines (as some tools write it) is still one ciphertext.
    const value = typeof raw === 'string' ? raw.replace(/\s+/g, '') : undefined;
    if (!value) {
      define(errors, name, new InvalidOptionError(`environment variable ${name} is not set`));
    } else if (/^kms:/i.test(value)) {
      // What `secretref encrypt` prints without --raw: a reference, which loadEnv resolves.
      define(
        errors,
        name,
        new InvalidValueError(
          `environment variable ${name} holds a kms: reference, not a raw ciphertext: resolve it with loadEnv (or store the output of secretref encrypt --raw)`,
          { ref: `env:${name}`, scheme: 'kms' },
        ),
      );
    } else if (!BASE64.test(value)) {
      // Checked here, not left to the parser: a variable that holds a plaintext by mistake must never
      // be quoted back in an error.
      define(
        errors,
        name,
        new InvalidValueError(`environment variable ${name} does not hold a base64 ciphertext`, {
          ref: `env:${name}`,
          scheme: 'kms',
        }),
      );
    } else {
      define(refs, name, `kms:${value}${query ? `?${query}` : ''}`);
    }
  }
  const settled = await Promise.allSettled(
    Object.entries(refs).map(async ([name, ref]) => {
      const plaintext = await resolver.resolve(ref, {
        as: 'string',
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      return [name, plaintext as string] as const;
    }),
  );
  for (const [i, outcome] of settled.entries()) {
    const name = Object.keys(refs)[i] as string;
    if (outcome.status === 'fulfilled') define(result, name, outcome.value[1]);
    else define(errors, name, forVariable(name, outcome.reason, Object.keys(context).length === 0));
  }
  const failed = Object.keys(errors);
  if (failed.length === 1) throw errors[failed[0] as string];
  if (failed.length > 1) throw new ResolveAllError(errors, unique.length);
  if (options.write ?? true) {
    for (const [name, value] of Object.entries(result)) define(env, name, value);
    const record = written.get(env) ?? new Map<string, string>();
    for (const [name, value] of Object.entries(result)) record.set(name, value);
    written.set(env, record);
  }
  return result;
}

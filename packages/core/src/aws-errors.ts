/**
 * Maps AWS SDK v3 errors to the secretref hierarchy, shared by every AWS provider. It reads only
 * the error's shape (`name`, `$fault`, `$metadata`, `$retryable`, `code`), so the core does not
 * depend on the SDK.
 *
 * Leak safety: a response body that failed to parse can be a secret (a GetParameters answer), and
 * the SDK keeps it on the error (`$response`, `$responseBodyText`) and V8 quotes it in SyntaxError
 * messages. Such errors are replaced by a plain description before they become a `cause`. A service
 * exception keeps its `$response` (the SDK makes it non-configurable), but that is AWS's error body.
 */
import {
  AccessDeniedError,
  DecryptionError,
  ProviderError,
  SecretNotFoundError,
  type SecretrefError,
  ThrottledError,
  TimeoutError,
} from './errors.ts';

/** Service-specific error names of one AWS service. */
export interface AwsErrorNames {
  /** Errors that mean the secret, version or label does not exist. */
  readonly notFound: readonly string[];
  /** Errors that mean the value could not be decrypted. */
  readonly decryption?: readonly string[] | undefined;
}

/** Where the error happened, for the message. */
export interface AwsErrorContext {
  readonly ref: string;
  readonly scheme: string;
  /** `GetParameters`, `GetSecretValue`... */
  readonly operation: string;
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'TooManyUpdates',
  'ProvisionedThroughputExceededException',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);

/** True if `error` looks like a service's own answer (an `xxxException` with metadata), not a parse failure. */
function isServiceAnswer(error: SdkErrorShape): boolean {
  return (
    typeof error.$fault === 'string' &&
    error.$metadata !== undefined &&
    error.name !== 'SyntaxError' &&
    !('$responseBodyText' in error)
  );
}

/**
 * A cause that is safe to keep: the SDK error itself when it is the service's own answer (an error
 * body AWS wrote, which never holds a value) or a network failure, else a description of it with no
 * response body.
 */
function safeCause(error: unknown, serviceAnswer: boolean): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const shape = error as SdkErrorShape;
  if (serviceAnswer || NETWORK.has(String(shape.code)) || shape.name === 'AbortError') return error;
  if (
    !(error instanceof Error) ||
    error.name === 'SyntaxError' ||
    '$responseBodyText' in error ||
    '$response' in error
  ) {
    const status = shape.$metadata?.httpStatusCode;
    const description = new Error(
      `the response could not be read${status ? ` (HTTP ${status})` : ''}; its body is withheld because it may hold a secret`,
    );
    description.name = 'UnreadableResponse';
    return description;
  }
  return error;
}

function errorName(error: SdkErrorShape): string {
  return typeof error.name === 'string' ? error.name : 'Error';
}

/**
 * Maps an AWS SDK error for one reference to a typed secretref error.
 */
export function fromAwsError(error: unknown, names: AwsErrorNames, context: AwsErrorContext): SecretrefError {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = errorName(shape);
  const status = shape.$metadata?.httpStatusCode;
  const { ref, scheme, operation } = context;
  const serviceAnswer = isServiceAnswer(shape);
  const options = { ref, scheme, cause: safeCause(error, serviceAnswer) };
  const what = `${operation} for "${ref}"`;
  if (name === 'AbortError') return new TimeoutError(`${what} was aborted at its deadline`, options);
  if (names.notFound.includes(name))
    return new SecretNotFoundError(`${what}: ${name}; check the name, version and region`, options);
  if (names.decryption?.includes(name)) {
    return new DecryptionError(
      `${what}: ${name}; check the KMS key policy and the caller's kms:Decrypt permission`,
      options,
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return new AccessDeniedError(
      `${what}: ${name}; the caller's credentials may not read it (see the IAM permissions in the docs)`,
      options,
    );
  }
  if (THROTTLING.has(name) || shape.$retryable?.throttling === true) {
    return new ThrottledError(`${what} was throttled (${name}) after the SDK's retries`, options);
  }
  if (NETWORK.has(String(shape.code)) || NETWORK_NAMES.has(name)) {
    return new ProviderError(`${what} failed on the network (${String(shape.code ?? name)})`, {
      ...options,
      transient: true,
    });
  }
  if (name === 'CredentialsProviderError') {
    // Transient: the credential source (instance metadata, a container endpoint) can blip, and a
    // last good value is better served through that than dropped.
    return new ProviderError(`${what}: no AWS credentials were found (set AWS_PROFILE, AWS_ACCESS_KEY_ID or a role)`, {
      ...options,
      transient: true,
    });
  }
  const serverFault = shape.$fault === 'server' || (status !== undefined && status >= 500);
  const unreadable = !serviceAnswer;
  const detail = unreadable
    ? `an unreadable response${status ? ` (HTTP ${status})` : ''}`
    : `${name} (HTTP ${status ?? '?'})`;
  return new ProviderError(`${what} failed: ${detail}`, {
    ...options,
    transient: serverFault || (unreadable && status !== undefined),
  });
}

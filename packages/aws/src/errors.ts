/**
 * Maps AWS SDK v3 errors to the secretref hierarchy, shared by every AWS provider. It reads only
 * the error's shape (`name`, `message`, `$fault`, `$metadata`, `$retryable`, `code`), so the core does
 * not depend on the SDK.
 *
 * Leak safety: nothing can say what an error body holds. The SDK copies every field of a service's
 * error body onto its exception (`Value`, `message`...), keeps the body in `$response`, and V8 quotes
 * a body it failed to parse in the SyntaxError's message; a proxy or an emulator can write anything
 * there, in the error's name and headers too. So the SDK's error is never kept: the `cause` is a plain
 * Error built from a few checked fields (the name when it is quotable, `$fault`, the status, a request
 * id that is a UUID, the attempts, a known network code of an error without a response), and messages
 * quote a name only when it is quotable.
 */
import {
  AccessDeniedError,
  DecryptionError,
  ProviderError,
  SecretNotFoundError,
  type SecretrefError,
  ThrottledError,
  TimeoutError,
} from '@secretref/core';
import {
  deniedAction,
  NO_NAME,
  networkCode,
  type SdkErrorShape,
  SETUP,
  safeCause,
  safeMetadata,
  setupProblem,
  tlsCode,
} from './error-facts.ts';

/** Service-specific error names of one AWS service. */
export interface AwsErrorNames {
  /** Errors that mean the secret, version or label does not exist. */
  readonly notFound: readonly string[];
  /** Errors that mean the value could not be decrypted. */
  readonly decryption?: readonly string[] | undefined;
  /**
   * Every other error name the service documents (its API reference): quoted in messages and kept in
   * the cause as they are. Names outside every known list are quoted only when they are CamelCase
   * letters ending in Exception, Error or Fault. @default []
   */
  readonly known?: readonly string[] | undefined;
  /**
   * The IAM actions the provider calls (`ssm:GetParameters`): a denial's message is quoted for one of
   * them (or KMS's and STS's that a call needs), nothing else. A provider names its own, so that the
   * core holds no other service's name. @default []
   */
  readonly actions?: readonly string[] | undefined;
}

/** Where the error happened, for the message. */
export interface AwsErrorContext {
  readonly ref: string;
  readonly scheme: string;
  /** `GetParameters`, `GetSecretValue`... */
  readonly operation: string;
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
  // The rest of the SDK's own list (@smithy/service-error-classification): other services' names for
  // throttling, which a gateway or an emulator may send. Not LimitExceededException, which SSM,
  // Secrets Manager and KMS document for quotas on resources (writes only): waiting does not lift it.
  'ThrottledException',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
  'TransactionInProgressException',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);
/** The errors every AWS query and JSON service documents ("Common Errors"), and the SDK's own. */
const COMMON = new Set([
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ValidationError',
  'ValidationException',
  'InvalidAction',
  'InvalidParameterCombination',
  'InvalidParameterValue',
  'InvalidQueryParameter',
  'MalformedQueryString',
  'MissingAction',
  'MissingParameter',
  'NotAuthorized',
  'OptInRequired',
  'RequestExpired',
  'AbortError',
  'CredentialsProviderError',
  // Node's network errors (`read ECONNRESET`).
  'Error',
]);

/**
 * A name outside every known list is quoted only when it is CamelCase letters ending as AWS's
 * undocumented ones do (`...Exception`, `...Error`, `...Fault`). A name is what a response's `__type` or
 * `x-amzn-errortype` held, and a proxy or an emulator can put anything there: letters alone can be a
 * passphrase (`CorrectHorseBatteryStaple`).
 */
const QUOTABLE = /^[A-Z][A-Za-z]{1,60}(?:Exception|Error|Fault)$/;

/** The error's name if a message may quote it, else `undefined`. */
function quotableName(name: unknown, names: AwsErrorNames): string | undefined {
  if (typeof name !== 'string') return undefined;
  const known =
    ACCESS_DENIED.has(name) ||
    THROTTLING.has(name) ||
    NETWORK_NAMES.has(name) ||
    COMMON.has(name) ||
    names.notFound.includes(name) ||
    names.decryption?.includes(name) === true ||
    names.known?.includes(name) === true;
  return known || QUOTABLE.test(name) ? name : undefined;
}

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
 * Maps an AWS SDK error for one reference to a typed secretref error.
 */
export function fromAwsError(error: unknown, names: AwsErrorNames, context: AwsErrorContext): SecretrefError {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  // What the message and the cause may say of the name.
  const shown = quotableName(name, names);
  const metadata = safeMetadata(shape.$metadata);
  const status = metadata?.httpStatusCode;
  const { ref, scheme, operation } = context;
  const serviceAnswer = isServiceAnswer(shape);
  const options = { ref, scheme, cause: safeCause(error, shown) };
  const what = `${operation} for "${ref}"`;
  if (name === 'AbortError') return new TimeoutError(`${what} was aborted at its deadline`, options);
  const own = (error as { [SETUP]?: { detail: string; transient: boolean } } | null)?.[SETUP];
  if (own !== undefined)
    return new ProviderError(`${what} failed: ${own.detail}`, { ...options, transient: own.transient });
  // A 429 is throttling whatever its body says: a proxy's or a gateway's often names nothing.
  if (THROTTLING.has(name) || status === 429 || shape.$retryable?.throttling === true) {
    return new ThrottledError(`${what} was throttled (${shown ?? NO_NAME})`, options);
  }
  if (names.notFound.includes(name))
    return new SecretNotFoundError(`${what}: ${name}; check the name, version and region`, options);
  if (names.decryption?.includes(name)) {
    return new DecryptionError(
      `${what}: ${name}; check the KMS key policy and the caller's kms:Decrypt permission`,
      options,
    );
  }
  if (ACCESS_DENIED.has(name)) {
    const denied = deniedAction(shape.message, names.actions);
    return new AccessDeniedError(
      `${what}: ${name}; ${denied === undefined ? "the caller's credentials may not read it" : `the caller may not ${denied}`} (see the IAM permissions in the docs)`,
      options,
    );
  }
  const tls = tlsCode(shape, metadata);
  if (tls !== undefined) {
    // Not transient: a certificate does not heal by itself. Node reads NODE_EXTRA_CA_CERTS, and no
    // JavaScript transport reads AWS_CA_BUNDLE.
    return new ProviderError(
      `${what} failed: the endpoint's TLS certificate was refused (${tls}); for a private CA, set NODE_EXTRA_CA_CERTS`,
      options,
    );
  }
  const code = networkCode(shape, metadata);
  if (code !== undefined || NETWORK_NAMES.has(name)) {
    // The code is quoted only when it is one of the known ones: it can hold anything.
    return new ProviderError(`${what} failed on the network (${code ?? name})`, { ...options, transient: true });
  }
  if (name === 'CredentialsProviderError') {
    // Transient: the credential source (instance metadata, a container endpoint) can blip, and a
    // last good value is better served through that than dropped.
    return new ProviderError(`${what}: no AWS credentials were found (set AWS_PROFILE, AWS_ACCESS_KEY_ID or a role)`, {
      ...options,
      transient: true,
    });
  }
  const setup = setupProblem(shape);
  if (setup !== undefined) return new ProviderError(`${what} failed: ${setup}`, options);
  const unreadable = !serviceAnswer;
  if (unreadable && status === 403) {
    // IAM (and moto) deny with an XML body that a JSON protocol cannot read: still a denial, never
    // a blip to serve a last good value through.
    return new AccessDeniedError(
      `${what} was denied (HTTP 403, an answer that could not be read; its body is withheld); the caller's credentials may not read it (see the IAM permissions in the docs)`,
      options,
    );
  }
  const serverFault = shape.$fault === 'server' || (status !== undefined && status >= 500);
  // An error of the SDK's own, before any response (a middleware, the serializer).
  const local =
    unreadable &&
    status === undefined &&
    error instanceof Error &&
    name !== 'SyntaxError' &&
    !('$response' in error) &&
    !('$responseBodyText' in error);
  const detail =
    shown === undefined
      ? `${NO_NAME}${status ? ` (HTTP ${status})` : ''}`
      : local
        ? `no response from AWS (${shown})`
        : unreadable
          ? `an unreadable response${status ? ` (HTTP ${status})` : ''}`
          : `${shown} (HTTP ${status ?? '?'})`;
  return new ProviderError(`${what} failed: ${detail}`, {
    ...options,
    transient: serverFault || (unreadable && status !== undefined),
  });
}

/** The failure of one request: `fromAwsError` for it, as a fetch result. The one helper providers share. */
export function awsFailure(
  request: { readonly ref: string; readonly scheme: string },
  error: unknown,
  names: AwsErrorNames,
  operation: string,
): { readonly error: SecretrefError } {
  return { error: fromAwsError(error, names, { ref: request.ref, scheme: request.scheme, operation }) };
}

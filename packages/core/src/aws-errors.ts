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

/**
 * What an AWS error name looks like (`ThrottlingException`, `com.amazonaws.ssm#ParameterNotFound`).
 * Anything else is never quoted: a name is what a response's `__type` or header held, and a proxy or
 * an emulator can put anything there.
 */
const PLAUSIBLE_NAME = /^[A-Za-z][A-Za-z0-9.:#_-]{0,127}$/;
const NO_VALID_NAME = 'an error without a valid name';

function hasPlausibleName(error: SdkErrorShape): boolean {
  return typeof error.name === 'string' && PLAUSIBLE_NAME.test(error.name);
}

/** A `code` (Node's `ECONNRESET`, a service's own) is kept in a cause only when it looks like one too. */
function hasPlausibleCode(error: SdkErrorShape): boolean {
  const { code } = error;
  return code === undefined || typeof code === 'number' || (typeof code === 'string' && PLAUSIBLE_NAME.test(code));
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
 * A cause that is safe to keep: the SDK error itself when it is the service's own answer (an error
 * body AWS wrote, which never holds a value) or a network failure, else a description of it with no
 * response body.
 */
function safeCause(error: unknown, serviceAnswer: boolean): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const shape = error as SdkErrorShape;
  if ((typeof shape.name === 'string' && !hasPlausibleName(shape)) || !hasPlausibleCode(shape)) {
    const status = shape.$metadata?.httpStatusCode;
    const description = new Error(
      `an error without a valid name or code${status ? ` (HTTP ${status})` : ''}; its name, code and message are withheld`,
    );
    description.name = 'InvalidErrorName';
    return description;
  }
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

/** The variables the SDK reads an endpoint from that hold exactly `input` (the URL it failed to parse). */
function endpointVariables(input: unknown): string[] {
  return Object.keys(process.env).filter(
    (name) => (name === 'AWS_ENDPOINT_URL' || name.startsWith('AWS_ENDPOINT_URL_')) && process.env[name] === input,
  );
}

/**
 * A set-up mistake the SDK reports before sending anything (no region, a region that is no region,
 * an endpoint that is no URL): what is wrong and how to fix it. Not transient: it never heals by
 * itself. The endpoint is not quoted: say which setting, keep the message short.
 */
function setupProblem(error: SdkErrorShape): string | undefined {
  if (error.$metadata?.httpStatusCode !== undefined) return undefined;
  const message = typeof error.message === 'string' ? error.message : '';
  if (message.startsWith('Region is missing')) {
    return 'no AWS region is set; set AWS_REGION (or a region in the AWS profile) or add ?region=<region> to the reference';
  }
  if (message.startsWith('Region not accepted')) {
    return 'the region is not a valid AWS region; fix AWS_REGION (or the region in the AWS profile) or add ?region=<region> to the reference';
  }
  if (error.code === 'ERR_INVALID_URL') {
    const variables = endpointVariables((error as { input?: unknown }).input);
    return variables.length > 0
      ? `${variables.join(' and ')} ${variables.length > 1 ? 'are' : 'is'} not a valid URL; write it like http://localhost:4566, or unset it`
      : "the endpoint is not a valid URL; check AWS_ENDPOINT_URL, the profile's endpoint_url and the client's endpoint option";
  }
  return undefined;
}

/**
 * Maps an AWS SDK error for one reference to a typed secretref error.
 */
export function fromAwsError(error: unknown, names: AwsErrorNames, context: AwsErrorContext): SecretrefError {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = errorName(shape);
  // What the message may say of the name: only something that looks like an identifier.
  const shown = hasPlausibleName(shape) || typeof shape.name !== 'string' ? name : NO_VALID_NAME;
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
    return new ThrottledError(`${what} was throttled (${shown}) after the SDK's retries`, options);
  }
  if (NETWORK.has(String(shape.code)) || NETWORK_NAMES.has(name)) {
    // The code is quoted only when it is one of the known ones: it can hold anything.
    return new ProviderError(
      `${what} failed on the network (${NETWORK.has(String(shape.code)) ? String(shape.code) : name})`,
      {
        ...options,
        transient: true,
      },
    );
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
  const serverFault = shape.$fault === 'server' || (status !== undefined && status >= 500);
  const unreadable = !serviceAnswer;
  // An error of the SDK's own, before any response (a middleware, the serializer): its cause says why.
  const local = unreadable && status === undefined && options.cause === error && error instanceof Error;
  const detail =
    shown === NO_VALID_NAME
      ? `${NO_VALID_NAME}${status ? ` (HTTP ${status})` : ''}`
      : local
        ? `no response from AWS (${shown}; see the cause)`
        : unreadable
          ? `an unreadable response${status ? ` (HTTP ${status})` : ''}`
          : `${name} (HTTP ${status ?? '?'})`;
  return new ProviderError(`${what} failed: ${detail}`, {
    ...options,
    transient: serverFault || (unreadable && status !== undefined),
  });
}

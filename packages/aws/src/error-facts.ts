/**
 * What may be kept of an AWS SDK error, field by field: its metadata (a status, a request id that is a
 * UUID, the attempts), a known network code, the action of a denial, and what a set-up mistake means.
 * Nothing else of it is read: see errors.ts.
 */

/** The fields of an SDK error that are read. */
export interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown; attempts?: unknown };
  $retryable?: { throttling?: boolean };
}

export const NO_NAME = 'an error without a recognised name';
/** Node's network codes of an error without a response: quoted, and transient. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
]);
/** Node's codes of an endpoint certificate it refused: a set-up problem, the same on every transport. */
export const TLS_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The TLS code of an error without a response, if it is one of Node's certificate refusals. */
export function tlsCode(shape: SdkErrorShape, metadata: SafeMetadata | undefined): string | undefined {
  return metadata?.httpStatusCode === undefined && TLS_CODES.has(String(shape.code)) ? String(shape.code) : undefined;
}

/**
 * A set-up problem found by this package's own code (the fetch transport, its credential fetch):
 * what to do, and whether it may heal by itself. Read from the errors made here only (a symbol no
 * answer can carry).
 */
export const SETUP: unique symbol = Symbol('secretref.setup');

/** An error carrying a set-up problem; `name` as the SDK would name it (`CredentialsProviderError`). */
export function setupError(detail: string, options: { transient?: boolean; name?: string } = {}): Error {
  return Object.assign(new Error(detail), {
    name: options.name ?? 'Error',
    [SETUP]: { detail, transient: options.transient === true },
  });
}

/**
 * Node's network code of an error without a response. The SDK copies an error body's fields onto its
 * exception, so a `code` of an error with a status is only a body field.
 */
export function networkCode(shape: SdkErrorShape, metadata: SafeMetadata | undefined): string | undefined {
  const code = String(shape.code);
  // Node's HTTP parser's codes (HPE_HEADER_OVERFLOW...): an answer that is no HTTP, as a reset is.
  return metadata?.httpStatusCode === undefined && (NETWORK_CODES.has(code) || /^HPE_[A-Z_]{1,40}$/.test(code))
    ? code
    : undefined;
}

/** What `$metadata` may keep: a status, a request id that is a UUID, a count of attempts. */
export interface SafeMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
}

// SSM, Secrets Manager and KMS send UUIDs; a header of any other form (a proxy's) may hold anything.
const REQUEST_ID = /^[\da-f]{8}(?:-[\da-f]{4}){3}-[\da-f]{12}$/i;

export function safeMetadata(metadata: SdkErrorShape['$metadata']): SafeMetadata | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const { httpStatusCode, requestId, attempts } = metadata;
  const safe: SafeMetadata = {};
  if (Number.isInteger(httpStatusCode) && (httpStatusCode as number) >= 100 && (httpStatusCode as number) < 600) {
    safe.httpStatusCode = httpStatusCode as number;
  }
  if (typeof requestId === 'string' && REQUEST_ID.test(requestId)) safe.requestId = requestId;
  if (Number.isSafeInteger(attempts) && (attempts as number) >= 0) safe.attempts = attempts as number;
  return safe;
}

/**
 * The cause to keep: a plain Error built from checked fields only, never the SDK's error (its
 * message, the body's fields, `$response`), which may hold anything the answer held.
 */
export function safeCause(error: unknown, name: string | undefined): Error {
  if (typeof error !== 'object' || error === null) {
    return Object.assign(new Error('something that is no Error was thrown; it is withheld: it may hold a secret'), {
      name: 'NonError',
    });
  }
  const shape = error as SdkErrorShape;
  const metadata = safeMetadata(shape.$metadata);
  const code =
    networkCode(shape, metadata) ??
    tlsCode(shape, metadata) ??
    (shape.code === 'ERR_INVALID_URL' ? shape.code : undefined);
  const fault = shape.$fault === 'client' || shape.$fault === 'server' ? shape.$fault : undefined;
  const facts = [
    code,
    metadata?.httpStatusCode === undefined ? undefined : `HTTP ${metadata.httpStatusCode}`,
    metadata?.requestId === undefined ? undefined : `request id ${metadata.requestId}`,
  ].filter((fact) => fact !== undefined);
  const cause = new Error(
    `${name ?? NO_NAME}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}; its message, body and other fields are withheld: they may hold a secret`,
  );
  cause.name = name ?? 'AwsError';
  return Object.assign(
    cause,
    code === undefined ? {} : { code },
    fault === undefined ? {} : { $fault: fault },
    metadata === undefined ? {} : { $metadata: metadata },
  );
}

// AWS's standard wording of a denial: "User: arn:... is not authorized to perform: ssm:GetParameters
// on resource: arn:aws:ssm:...:parameter/app/db because ...". Only the action is kept, when it is one
// the provider calls (its own list), or one of KMS or STS that a call needs; the resource is not (a name
// can be anything, and the caller knows which reference failed), nor anything else of the message. Any
// other text in its place is not quoted: letters alone can be a passphrase.
const DENIAL = /is not authorized to perform: (\S{1,80}) on resource: /;
const MAX_MESSAGE = 4096;
// What a call of any service may need besides its own: a customer managed key, a role to assume.
const SHARED_ACTIONS = ['kms:Decrypt', 'sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession'];

/** What the caller may not do, from an access-denied message: `ssm:GetParameters`, if it is one of `actions`. */
export function deniedAction(message: unknown, actions: readonly string[] = []): string | undefined {
  const action = typeof message === 'string' ? DENIAL.exec(message.slice(0, MAX_MESSAGE))?.[1] : undefined;
  return action !== undefined && (actions.includes(action) || SHARED_ACTIONS.includes(action)) ? action : undefined;
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
export function setupProblem(error: SdkErrorShape): string | undefined {
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

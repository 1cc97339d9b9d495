/**
 * The two AppConfigData operations over restJson1, as the SDK's model (schemas_0) and the API reference describe
 * them: sessions, single-use tokens valid 24 hours, the enforced poll interval ("Request too early"), the empty
 * answer when nothing changed, and AWS's error shapes. The doc comment of start.ts
 * says which details are documented and which are inferred.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfigStore, NotFound, Target } from './store.ts';
import { type Json, parseObject } from './wire.ts';

export type DataPlaneOperation = 'StartConfigurationSession' | 'GetLatestConfiguration';

/** One data-plane request, as the emulator answered it. */
export interface DataPlaneCall {
  readonly operation: DataPlaneOperation;
  readonly status: number;
  /** The error code (`x-amzn-errortype`) of a failed call. */
  readonly error?: string;
}

/** What an operation answers: a success, or a restJson1 error. */
export type Answer =
  | { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Uint8Array | string }
  | { readonly status: number; readonly code: string; readonly members: Json };

interface Session {
  readonly target: Target;
  readonly intervalS: number;
  /** The version number last answered in full; undefined before the first answer. */
  lastVersion: number | undefined;
  lastPollAt: number | undefined;
}
interface Token {
  readonly session: Session;
  readonly issuedAt: number;
  used: boolean;
}

/** One emulator's data-plane state. */
export interface DataPlane {
  readonly store: AppConfigStore;
  readonly now: () => number;
  readonly region: string;
  readonly enforcePollInterval: boolean;
  readonly tokens: Map<string, Token>;
  readonly faults: { throttle: number; fail: number };
  sessions: number;
}

/** "To support long poll use cases, the tokens are valid for up to 24 hours." */
const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** The interval a session gets without RequiredMinimumPollIntervalInSeconds. */
const DEFAULT_INTERVAL_S = 60;
const MIN_INTERVAL_S = 15;
const MAX_INTERVAL_S = 86_400;
const EMPTY = new Uint8Array(0);

const error = (status: number, code: string, members: Json): Answer => ({ status, code, members });

/** The wording of AWS's request validation ("1 validation error detected: ..."). */
const validation = (value: unknown, member: string, constraint: string): Answer =>
  error(400, 'BadRequestException', {
    Message: `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
  });

const badToken = (message: string, problem: 'Corrupted' | 'Expired' | 'PollIntervalNotSatisfied'): Answer =>
  error(400, 'BadRequestException', {
    Message: message,
    Reason: 'InvalidParameters',
    Details: { InvalidParameters: { ConfigurationToken: { Problem: problem } } },
  });

const notFound = (missing: NotFound): Answer =>
  error(404, 'ResourceNotFoundException', {
    Message: missing.message,
    ResourceType: missing.resourceType,
    ReferencedBy: missing.referencedBy,
  });

/** Which operation a request is, by method and path (the SDK's `http` traits); undefined: none. */
export function operationOf(method: string | undefined, pathname: string): DataPlaneOperation | undefined {
  if (method === 'POST' && pathname === '/configurationsessions') return 'StartConfigurationSession';
  if (method === 'GET' && pathname === '/configuration') return 'GetLatestConfiguration';
  return undefined;
}

/**
 * The signature is not verified, only its presence and its credential scope, as the front end would refuse them:
 * 403 with AWS's usual codes for a missing token and a wrongly scoped credential.
 */
export function authError(req: IncomingMessage, region: string): Answer | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('AWS4-HMAC-SHA256 '))
    return error(403, 'MissingAuthenticationTokenException', { message: 'Missing Authentication Token' });
  const scope = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(auth);
  if (!scope)
    return error(403, 'IncompleteSignatureException', {
      message: "Authorization header requires 'Credential' parameter.",
    });
  if (scope[2] !== 'appconfig')
    return error(403, 'InvalidSignatureException', {
      message: "Credential should be scoped to correct service: 'appconfig'. ",
    });
  if (scope[1] !== region)
    return error(403, 'InvalidSignatureException', { message: 'Credential should be scoped to a valid region. ' });
  return undefined;
}

/** The next fault switched on, if any: throttling first. */
export function faultAnswer(plane: DataPlane): Answer | undefined {
  if (plane.faults.throttle > 0) {
    plane.faults.throttle--;
    return error(429, 'ThrottlingException', { Message: 'Rate exceeded' });
  }
  if (plane.faults.fail > 0) {
    plane.faults.fail--;
    return error(500, 'InternalServerException', { Message: 'An internal error occurred' });
  }
  return undefined;
}

/** Tokens are 64 random bytes: opaque, and not guessable from earlier ones. */
function issueToken(plane: DataPlane, session: Session): string {
  const token = randomBytes(64).toString('base64url');
  plane.tokens.set(token, { session, issuedAt: plane.now(), used: false });
  return token;
}

function identifier(input: Json, name: string, member: string): string | Answer {
  const value = input[name];
  if (typeof value !== 'string') return validation(value, member, 'Member must not be null');
  if (value.length < 1 || value.length > 128)
    return validation(value, member, 'Member must have length between 1 and 128');
  return value;
}

export function startConfigurationSession(plane: DataPlane, body: Buffer): Answer {
  const input = parseObject(body);
  if (!input) return error(400, 'BadRequestException', { Message: 'Request body is not a JSON object' });
  const application = identifier(input, 'ApplicationIdentifier', 'applicationIdentifier');
  if (typeof application !== 'string') return application;
  const environment = identifier(input, 'EnvironmentIdentifier', 'environmentIdentifier');
  if (typeof environment !== 'string') return environment;
  const profile = identifier(input, 'ConfigurationProfileIdentifier', 'configurationProfileIdentifier');
  if (typeof profile !== 'string') return profile;
  const interval = input.RequiredMinimumPollIntervalInSeconds ?? DEFAULT_INTERVAL_S;
  const member = 'requiredMinimumPollIntervalInSeconds';
  if (typeof interval !== 'number' || !Number.isInteger(interval))
    return validation(interval, member, 'Member must be an integer');
  if (interval < MIN_INTERVAL_S)
    return validation(interval, member, `Member must have value greater than or equal to ${MIN_INTERVAL_S}`);
  if (interval > MAX_INTERVAL_S)
    return validation(interval, member, `Member must have value less than or equal to ${MAX_INTERVAL_S}`);
  const target = plane.store.resolve(application, environment, profile);
  if ('resourceType' in target) return notFound(target);
  plane.sessions++;
  const session: Session = { target, intervalS: interval, lastVersion: undefined, lastPollAt: undefined };
  const json = JSON.stringify({ InitialConfigurationToken: issueToken(plane, session) });
  return { status: 201, headers: { 'content-type': 'application/json' }, body: json };
}

export function getLatestConfiguration(plane: DataPlane, url: URL): Answer {
  const token = url.searchParams.get('configuration_token');
  if (token === null || token === '') return validation(undefined, 'configurationToken', 'Member must not be null');
  const entry = plane.tokens.get(token);
  const now = plane.now();
  if (!entry) return badToken('Invalid configuration token', 'Corrupted');
  if (now - entry.issuedAt >= TOKEN_TTL_MS) return badToken('Configuration token has expired', 'Expired');
  if (entry.used) return badToken('Configuration token has already been used', 'Corrupted');
  const session = entry.session;
  // Observed on AWS: a poll before the interval is a BadRequestException "Request too early"; the token stays usable.
  if (
    plane.enforcePollInterval &&
    session.lastPollAt !== undefined &&
    now < session.lastPollAt + session.intervalS * 1000
  )
    return badToken('Request too early', 'PollIntervalNotSatisfied');
  const version = plane.store.deployed(session.target);
  if ('resourceType' in version) return notFound(version);
  entry.used = true;
  session.lastPollAt = now;
  const changed = version.number !== session.lastVersion;
  session.lastVersion = version.number;
  const headers: Record<string, string> = {
    'content-type': version.contentType,
    'next-poll-configuration-token': issueToken(plane, session),
    'next-poll-interval-in-seconds': String(session.intervalS),
  };
  if (changed) {
    if (version.label !== undefined) headers['version-label'] = version.label;
    // Not in the model (the SDK ignores it): the number the agent reports as Configuration-Version (inferred).
    headers['configuration-version'] = String(version.number);
  }
  return { status: 200, headers, body: changed ? version.served : EMPTY };
}

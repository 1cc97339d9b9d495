/**
 * Credentials for the `fetch` and `agent` transports, loaded the way the SDK's chain starts: keys in
 * the environment, else the ECS/EKS container credentials endpoint, else the SDK's whole chain
 * (`@aws-sdk/credential-provider-node`: profiles, SSO, web identity, instance metadata), imported only
 * then. What a failure says is shaped as the SDK's `CredentialsProviderError`, which errors.ts maps.
 */
import { readFile } from 'node:fs/promises';
import { setupError } from '../error-facts.ts';
import { readCapped } from './body.ts';
import type { AwsEnv } from './types.ts';

/** AWS credentials, with their expiry (ms since the epoch) when they have one. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration?: Date | undefined;
}

/** Gives the current credentials (refreshed before they expire). */
export type CredentialSource = () => Promise<AwsCredentials>;

/** Refresh this long before credentials expire, as the SDK does. */
const EARLY_MS = 300_000;
const CONTAINER_HOST = 'http://169.254.170.2';
/** Hosts a plain-http container endpoint may name (the SDK's list): loopback, ECS and EKS. */
const ALLOWED_HTTP = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|169\.254\.170\.2|169\.254\.170\.23|\[fd00:ec2::23\])$/;
const CONTAINER_TIMEOUT_MS = 1000;
/** Credentials are a few hundred bytes: a larger answer is not read. */
const MAX_CREDENTIALS_BYTES = 64 * 1024;
// Not a literal: bundlers leave the SDK's chain out; it is needed only where the environment has no keys.
const CHAIN = '@aws-sdk/credential-provider-node';

/** A credentials problem of ours, said as it is; transient when the endpoint may answer next time. */
function credentialsError(message: string, transient = false): Error {
  return setupError(message, { transient, name: 'CredentialsProviderError' });
}

/** Does the environment hold credentials the transports read without the SDK (keys, a container endpoint)? */
export function hasEnvCredentials(env: AwsEnv): boolean {
  return (
    (Boolean(env.AWS_ACCESS_KEY_ID) && Boolean(env.AWS_SECRET_ACCESS_KEY)) ||
    Boolean(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) ||
    Boolean(env.AWS_CONTAINER_CREDENTIALS_FULL_URI)
  );
}

/** The container endpoint's URL, checked as the SDK checks it (https, or http on a known host). */
function containerUrl(env: AwsEnv): URL {
  const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
  let url: URL;
  try {
    url = new URL(relative ? `${CONTAINER_HOST}${relative}` : (env.AWS_CONTAINER_CREDENTIALS_FULL_URI as string));
  } catch {
    throw credentialsError(
      `${relative ? 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI' : 'AWS_CONTAINER_CREDENTIALS_FULL_URI'} is not a valid URL`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ALLOWED_HTTP.test(url.hostname))) {
    throw credentialsError(
      'AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on loopback or the ECS/EKS endpoint',
    );
  }
  return url;
}

async function fromContainer(env: AwsEnv): Promise<AwsCredentials> {
  const url = containerUrl(env);
  const file = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
  let token: string | undefined;
  try {
    token = file ? (await readFile(file, 'utf8')).trim() : env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  } catch {
    // The path is not quoted: the message says which setting to check.
    throw credentialsError('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE cannot be read');
  }
  let body: Record<string, unknown>;
  try {
    const response = await fetch(url, {
      headers: token ? { Authorization: token } : {},
      signal: AbortSignal.timeout(CONTAINER_TIMEOUT_MS),
      // A redirect is not followed: it could lead past the host check above.
      redirect: 'manual',
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await readCapped(response, MAX_CREDENTIALS_BYTES);
    body = JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    // The endpoint's answer is not quoted: it may hold anything.
    throw credentialsError('the container credentials endpoint gave no credentials', true);
  }
  const { AccessKeyId, SecretAccessKey, Token, Expiration } = body ?? {};
  if (typeof AccessKeyId !== 'string' || typeof SecretAccessKey !== 'string') {
    throw credentialsError('the container credentials endpoint gave no credentials', true);
  }
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    sessionToken: typeof Token === 'string' ? Token : undefined,
    expiration: typeof Expiration === 'string' ? new Date(Expiration) : undefined,
  };
}

/** Memoizes a source until shortly before its credentials expire; a failure is not remembered. */
function memoize(load: () => Promise<AwsCredentials>): CredentialSource {
  let current: Promise<AwsCredentials> | undefined;
  let expires = Number.POSITIVE_INFINITY;
  return () => {
    if (current === undefined || Date.now() >= expires - EARLY_MS) {
      const loading = load();
      current = loading;
      expires = Number.POSITIVE_INFINITY;
      loading.then(
        (credentials) => {
          if (current === loading) expires = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
        },
        () => {
          if (current === loading) current = undefined;
        },
      );
    }
    return current;
  };
}

/** The SDK's provider type: an object, or a function that resolves to one. */
export type GivenCredentials = AwsCredentials | (() => Promise<AwsCredentials>);

/**
 * The credential source for `env`: `given` (a client config's `credentials`) first, then keys, the
 * container endpoint, and the SDK's chain. Rejects when the chain is needed and cannot be loaded.
 */
export async function credentialSource(env: AwsEnv, given?: GivenCredentials): Promise<CredentialSource> {
  if (typeof given === 'function') return memoize(given);
  if (given !== undefined) return () => Promise.resolve(given);
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN } = env;
  if (accessKeyId && secretAccessKey) {
    const keys = { accessKeyId, secretAccessKey, sessionToken: AWS_SESSION_TOKEN || undefined };
    return () => Promise.resolve(keys);
  }
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    return memoize(() => fromContainer(env));
  }
  const chain = (await import(CHAIN)) as { defaultProvider: () => () => Promise<AwsCredentials> };
  return memoize(chain.defaultProvider());
}

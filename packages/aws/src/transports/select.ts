/**
 * Which transport a provider uses: the `transport` option, else `SECRETREF_AWS_TRANSPORT`, else
 * `auto`. `auto` picks `fetch` when the environment holds everything it needs (keys or a container
 * credentials endpoint, a region, no profile, no CA bundle) and the caller configured no client;
 * else `sdk`. `agent` only when asked for, with the transport `auto` would pick behind it.
 */
import { InvalidOptionError } from '@secretref/core';
import type { AwsClient, AwsClientOptions, AwsClientPool } from '../clients.ts';
import { agentTransport } from './agent.ts';
import { hasEnvCredentials } from './credentials.ts';
import { type FetchTransportOptions, fetchTransport } from './fetch.ts';
import { sdkPool, sdkTransport } from './sdk.ts';
import type { AwsEnv, AwsService, AwsTransport, SdkBinding, TransportChoice, TransportName } from './types.ts';

/** The options of an AWS provider that choose and configure its transport. */
export interface TransportOptions<Client, Config> extends AwsClientOptions<Client, Config> {
  /**
   * How calls are sent: `sdk` (the SDK v3 client), `fetch` (signed `fetch`, no SDK module), `agent`
   * (AWS's local cache on localhost: the Parameters and Secrets Lambda Extension, the Secrets Manager
   * Agent), or `auto`. See docs/providers/transports.md. @default SECRETREF_AWS_TRANSPORT, else 'auto'
   */
  readonly transport?: TransportChoice | undefined;
}

const CHOICES: readonly TransportChoice[] = ['auto', 'sdk', 'fetch', 'agent'];
/** What the `fetch` transport reads of a `clientConfig`. */
const FETCH_CONFIG = ['endpoint', 'region', 'credentials'];

function choice(value: unknown, where: string): TransportChoice {
  if (CHOICES.includes(value as TransportChoice)) return value as TransportChoice;
  // The value is not quoted: an environment variable can hold anything.
  throw new InvalidOptionError(`${where} must be one of ${CHOICES.join(', ')}`);
}

/** Why `auto` does not pick `fetch` here, or `undefined` when it does. */
export function fetchUnsuitable(options: AwsClientOptions<unknown, unknown>, env: AwsEnv): string | undefined {
  if (options.client !== undefined || options.clientFor !== undefined) return 'a client is given';
  if (options.clientConfig !== undefined) return 'a clientConfig is given';
  if (!hasEnvCredentials(env)) return 'no credentials in the environment';
  if (!env.AWS_REGION) return 'no AWS_REGION';
  if (env.AWS_PROFILE) return 'AWS_PROFILE is set';
  if (env.AWS_CA_BUNDLE) return 'AWS_CA_BUNDLE is set';
  return undefined;
}

/** What the options and the environment choose: the direct transport, the agent in front of it or not, and why. */
export interface TransportChoiceMade {
  /** The transport that sends what the agent does not serve (all of it without the agent). */
  readonly direct: Exclude<TransportName, 'agent'>;
  /** The agent first (`agent` was asked for). */
  readonly agent: boolean;
  /** Why, in a few words: `auto: keys and a region in the environment`, `auto: AWS_PROFILE is set`... */
  readonly reason: string;
}

/** The transport the options and the environment choose (docs/providers/transports.md has the table). */
export function chooseTransport(
  options: TransportOptions<unknown, unknown>,
  env: AwsEnv,
  hasSdk: boolean,
): TransportChoiceMade {
  const given = options.transport !== undefined;
  const fromEnv = !given && Boolean(env.SECRETREF_AWS_TRANSPORT);
  const wanted = given
    ? choice(options.transport, 'the transport option')
    : fromEnv
      ? choice(env.SECRETREF_AWS_TRANSPORT, 'SECRETREF_AWS_TRANSPORT')
      : 'auto';
  const injected = options.client !== undefined || options.clientFor !== undefined;
  if (given && wanted === 'sdk' && !hasSdk) {
    throw new InvalidOptionError('this provider is built without the SDK: use transport fetch or agent');
  }
  if (injected) {
    // An injected client always means the SDK; asking for another transport beside it is a mistake.
    if (given && wanted !== 'sdk' && wanted !== 'auto') {
      throw new InvalidOptionError(`a client (or clientFor) is an SDK client: it cannot go with transport ${wanted}`);
    }
    if (!hasSdk) throw new InvalidOptionError('this provider is built without the SDK: it takes no client');
    return { direct: 'sdk', agent: false, reason: 'an SDK client is given' };
  }
  const agent = wanted === 'agent';
  const asked = given ? 'the transport option' : 'SECRETREF_AWS_TRANSPORT';
  if (!hasSdk) return { direct: 'fetch', agent, reason: 'a provider built without the SDK' };
  if (wanted === 'fetch' || wanted === 'sdk') return { direct: wanted, agent, reason: `${asked} says ${wanted}` };
  const unsuitable = fetchUnsuitable(options, env);
  const auto = unsuitable === undefined ? 'auto: credentials and a region in the environment' : `auto: ${unsuitable}`;
  return {
    direct: unsuitable === undefined ? 'fetch' : 'sdk',
    agent,
    reason: agent ? `${asked} says agent; ${auto}` : auto,
  };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

function isCredentials(value: unknown): boolean {
  const { accessKeyId, secretAccessKey } = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  return typeof accessKeyId === 'string' && accessKeyId !== '' && typeof secretAccessKey === 'string';
}

/** The `fetch` transport's options from a `clientConfig`: only what it can honour, else a clear error. */
function fetchOptions(config: object | undefined, env: AwsEnv): FetchTransportOptions {
  const given = (config ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !FETCH_CONFIG.includes(key));
  if (unknown.length > 0) {
    throw new InvalidOptionError(
      `the fetch transport reads only ${FETCH_CONFIG.join(', ')} of clientConfig, not ${unknown
        .slice(0, 5)
        .map((key) => key.slice(0, 40))
        .join(', ')}: use transport sdk for those`,
    );
  }
  const { endpoint, region, credentials } = given;
  if (endpoint !== undefined && !(typeof endpoint === 'string' && isHttpUrl(endpoint))) {
    throw new InvalidOptionError('the fetch transport takes clientConfig.endpoint as an http or https URL string');
  }
  if (credentials !== undefined && typeof credentials !== 'function' && !isCredentials(credentials)) {
    throw new InvalidOptionError(
      'the fetch transport takes clientConfig.credentials as { accessKeyId, secretAccessKey, sessionToken? } or a function that gives them',
    );
  }
  if (region !== undefined && typeof region !== 'string') {
    throw new InvalidOptionError('the fetch transport takes clientConfig.region as a string');
  }
  return { env, endpoint, region, credentials: credentials as FetchTransportOptions['credentials'] };
}

/** What `awsTransport` takes besides the provider's options. */
export interface TransportParts<Client, Sdk> {
  /** The environment. @default process.env */
  readonly env?: AwsEnv | undefined;
  /** The pool of the binding that the `sdk` transport shares (KMS's, whose envelopes need a client). */
  readonly pool?: AwsClientPool<Client, Sdk> | undefined;
  /**
   * A layer over the direct transport, under the agent: operations of the provider's own that it
   * sends as the service's (AppConfig's sessions: `GetConfiguration` as a session's polls).
   */
  readonly layer?: ((direct: AwsTransport) => AwsTransport) | undefined;
}

/**
 * Creates the transport a provider's options choose. `binding` is absent in a provider built without
 * the SDK.
 */
export function awsTransport<Client extends AwsClient, Sdk>(
  service: AwsService,
  binding: SdkBinding<Client, Sdk> | undefined,
  options: TransportOptions<Client, object>,
  { env = process.env, pool, layer }: TransportParts<Client, Sdk> = {},
): AwsTransport {
  const { direct, agent } = chooseTransport(options, env, binding !== undefined);
  const sent =
    direct === 'sdk'
      ? sdkTransport(pool ?? sdkPool(binding as SdkBinding<Client, Sdk>, options))
      : fetchTransport(service, fetchOptions(options.clientConfig, env));
  const transport = layer ? layer(sent) : sent;
  return agent ? agentTransport(service, transport, env) : transport;
}

/**
 * `awsEndpoint` (of @secretref/aws, with each provider's service description and its rule-set
 * exceptions) against the SDK's own endpoint resolution: each client is built with the environment of a
 * case (it reads it itself) and a request handler that captures the request and throws; the URL it would
 * have posted to, or the fact that it threw, must be what `awsEndpoint` answers. No expectation is written
 * by hand.
 */

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfigDataClient, StartConfigurationSessionCommand } from '@aws-sdk/client-appconfigdata';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { APPCONFIG_SERVICE } from '@secretref/appconfig';
import { awsEndpoint, type EndpointService } from '@secretref/aws';
import { KMS_SERVICE } from '@secretref/kms';
import { SECRETS_MANAGER_SERVICE } from '@secretref/secrets-manager';
import { SSM_SERVICE } from '@secretref/ssm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface CapturedRequest {
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number | undefined;
  readonly path: string;
}

class Captured extends Error {
  readonly request: CapturedRequest;
  constructor(request: CapturedRequest) {
    super('request captured');
    this.request = request;
  }
}

/** What the client options of every case share: no credential chain, no retry, no network. */
function options(region: string) {
  const requestHandler = {
    handle: async (request: CapturedRequest) => {
      throw new Captured(request);
    },
  };
  return {
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: requestHandler as never,
  };
}

/** A client and one call of it; `path`: the REST operation's path, which the fetch transport appends to the endpoint. */
const CLIENTS: readonly {
  service: EndpointService;
  send: (region: string) => Promise<unknown>;
  path?: string;
}[] = [
  {
    service: SSM_SERVICE,
    send: (region) => new SSMClient(options(region)).send(new GetParameterCommand({ Name: '/a' })),
  },
  {
    service: SECRETS_MANAGER_SERVICE,
    send: (region) => new SecretsManagerClient(options(region)).send(new GetSecretValueCommand({ SecretId: 'a' })),
  },
  {
    service: KMS_SERVICE,
    send: (region) => new KMSClient(options(region)).send(new ListKeysCommand({})),
  },
  {
    service: APPCONFIG_SERVICE,
    send: (region) =>
      new AppConfigDataClient(options(region)).send(
        new StartConfigurationSessionCommand({
          ApplicationIdentifier: 'a',
          EnvironmentIdentifier: 'e',
          ConfigurationProfileIdentifier: 'p',
        }),
      ),
    path: '/configurationsessions',
  },
];

/** A URL, or how it failed: a `new URL` TypeError with its input, or another Error. */
type Outcome = { readonly url: string } | { readonly error: string };

function failure(error: unknown): Outcome {
  const { name, code, input } = error as { name?: unknown; code?: unknown; input?: unknown };
  if (code === 'ERR_INVALID_URL') return { error: `${String(name)} ${code} ${String(input)}` };
  return { error: error instanceof Error && !(error instanceof TypeError) ? 'Error' : `unexpected ${String(name)}` };
}

async function sdkOutcome(send: (region: string) => Promise<unknown>, region: string): Promise<Outcome> {
  try {
    await send(region);
    return { error: 'the request handler was not called' };
  } catch (error) {
    if (!(error instanceof Captured)) return failure(error);
    // The form `awsEndpoint` documents: the path the SDK posts to, a bare `/` left out.
    const { protocol, hostname, port, path } = error.request;
    return { url: `${protocol}//${hostname}${port ? `:${port}` : ''}${path === '/' ? '' : path}` };
  }
}

function ourOutcome(resolve: () => string): Outcome {
  try {
    return { url: resolve() };
  } catch (error) {
    return failure(error);
  }
}

/** A case; `AWS_ENDPOINT_URL_*` stands for the variable of the client's own service. */
interface Case {
  readonly name: string;
  readonly region: string;
  readonly env: Readonly<Record<string, string>>;
}

const on = (names: readonly string[]): Record<string, string> =>
  Object.fromEntries(names.map((name) => [name, 'true']));
const FIPS = 'AWS_USE_FIPS_ENDPOINT';
const DUAL = 'AWS_USE_DUALSTACK_ENDPOINT';
const IGNORE = 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS';
const URL_ALL = 'AWS_ENDPOINT_URL';
const URL_OWN = 'AWS_ENDPOINT_URL_*';
const VARIANTS = [[], [FIPS], [DUAL], [FIPS, DUAL]].map(on);

const REGIONS = [
  ...['us-east-1', 'eu-west-1', 'ap-southeast-5', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1'],
  ...['us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1'],
  // Patterns of no partition (`aws`), a partition's prefix without its pattern, case, the `-global` pseudo-regions.
  ...['mars-west-1', 'local', 'cn-1', 'us-gov-1', 'eusc-fr-east-1', 'US-EAST-1', 'CN-NORTH-1', 'us-east-1a'],
  ...['aws-global', 'aws-cn-global', 'aws-us-gov-global', 'aws-iso-b-global', 'aws-eusc-global'],
];
const FIPS_REGIONS = ['us-east-1-fips', 'fips-us-gov-west-1', 'us-gov-west-1-fips', 'fips-dkr-us-east-1'];
const BAD_REGIONS = ['', 'a.b', '-us-east-1', 'us-east-1-', 'us_east_1', 'x'.repeat(64), 'evil.example/#', 'fips-'];
const BOOLEANS = ['TRUE', 'True', '1', 'yes', '', 'false', ' true'];
const URLS = [
  ...['http://localhost:4566', 'http://localhost:4566/', 'https://example.com/prefix', 'https://example.com/prefix/'],
  ...['https://example.com/a/b//', 'https://user:pw@example.com:443/p?x=1#f', 'HTTPS://Example.COM:8443/Path'],
  ...['http://[::1]:8080', 'http://127.0.0.1:80/x', 'https://example.com/a b/%2e%2e/c', 'foo:bar'],
  ...['not a url', 'http://', 'localhost:4566', '/relative'],
];

const CASES: readonly Case[] = [
  ...REGIONS.flatMap((region) => VARIANTS.map((env) => ({ region, env }))),
  ...[...FIPS_REGIONS, 'aws-fips', 'fips-aws-global', '*'].flatMap((region) =>
    VARIANTS.slice(0, 3).map((env) => ({ region, env })),
  ),
  ...BAD_REGIONS.map((region) => ({ region, env: {} })),
  ...BOOLEANS.flatMap((value) => [FIPS, DUAL].map((name) => ({ region: 'us-east-1', env: { [name]: value } }))),
  ...URLS.flatMap((url) => [URL_ALL, URL_OWN].map((name) => ({ region: 'us-east-1', env: { [name]: url } }))),
  ...[
    { [URL_ALL]: 'http://all.test', [URL_OWN]: 'http://own.test/p' },
    { [URL_ALL]: 'http://all.test', [URL_OWN]: '' },
    { [URL_ALL]: '' },
    { AWS_ENDPOINT_URL_SSM: 'http://ssm.test', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://sm.test' },
    { AWS_ENDPOINT_URL_KMS: 'http://kms.test/', AWS_ENDPOINT_URL_SECRETSMANAGER: 'http://sm.test' },
    ...['true', 'TRUE', 'false', '1', ''].map((value) => ({
      [URL_ALL]: 'http://all.test',
      [URL_OWN]: 'http://own.test',
      [IGNORE]: value,
    })),
    { [URL_ALL]: 'not a url', [IGNORE]: 'true' },
    { [URL_ALL]: 'not a url', [FIPS]: 'true' },
    { [URL_ALL]: 'http://all.test', [FIPS]: 'TRUE' },
    ...VARIANTS.slice(1).map((env) => ({ [URL_OWN]: 'http://own.test', ...env })),
  ].map((env) => ({ region: 'us-east-1', env })),
  ...['cn-north-1', 'us-gov-west-1-fips', 'a.b', ''].map((region) => ({
    region,
    env: { [URL_ALL]: 'http://all.test' },
  })),
  { region: 'a.b', env: { [URL_ALL]: 'not a url' } },
].map((c) => ({ ...c, name: `${JSON.stringify(c.region)} ${JSON.stringify(c.env)}` }));

// The variables that steer endpoints, cleared for every case; no shared config file is read.
const STEERING = [
  FIPS,
  DUAL,
  IGNORE,
  URL_ALL,
  'AWS_PROFILE',
  ...CLIENTS.map((c) => `AWS_ENDPOINT_URL_${c.service.envName}`),
];
const NO_FILE = join(tmpdir(), 'secretref-endpoints-test-no-such-file');

beforeEach(() => {
  for (const name of STEERING) vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_CONFIG_FILE', NO_FILE);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', NO_FILE);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe.each(CLIENTS)('awsEndpoint for $service.endpointPrefix equals the SDK', ({ service, send, path }) => {
  it.each(CASES)('$name', async ({ region, env: template }) => {
    const env = Object.fromEntries(
      Object.entries(template).map(([name, value]) => [name.replace('*', service.envName), value]),
    );
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    // The SDK warns about `*` (SigV4a); it still resolves an endpoint for it.
    if (region === '*') vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const sdk = await sdkOutcome(send, region);
    // One difference, on purpose: the SDK joins a configured path that ends in `/` (`https://host/prefix/`)
    // and a REST operation's path with a doubled slash (`/prefix//configurationsessions`); fetch does not.
    const expected =
      path !== undefined && 'url' in sdk ? { url: sdk.url.replace(/\/(\/+)(?=configurationsessions$)/, '$1') } : sdk;
    // A REST operation goes to the endpoint without its trailing `/`, then its path (the fetch transport's URL).
    const url = (endpoint: string) => (path === undefined ? endpoint : endpoint.replace(/\/$/, '') + path);
    expect(ourOutcome(() => url(awsEndpoint(service, region)))).toEqual(expected);
    expect(ourOutcome(() => url(awsEndpoint(service, region, env)))).toEqual(expected);
  });
});

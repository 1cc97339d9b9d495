/** Every branch of the transport choice (docs/providers/transports.md has the same table). */
import { InvalidOptionError } from '@secretref/core';
import { describe, expect, it } from 'vitest';
import { awsTransport, chooseTransport, fetchUnsuitable } from '../src/transports/select.ts';

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' };
const CONTAINER = { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x', AWS_REGION: 'eu-west-1' };
const client = { config: { region: async () => 'eu-west-1' }, destroy() {} };

describe('auto', () => {
  it.each<[string, Record<string, unknown>, Record<string, string>, 'sdk' | 'fetch', string | undefined]>([
    ['keys and a region', {}, KEYS, 'fetch', undefined],
    ['the container credentials endpoint and a region', {}, CONTAINER, 'fetch', undefined],
    [
      'the full container URI',
      {},
      { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1/c', AWS_REGION: 'us-east-1' },
      'fetch',
      undefined,
    ],
    ['no credentials in the environment', {}, { AWS_REGION: 'eu-west-1' }, 'sdk', 'no credentials in the environment'],
    [
      'a key without its secret',
      {},
      { AWS_ACCESS_KEY_ID: 'AKID', AWS_REGION: 'eu-west-1' },
      'sdk',
      'no credentials in the environment',
    ],
    ['no region', {}, { AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B' }, 'sdk', 'no AWS_REGION'],
    [
      'AWS_DEFAULT_REGION only (the SDK does not read it)',
      {},
      { AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B', AWS_DEFAULT_REGION: 'eu-west-1' },
      'sdk',
      'no AWS_REGION',
    ],
    ['a profile', {}, { ...KEYS, AWS_PROFILE: 'dev' }, 'sdk', 'AWS_PROFILE is set'],
    ['a CA bundle', {}, { ...KEYS, AWS_CA_BUNDLE: '/etc/ca.pem' }, 'sdk', 'AWS_CA_BUNDLE is set'],
    ['a client config', { clientConfig: { region: 'eu-west-1' } }, KEYS, 'sdk', 'a clientConfig is given'],
    ['an injected client', { client }, KEYS, 'sdk', 'a client is given'],
    ['clientFor', { clientFor: () => client }, KEYS, 'sdk', 'a client is given'],
  ])('%s: %s', (_, options, env, direct, why) => {
    expect(chooseTransport(options, env, true)).toMatchObject({ direct, agent: false });
    expect(fetchUnsuitable(options, env)).toBe(why);
  });

  it('says why', () => {
    expect(chooseTransport({}, KEYS, true).reason).toBe('auto: credentials and a region in the environment');
    expect(chooseTransport({}, { ...KEYS, AWS_PROFILE: 'dev' }, true).reason).toBe('auto: AWS_PROFILE is set');
    expect(chooseTransport({ transport: 'sdk' }, KEYS, true).reason).toBe('the transport option says sdk');
    expect(chooseTransport({}, { SECRETREF_AWS_TRANSPORT: 'agent' }, true).reason).toBe(
      'SECRETREF_AWS_TRANSPORT says agent; auto: no credentials in the environment',
    );
  });

  it('is the default, and what SECRETREF_AWS_TRANSPORT=auto says', () => {
    expect(chooseTransport({}, KEYS, true).direct).toBe('fetch');
    expect(chooseTransport({}, { ...KEYS, SECRETREF_AWS_TRANSPORT: 'auto' }, true).direct).toBe('fetch');
    expect(chooseTransport({}, { SECRETREF_AWS_TRANSPORT: 'auto' }, true).direct).toBe('sdk');
  });

  it('is fetch in a provider built without the SDK, whatever the environment lacks', () => {
    expect(chooseTransport({}, {}, false)).toMatchObject({ direct: 'fetch', agent: false });
    expect(chooseTransport({}, { SECRETREF_AWS_TRANSPORT: 'sdk' }, false)).toMatchObject({
      direct: 'fetch',
      agent: false,
    });
  });
});

describe('asked for', () => {
  it('the option wins over SECRETREF_AWS_TRANSPORT', () => {
    expect(chooseTransport({ transport: 'sdk' }, { ...KEYS, SECRETREF_AWS_TRANSPORT: 'fetch' }, true).direct).toBe(
      'sdk',
    );
    expect(chooseTransport({ transport: 'fetch' }, { SECRETREF_AWS_TRANSPORT: 'sdk' }, true).direct).toBe('fetch');
    expect(chooseTransport({}, { ...KEYS, SECRETREF_AWS_TRANSPORT: 'sdk' }, true).direct).toBe('sdk');
  });

  it('agent has the transport auto would pick behind it', () => {
    expect(chooseTransport({ transport: 'agent' }, KEYS, true)).toMatchObject({ direct: 'fetch', agent: true });
    expect(chooseTransport({ transport: 'agent' }, { AWS_REGION: 'eu-west-1' }, true)).toMatchObject({
      direct: 'sdk',
      agent: true,
    });
    expect(chooseTransport({}, { ...KEYS, SECRETREF_AWS_TRANSPORT: 'agent' }, true)).toMatchObject({
      direct: 'fetch',
      agent: true,
    });
  });

  it('an injected client always means sdk; the environment cannot change that', () => {
    expect(chooseTransport({ client }, { ...KEYS, SECRETREF_AWS_TRANSPORT: 'fetch' }, true)).toMatchObject({
      direct: 'sdk',
      agent: false,
    });
    expect(chooseTransport({ client, transport: 'sdk' }, KEYS, true).direct).toBe('sdk');
  });

  it.each<[string, Record<string, unknown>, Record<string, string>, boolean, RegExp]>([
    [
      'an unknown transport',
      { transport: 'grpc' },
      {},
      true,
      /the transport option must be one of auto, sdk, fetch, agent/,
    ],
    [
      'an unknown SECRETREF_AWS_TRANSPORT, not quoted',
      {},
      { SECRETREF_AWS_TRANSPORT: 'hunter2' },
      true,
      /^(?!.*hunter2).*SECRETREF_AWS_TRANSPORT must be one of/,
    ],
    ['a client with transport fetch', { client, transport: 'fetch' }, {}, true, /cannot go with transport fetch/],
    ['a client with transport agent', { client, transport: 'agent' }, {}, true, /cannot go with transport agent/],
    ['sdk from a provider without the SDK', { transport: 'sdk' }, {}, false, /built without the SDK/],
    ['a client in a provider without the SDK', { client }, {}, false, /built without the SDK: it takes no client/],
  ])('refuses %s with a typed error', (_, options, env, hasSdk, message) => {
    expect(() => chooseTransport(options, env, hasSdk)).toThrow(InvalidOptionError);
    expect(() => chooseTransport(options, env, hasSdk)).toThrow(message);
  });
});

describe('what the fetch transport takes of a clientConfig', () => {
  const SERVICE = { name: 'ssm', endpointPrefix: 'ssm', envName: 'SSM', target: 'AmazonSSM' };
  const make = (clientConfig: Record<string, unknown>) =>
    awsTransport(SERVICE, undefined, { transport: 'fetch', clientConfig }, { env: KEYS });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an endpoint that is no URL', { endpoint: 'not a url' }, /clientConfig.endpoint as an http or https URL/],
    ['a file: endpoint', { endpoint: 'file:///etc/passwd' }, /clientConfig.endpoint as an http or https URL/],
    ['an endpoint that is no string', { endpoint: new URL('http://h') }, /clientConfig.endpoint/],
    ['credentials that are a string', { credentials: 'AKID:secret' }, /clientConfig.credentials as/],
    ['credentials without a secret', { credentials: { accessKeyId: 'A' } }, /clientConfig.credentials as/],
    [
      'a requestHandler',
      { requestHandler: {} },
      /reads only endpoint, region, credentials of clientConfig, not requestHandler/,
    ],
  ])('refuses %s before any call', (_, clientConfig, message) => {
    expect(() => make(clientConfig)).toThrow(InvalidOptionError);
    expect(() => make(clientConfig)).toThrow(message);
  });

  it('takes an endpoint, a region and credentials (an object or a function)', () => {
    expect(
      make({
        endpoint: 'http://127.0.0.1:4566',
        region: 'eu-west-1',
        credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
      }).name,
    ).toBe('fetch');
    expect(make({ credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }) }).name).toBe('fetch');
  });
});

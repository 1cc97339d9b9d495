/**
 * Branches moto cannot produce, with the SDK client stubbed (aws-sdk-client-mock): AWS's own error
 * codes, echoed selectors, results in any order.
 */
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterNotFound,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import {
  AccessDeniedError,
  createResolver,
  DecryptionError,
  ProviderError,
  SecretNotFoundError,
  ThrottledError,
} from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

const client = new SSMClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
const ssm = mockClient(client);
const resolver = () => createResolver({ providers: [ssmProvider({ client })], retryBaseMs: 0 });

function awsError(name: string, status = 400): SSMServiceException {
  return new SSMServiceException({
    name,
    message: `${name} message`,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

beforeEach(() => {
  ssm.reset();
});

describe('error mapping', () => {
  it.each([
    ['ThrottlingException', ThrottledError, true],
    ['AccessDeniedException', AccessDeniedError, false],
    ['InvalidKeyId', DecryptionError, false],
    ['InternalServerError', ProviderError, true],
  ] as const)('a batch failing with %s fails each reference with %o', async (name, type, transient) => {
    ssm.on(GetParametersCommand).rejects(awsError(name, name === 'InternalServerError' ? 500 : 400));
    const r = resolver();
    const results = await Promise.allSettled([r.resolve('ssm:/a'), r.resolve('ssm:/b')]);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    results.forEach((result, i) => {
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(type);
      expect(reason.transient).toBe(transient);
      expect(reason.ref).toBe(['ssm:/a', 'ssm:/b'][i]);
      expect(reason.message).toContain(`GetParameters for "${reason.ref}"`);
    });
  });

  it('AWS ParameterVersionNotFound on a label (moto says ParameterNotFound) is not found too', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterVersionNotFound'));
    ssm
      .on(GetParametersCommand)
      .resolves({ Parameters: [], InvalidParameters: ['arn:aws:ssm:us-east-1:123456789012:parameter/a:prod'] });
    await expect(resolver().resolve('ssm:arn:aws:ssm:us-east-1:123456789012:parameter/a:prod')).rejects.toBeInstanceOf(
      SecretNotFoundError,
    );
  });

  it('a path read that is denied is denied, not empty', async () => {
    ssm.on(GetParametersByPathCommand).rejects(awsError('AccessDeniedException'));
    await expect(resolver().resolve('ssm:/app/')).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('a GetParameter not-found exception for an ARN is SecretNotFoundError', async () => {
    ssm.on(GetParametersCommand).resolves({ InvalidParameters: ['arn:aws:ssm:us-east-1:123456789012:parameter/a'] });
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: 'not found', $metadata: { httpStatusCode: 400 } }));
    await expect(resolver().resolve('arn:aws:ssm:us-east-1:123456789012:parameter/a')).rejects.toBeInstanceOf(
      SecretNotFoundError,
    );
  });
});

describe('matching results to requests', () => {
  it('matches by name and version whatever the order, never by position', async () => {
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: '/c', Value: 'C', Version: 1, Type: 'String' },
        { Name: '/a', Value: 'A-v1', Version: 1, Type: 'String' },
        { Name: '/b', Value: 'B', Version: 4, Type: 'String' },
        { Name: '/a', Value: 'A-v2', Version: 2, Type: 'String' },
      ],
    });
    const values = await resolver().resolveAll({ a1: 'ssm:/a:1', b: 'ssm:/b', a: 'ssm:/a', c: 'ssm:/c' });
    expect(values).toEqual({ a1: 'A-v1', b: 'B', a: 'A-v2', c: 'C' });
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParametersCommand)[0]?.args[0].input).toEqual({
      Names: ['/a:1', '/b', '/a', '/c'],
      WithDecryption: true,
    });
  });

  it('uses the Selector AWS echoes for labels', async () => {
    ssm
      .on(GetParametersCommand, { Names: ['/a:prod'] })
      .resolves({ Parameters: [{ Name: '/a', Value: 'prod-value', Version: 3, Selector: ':prod', Type: 'String' }] });
    ssm.on(GetParametersCommand, { Names: ['/a:canary'] }).resolves({
      Parameters: [{ Name: '/a', Value: 'canary-value', Version: 5, Selector: ':canary', Type: 'String' }],
    });
    const values = await resolver().resolveAll({ prod: 'ssm:/a:prod', canary: 'ssm:/a:canary' });
    expect(values).toEqual({ prod: 'prod-value', canary: 'canary-value' });
  });

  it('a name SSM neither returns nor lists as invalid is a provider error, not a wrong value', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/other', Value: 'x', Version: 1 }] });
    await expect(resolver().resolve('ssm:/a')).rejects.toBeInstanceOf(ProviderError);
  });

  it('always asks with decryption', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/p/x', Value: '1' }] });
    await resolver().resolve('ssm:/p/');
    expect(ssm.commandCalls(GetParametersByPathCommand)[0]?.args[0].input).toMatchObject({
      Path: '/p/',
      Recursive: true,
      WithDecryption: true,
    });
  });
});

describe('paths', () => {
  it('follows NextToken across an empty page until it is absent', async () => {
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [{ Name: '/p/a', Value: '1' }], NextToken: 't1' })
      .resolvesOnce({ Parameters: [], NextToken: 't2' })
      .resolvesOnce({ Parameters: [{ Name: '/p/b/c', Value: '2' }] });
    expect(await resolver().resolve('ssm:/p/')).toEqual({ a: '1', 'b/c': '2' });
    const tokens = ssm.commandCalls(GetParametersByPathCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 't1', 't2']);
  });
});

describe('clients', () => {
  it('creates no client until the first fetch, then one per region', async () => {
    const made: (string | undefined)[] = [];
    const r = createResolver({
      providers: [
        ssmProvider({
          clientFor: (region) => {
            made.push(region);
            return client;
          },
        }),
      ],
    });
    r.parse('ssm:/a?region=eu-west-1');
    expect(made).toEqual([]);
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/a', Value: 'v', Version: 1 }] });
    await r.resolve('ssm:/a');
    await r.resolve('ssm:/a?region=eu-west-1');
    expect(made).toEqual([undefined, 'eu-west-1']);
  });
});

/**
 * Branches moto cannot produce, with the SDK client stubbed: a throttled or denied batch call,
 * DecryptionFailure, AWS's own matching of partial ARNs.
 */
import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { AccessDeniedError, createResolver, DecryptionError, SecretNotFoundError } from '@secretref/core';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

const client = new SecretsManagerClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 't', secretAccessKey: 't' },
});
const sm = mockClient(client);
const resolver = (options: Parameters<typeof secretsManagerProvider>[0] = {}) =>
  createResolver({ providers: [secretsManagerProvider({ client, ...options })], retryBaseMs: 0 });

function awsError(name: string, status = 400): SecretsManagerServiceException {
  return new SecretsManagerServiceException({
    name,
    message: `${name} message`,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

beforeEach(() => {
  sm.reset();
});

describe('the batch call', () => {
  it('reads secrets asked for together with one BatchGetSecretValue, matched by name, ARN or partial ARN', async () => {
    sm.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [
        { Name: 'b', ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:b-XyZabc', SecretString: 'B' },
        { Name: 'a', ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf', SecretString: 'A' },
      ],
    });
    // The same region for both (an ARN names its region; a plain name is batched with its region).
    const values = await resolver().resolveAll({
      a: 'secretsmanager:a?region=us-east-1',
      b: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:b',
    });
    expect(values).toEqual({ a: 'A', b: 'B' });
    expect(sm.commandCalls(BatchGetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it.each([
    ['ThrottlingException', 400],
    ['AccessDeniedException', 400],
    ['InternalServiceError', 500],
  ])('falls back to parallel GetSecretValue when the batch call fails with %s', async (name, status) => {
    sm.on(BatchGetSecretValueCommand).rejects(awsError(name, status));
    sm.on(GetSecretValueCommand, { SecretId: 'a' }).resolves({ SecretString: 'A' });
    sm.on(GetSecretValueCommand, { SecretId: 'b' }).resolves({ SecretString: 'B' });
    expect(await resolver().resolveAll({ a: 'secretsmanager:a', b: 'secretsmanager:b' })).toEqual({ a: 'A', b: 'B' });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('turns per-secret Errors into per-reference errors; the others resolve', async () => {
    sm.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [{ Name: 'a', ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf', SecretString: 'A' }],
      Errors: [
        { SecretId: 'gone', ErrorCode: 'ResourceNotFoundException', Message: 'not found' },
        { SecretId: 'locked', ErrorCode: 'DecryptionFailure', Message: 'kms' },
      ],
    });
    const r = resolver();
    const [a, gone, locked] = await Promise.allSettled([
      r.resolve('secretsmanager:a'),
      r.resolve('secretsmanager:gone'),
      r.resolve('secretsmanager:locked'),
    ]);
    expect(a).toEqual({ status: 'fulfilled', value: 'A' });
    expect((gone as PromiseRejectedResult).reason).toBeInstanceOf(SecretNotFoundError);
    expect((locked as PromiseRejectedResult).reason).toBeInstanceOf(DecryptionError);
    expect((locked as PromiseRejectedResult).reason.ref).toBe('secretsmanager:locked');
  });

  it('asks alone for a secret the batch answer leaves out', async () => {
    sm.on(BatchGetSecretValueCommand).resolves({ SecretValues: [{ Name: 'a', SecretString: 'A' }] });
    sm.on(GetSecretValueCommand, { SecretId: 'b' }).resolves({ SecretString: 'B' });
    expect(await resolver().resolveAll({ a: 'secretsmanager:a', b: 'secretsmanager:b' })).toEqual({ a: 'A', b: 'B' });
  });
});

describe('GetSecretValue', () => {
  it('maps DecryptionFailure and AccessDeniedException', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'k' }).rejects(awsError('DecryptionFailure'));
    sm.on(GetSecretValueCommand, { SecretId: 'd' }).rejects(awsError('AccessDeniedException'));
    await expect(resolver().resolve('secretsmanager:k')).rejects.toBeInstanceOf(DecryptionError);
    await expect(resolver().resolve('secretsmanager:d')).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('sends the stage or version id, and returns a binary secret as bytes', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const bytes = await resolver().resolve('secretsmanager:b?versionStage=AWSPREVIOUS', { as: 'binary' });
    expect([...bytes]).toEqual([1, 2, 3]);
    expect(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: 'b',
      VersionStage: 'AWSPREVIOUS',
    });
  });
});

describe('checkVersionFirst', () => {
  it('calls GetSecretValue only when the version behind the stage changed', async () => {
    let current = 'v1';
    sm.on(DescribeSecretCommand).callsFake(() => ({
      VersionIdsToStages: { [current]: ['AWSCURRENT'], old: ['AWSPREVIOUS'] },
    }));
    sm.on(GetSecretValueCommand).callsFake(() => ({ SecretString: `value-of-${current}` }));
    const r = resolver({ checkVersionFirst: true });
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value-of-v1');
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value-of-v1');
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(2);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    current = 'v2';
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value-of-v2');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

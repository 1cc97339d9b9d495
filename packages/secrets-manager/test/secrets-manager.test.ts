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
import {
  AccessDeniedError,
  createResolver,
  DecryptionError,
  ProviderError,
  SecretNotFoundError,
} from '@secretref/core';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { observable } from '../../core/test/helpers.ts';

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

  it('falls back to parallel GetSecretValue when the batch call is denied (a role without BatchGetSecretValue)', async () => {
    sm.on(BatchGetSecretValueCommand).rejects(awsError('AccessDeniedException', 400));
    sm.on(GetSecretValueCommand, { SecretId: 'a' }).resolves({ SecretString: 'A' });
    sm.on(GetSecretValueCommand, { SecretId: 'b' }).resolves({ SecretString: 'B' });
    expect(await resolver().resolveAll({ a: 'secretsmanager:a', b: 'secretsmanager:b' })).toEqual({ a: 'A', b: 'B' });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([
    ['ThrottlingException', 400],
    ['InternalServiceError', 500],
  ])('retries the batch as a batch when it fails with %s: no split into more calls', async (name, status) => {
    sm.on(BatchGetSecretValueCommand)
      .rejectsOnce(awsError(name, status))
      .resolves({
        SecretValues: [
          { Name: 'a', SecretString: 'A' },
          { Name: 'b', SecretString: 'B' },
        ],
      });
    expect(await resolver().resolveAll({ a: 'secretsmanager:a', b: 'secretsmanager:b' })).toEqual({ a: 'A', b: 'B' });
    expect(sm.commandCalls(BatchGetSecretValueCommand)).toHaveLength(2);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
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

  it('prefers the entry whose ARN is the id itself over one that only looks like a partial-ARN match', async () => {
    const base = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:p/x';
    sm.on(BatchGetSecretValueCommand).resolves({
      // A secret named "p/x-ufzLNY" has the ARN ".../p/x-ufzLNY-AbCdEf"; the one named "p/x" is listed second.
      SecretValues: [
        { Name: 'p/x-ufzLNY', ARN: `${base}-ufzLNY-AbCdEf`, SecretString: 'decoy' },
        { Name: 'p/x', ARN: `${base}-ufzLNY`, SecretString: 'right' },
      ],
    });
    const values = await resolver().resolveAll({
      exact: `${base}-ufzLNY`,
      partial: `${base}-ufzLNY-AbCdEf`,
    });
    expect(values).toEqual({ exact: 'right', partial: 'decoy' });
  });

  it('sends each secret id once, and at most 20 ids a call', async () => {
    sm.on(BatchGetSecretValueCommand).callsFake((input: { SecretIdList: string[] }) => ({
      SecretValues: input.SecretIdList.map((id) => ({ Name: id, SecretString: `value of ${id}` })),
    }));
    // Two cache entries (they differ in their replicas) for one secret: one id in the list.
    const refs: Record<string, string> = { again: 'secretsmanager:s0?fallbackRegions=us-west-2' };
    for (let i = 0; i < 25; i++) refs[`s${i}`] = `secretsmanager:s${i}`;
    const values: Record<string, unknown> = await resolver().resolveAll(refs);
    expect(values.s24).toBe('value of s24');
    expect(values.again).toBe('value of s0');
    const lists = sm.commandCalls(BatchGetSecretValueCommand).map((c) => c.args[0].input.SecretIdList ?? []);
    expect(lists).toHaveLength(2);
    for (const list of lists) {
      expect(list.length).toBeLessThanOrEqual(20);
      expect(new Set(list).size).toBe(list.length);
    }
    expect(new Set(lists.flat()).size).toBe(25);
  });

  it('treats a per-secret service error as transient: the last good value is served', async () => {
    sm.on(BatchGetSecretValueCommand)
      .resolvesOnce({
        SecretValues: [
          { Name: 'a', SecretString: 'A' },
          { Name: 'b', SecretString: 'B' },
        ],
      })
      .resolves({
        SecretValues: [{ Name: 'a', SecretString: 'A2' }],
        Errors: [{ SecretId: 'b', ErrorCode: 'InternalServiceError', Message: 'try again' }],
      });
    const r = resolver();
    const refs = { a: 'secretsmanager:a?ttl=0', b: 'secretsmanager:b?ttl=0' };
    expect(await r.resolveAll(refs)).toEqual({ a: 'A', b: 'B' });
    expect(await r.resolveAll(refs)).toEqual({ a: 'A2', b: 'B' });
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
    sm.on(GetSecretValueCommand).callsFake(() => ({ SecretString: `value-of-${current}`, VersionId: current }));
    const r = resolver({ checkVersionFirst: true });
    // The first read has nothing to compare with: GetSecretValue alone.
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value-of-v1');
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(0);
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value-of-v1');
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value-of-v1');
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(2);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    current = 'v2';
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value-of-v2');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('never pins a read that lags behind a rotation to the new version', async () => {
    // DescribeSecret already shows v2, but the next GetSecretValue still returns v1 (eventual consistency).
    const reads = [
      { SecretString: 'one', VersionId: 'v1' },
      { SecretString: 'one', VersionId: 'v1' },
      { SecretString: 'two', VersionId: 'v2' },
    ];
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v2: ['AWSCURRENT'], v1: ['AWSPREVIOUS'] } });
    sm.on(GetSecretValueCommand).callsFake(() => reads.shift());
    const r = resolver({ checkVersionFirst: true });
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('one');
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('one'); // lagging read
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('two'); // memo said v1, AWS says v2: read again
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('two');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('reads again, without DescribeSecret, when the caller forces a fetch', async () => {
    let value = 'one';
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    sm.on(GetSecretValueCommand).callsFake(() => ({ SecretString: value, VersionId: 'v1' }));
    const r = resolver({ checkVersionFirst: true });
    expect(await r.resolve('secretsmanager:s')).toBe('one');
    value = 'changed under the same version id';
    expect(await r.resolve('secretsmanager:s', { forceFetch: true })).toBe(value);
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(0);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('answers without the documented shape are transient: a last good value is served through them', () => {
  it.each([
    ['no value at all', {}],
    ['a SecretString that is no string', { SecretString: { evil: 1 } }],
    ['a SecretBinary that is no bytes', { SecretBinary: 123 }],
    ['a null SecretString', { SecretString: null }],
    // SecretString and SecretBinary are at least 1 long (API reference, SecretValueEntry and GetSecretValue).
    ['an empty SecretString', { SecretString: '' }],
    ['an empty SecretBinary', { SecretBinary: new Uint8Array(0) }],
  ])('GetSecretValue answering %s', async (_, output) => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'good' })
      .resolves(output as never);
    const r = resolver();
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('good');
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('good');
    expect(r.stats().staleServed).toBe(1);
    const cold = await r.resolve('secretsmanager:cold').catch((e: unknown) => e);
    expect(cold).toBeInstanceOf(ProviderError);
    expect((cold as ProviderError).transient).toBe(true);
    expect((cold as Error).message).toContain('an answer without');
  });

  it('a BatchGetSecretValue entry without a value', async () => {
    sm.on(BatchGetSecretValueCommand)
      .resolvesOnce({
        SecretValues: [
          { Name: 'a', SecretString: 'A' },
          { Name: 'b', SecretString: 'B' },
        ],
      })
      .resolves({ SecretValues: [{ Name: 'a' }, { Name: 'b', SecretString: 'B2' }] });
    const r = resolver();
    const refs = { a: 'secretsmanager:a?ttl=0', b: 'secretsmanager:b?ttl=0' };
    expect(await r.resolveAll(refs)).toEqual({ a: 'A', b: 'B' });
    expect(await r.resolveAll(refs)).toEqual({ a: 'A', b: 'B2' });
    expect(r.stats().staleServed).toBe(1);
  });

  it('a BatchGetSecretValue list holding something that is no entry: the entries are still read', async () => {
    sm.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [null, 'x', { Name: 'a', SecretString: 'A' }, { Name: 'b', SecretString: 'B' }] as never,
    });
    expect(await resolver().resolveAll({ a: 'secretsmanager:a', b: 'secretsmanager:b' })).toEqual({ a: 'A', b: 'B' });
  });

  it('a DescribeSecret answer without version stages: the value is read, not dropped', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'value', VersionId: 'v1' });
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: 7 } } as never);
    const r = resolver({ checkVersionFirst: true });
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value');
    expect(await r.resolve('secretsmanager:s?ttl=0')).toBe('value');
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('per-secret errors of BatchGetSecretValue', () => {
  it('keep nothing of their message or an error code that is no name', async () => {
    sm.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [{ Name: 'a', SecretString: 'A' }],
      Errors: [
        { SecretId: 'x', ErrorCode: 'S3CR3T-q7Zk9x-code', Message: 'S3CR3T in the message' },
        { SecretId: 'y', ErrorCode: 'InternalServiceError', Message: 'S3CR3T in the message' },
      ],
    });
    const r = resolver();
    const [, x, y] = await Promise.allSettled([
      r.resolve('secretsmanager:a'),
      r.resolve('secretsmanager:x'),
      r.resolve('secretsmanager:y'),
    ]);
    const errors = [x, y].map((result) => (result as PromiseRejectedResult).reason);
    expect(errors[0]).toBeInstanceOf(ProviderError);
    expect(errors[0].message).toContain('an error without a recognised name');
    expect(errors[1].transient).toBe(true);
    expect(observable(errors)).not.toContain('S3CR3T');
  });
});

describe('a GetSecretValue answer for another secret', () => {
  const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db';
  it.each([
    ['a name, answered with another Name', 'secretsmanager:prod/db', { Name: 'prod/other', ARN: `${ARN}x-AbCdEf` }],
    ['a full ARN, answered with another ARN', `${ARN}-AbCdEf`, { Name: 'prod/db', ARN: `${ARN}-XyZabc` }],
    ['a partial ARN, answered with another ARN', ARN, { Name: 'prod/db-x', ARN: `${ARN}-x-AbCdEf` }],
  ])('%s is refused, transient: the last good value is served', async (_, ref, other) => {
    const secretId = ref.replace('secretsmanager:', '');
    const good = secretId.startsWith('arn:')
      ? { Name: 'prod/db', ARN: secretId.length > ARN.length ? secretId : `${ARN}-AbCdEf` }
      : { Name: 'prod/db', ARN: `${ARN}-AbCdEf` };
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ ...good, SecretString: 'good' })
      .resolves({ ...other, SecretString: 'S3CR3T-of-another' });
    const r = resolver();
    const fresh = `${ref}?ttl=0`;
    expect(await r.resolve(fresh)).toBe('good');
    expect(await r.resolve(fresh)).toBe('good');
    expect(r.stats().staleServed).toBe(1);
    const cold = await r.resolve(`${ref}?versionStage=AWSPREVIOUS`).catch((e: unknown) => e);
    expect(cold).toBeInstanceOf(ProviderError);
    expect((cold as ProviderError).transient).toBe(true);
    expect((cold as Error).message).toContain('an answer for another secret');
    expect(observable(cold)).not.toContain('S3CR3T');
    expect(observable(cold)).not.toContain('prod/other');
  });

  it.each([
    ['a name', 'secretsmanager:prod/db'],
    ['a full ARN', `${ARN}-AbCdEf`],
    ['a partial ARN', ARN],
  ])('%s answered for its own secret is the value', async (_, ref) => {
    sm.on(GetSecretValueCommand).resolves({ Name: 'prod/db', ARN: `${ARN}-AbCdEf`, SecretString: 'mine' });
    expect(await resolver().resolve(ref)).toBe('mine');
  });
});

describe('LimitExceededException (a quota on resources, documented for writes only)', () => {
  it('is not transient on a read, and is quoted', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('LimitExceededException'));
    const error = await resolver()
      .resolve('secretsmanager:s')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(false);
    expect((error as Error).message).toContain('LimitExceededException');
  });
});

describe('an access denied', () => {
  it("names Secrets Manager's action, never the secret's ARN", async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:S3CR3T-q7Zk9x-AbCdEf';
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(awsError('AccessDeniedException'), {
        message: `User: arn:aws:iam::123456789012:user/app is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      }),
    );
    const error = await resolver()
      .resolve('secretsmanager:s')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as Error).message).toContain('the caller may not secretsmanager:GetSecretValue (see');
    expect(observable(error)).not.toContain('S3CR3T');
  });
});

/**
 * The Secrets Manager provider with the real SDK client against moto, through the fault proxy that
 * counts calls (and throttles one region to exercise replicas).
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ReplicateSecretToRegionsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  createResolver,
  InvalidValueError,
  type Resolver,
  type ResolverOptions,
  SecretNotFoundError,
  ThrottledError,
} from '@secretref/core';
import { type FaultProxy, jumpingClock, localAwsConfig, startFaultProxy } from '@secretref/local-aws';
import { type SecretsManagerProviderOptions, secretsManagerProvider } from '@secretref/secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `it-${randomUUID().slice(0, 8)}`;
const admin = new SecretsManagerClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });
let proxy: FaultProxy;
const arns: Record<string, string> = {};
const versions: Record<string, string> = {};

function resolver(options: ResolverOptions = {}, provider: SecretsManagerProviderOptions = {}): Resolver {
  return createResolver({
    ...options,
    providers: [
      secretsManagerProvider({ clientConfig: { ...localAwsConfig(proxy.endpoint), maxAttempts: 1 }, ...provider }),
    ],
  });
}

async function create(name: string, value: string | Uint8Array): Promise<void> {
  const output = await admin.send(
    new CreateSecretCommand({
      Name: `${prefix}/${name}`,
      ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: value }),
    }),
  );
  arns[name] = output.ARN ?? '';
  versions[name] = output.VersionId ?? '';
}

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint);
  await create('db', JSON.stringify({ user: 'app', password: 'first-\u00e9\u2603', nested: { host: 'db.internal' } }));
  const rotated = await admin.send(
    new PutSecretValueCommand({
      SecretId: `${prefix}/db`,
      SecretString: JSON.stringify({ user: 'app', password: 'second', nested: { host: 'db.internal' } }),
    }),
  );
  versions.dbRotated = rotated.VersionId ?? '';
  await create('binary', new Uint8Array([0, 1, 2, 254, 255]));
  for (let i = 0; i < 5; i++) await create(`many${i}`, `value-${i}`);
  await create('replicated', 'from-a-replica-or-not');
  await admin.send(
    new ReplicateSecretToRegionsCommand({
      SecretId: `${prefix}/replicated`,
      AddReplicaRegions: [{ Region: 'us-west-2' }],
    }),
  );
});

afterAll(async () => {
  await proxy.close();
});

describe('forms', () => {
  it('resolves every form of one secret to the right value', async () => {
    const r = resolver();
    const db = `${prefix}/db`;
    const arn = arns.db as string;
    const partial = arn.slice(0, -7);
    const values = await r.resolveAll({
      whole: `secretsmanager:${db}`,
      key: `secretsmanager:${db}#password`,
      pointer: `secretsmanager:${db}#/nested/host`,
      colon: `secretsmanager:${db}:password::`,
      previousColon: `secretsmanager:${db}:password:AWSPREVIOUS:`,
      previousQuery: `secretsmanager:${db}?versionStage=AWSPREVIOUS#password`,
      versionId: `secretsmanager:${db}:password::${versions.db}`,
      fullArn: `${arn}:password::`,
      partialArn: `secretsmanager:${partial}#user`,
      bareArnStage: `${arn}:password:AWSCURRENT:`,
      cloudformation: `{{resolve:secretsmanager:${db}:SecretString:password}}`,
      cloudformationPrevious: `{{resolve:secretsmanager:${arn}:SecretString:password:AWSPREVIOUS}}`,
    });
    expect(JSON.parse(values.whole).password).toBe('second');
    expect(values).toMatchObject({
      key: 'second',
      pointer: 'db.internal',
      colon: 'second',
      previousColon: 'first-\u00e9\u2603',
      previousQuery: 'first-\u00e9\u2603',
      versionId: 'first-\u00e9\u2603',
      fullArn: 'second',
      partialArn: 'app',
      bareArnStage: 'second',
      cloudformation: 'second',
      cloudformationPrevious: 'first-\u00e9\u2603',
    });
  });

  it('a binary secret comes back as bytes with as=binary', async () => {
    const bytes = await resolver().resolve(`secretsmanager:${prefix}/binary`, { as: 'binary' });
    expect([...bytes]).toEqual([0, 1, 2, 254, 255]);
  });
});

describe('calls', () => {
  it('5 secrets asked together make one BatchGetSecretValue; several keys of one secret one fetch', async () => {
    const r = resolver();
    proxy.calls.length = 0;
    const values = await r.resolveAll({
      ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, `secretsmanager:${prefix}/many${i}`])),
      user: `secretsmanager:${prefix}/db#user`,
      password: `secretsmanager:${prefix}/db#password`,
      host: `secretsmanager:${prefix}/db#/nested/host`,
    });
    expect(values).toMatchObject({ s0: 'value-0', s4: 'value-4', user: 'app', password: 'second' });
    expect(proxy.calls).toEqual(['BatchGetSecretValue']);
  });

  it('one secret alone is one GetSecretValue', async () => {
    proxy.calls.length = 0;
    await resolver().resolve(`secretsmanager:${prefix}/many0`);
    expect(proxy.calls).toEqual(['GetSecretValue']);
  });
});

describe('not found', () => {
  it('a missing secret, stage or version is SecretNotFoundError, in a batch too', async () => {
    const r = resolver();
    const results = await Promise.allSettled([
      r.resolve(`secretsmanager:${prefix}/nope`),
      r.resolve(`secretsmanager:${prefix}/many1`),
      r.resolve(`secretsmanager:${prefix}/db?versionStage=NOPE`),
      r.resolve(`secretsmanager:${prefix}/db?versionId=00000000-0000-0000-0000-000000000000`),
    ]);
    expect(results.map((x) => (x.status === 'fulfilled' ? x.value : x.reason.constructor.name))).toEqual([
      'SecretNotFoundError',
      'value-1',
      'SecretNotFoundError',
      'SecretNotFoundError',
    ]);
  });

  it('a json key that is not there names the reference and the key, never the secret', async () => {
    const error = await resolver()
      .resolve(`secretsmanager:${prefix}/db#missing`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toContain('"missing"');
    expect((error as Error).message).toContain(`secretsmanager:${prefix}/db#missing`);
    expect(String((error as Error).message)).not.toContain('second');
  });
});

describe('rotation', () => {
  it('the next refresh picks up the new AWSCURRENT; AWSPREVIOUS follows', async () => {
    await create('rotating', 'v1');
    const clock = jumpingClock();
    const r = resolver({ clock, ttlMs: 60_000 });
    const ref = `secretsmanager:${prefix}/rotating`;
    expect(await r.resolve(ref)).toBe('v1');
    await admin.send(new PutSecretValueCommand({ SecretId: `${prefix}/rotating`, SecretString: 'v2' }));
    expect(await r.resolve(ref)).toBe('v1'); // cached until the TTL passes
    clock.jump(60_000);
    expect(await r.resolve(ref)).toBe('v2');
    expect(await r.resolve(`${ref}?versionStage=AWSPREVIOUS`)).toBe('v1');
  });

  it('retryWithFreshSecret re-fetches once when the function reports that the cached password was rejected', async () => {
    await create('login', 'old-password');
    const r = resolver();
    const ref = `secretsmanager:${prefix}/login`;
    await r.resolve(ref);
    await admin.send(new PutSecretValueCommand({ SecretId: `${prefix}/login`, SecretString: 'new-password' }));
    const tried: string[] = [];
    const connect = async (password: string) => {
      tried.push(password);
      if (password !== 'new-password')
        throw Object.assign(new Error('password authentication failed'), { code: '28P01' });
      return 'connected';
    };
    const result = await r.retryWithFreshSecret(ref, connect, {
      isAuthFailure: (error) => (error as { code?: string }).code === '28P01',
    });
    expect(result).toBe('connected');
    expect(tried).toEqual(['old-password', 'new-password']);
    expect(r.peek(ref)).toBe('new-password');
  });

  it('checkVersionFirst: DescribeSecret on refresh, GetSecretValue only after a change', async () => {
    await create('checked', 'c1');
    const r = resolver({ ttlMs: 0 }, { checkVersionFirst: true });
    const ref = `secretsmanager:${prefix}/checked`;
    proxy.calls.length = 0;
    expect(await r.resolve(ref)).toBe('c1');
    expect(await r.resolve(ref)).toBe('c1');
    await admin.send(new PutSecretValueCommand({ SecretId: `${prefix}/checked`, SecretString: 'c2' }));
    expect(await r.resolve(ref)).toBe('c2');
    // The first read has no version to compare with; later refreshes ask which version is current.
    expect(proxy.calls).toEqual(['GetSecretValue', 'DescribeSecret', 'DescribeSecret', 'GetSecretValue']);
  });
});

describe('replicas', () => {
  it('reads the replica in a fallback region when the primary region is throttled', async () => {
    proxy.fault = (_operation, region) => (region === 'us-east-1' ? 'throttle' : undefined);
    try {
      const ref = `secretsmanager:${prefix}/replicated`;
      await expect(resolver().resolve(ref)).rejects.toBeInstanceOf(ThrottledError);
      expect(await resolver().resolve(`${ref}?fallbackRegions=us-west-2`)).toBe('from-a-replica-or-not');
      expect(await resolver({}, { fallbackRegions: ['eu-west-1', 'us-west-2'] }).resolve(ref)).toBe(
        'from-a-replica-or-not',
      );
      // An ARN is rewritten to the replica's region.
      expect(await resolver().resolve(`${arns.replicated}?fallbackRegions=us-west-2`)).toBe('from-a-replica-or-not');
    } finally {
      proxy.fault = undefined;
    }
  });

  it('?region= reads a region directly (a replica here)', async () => {
    proxy.calls.length = 0;
    expect(await resolver().resolve(`secretsmanager:${prefix}/replicated?region=us-west-2`)).toBe(
      'from-a-replica-or-not',
    );
    await expect(resolver().resolve(`secretsmanager:${prefix}/db?region=us-west-2`)).rejects.toBeInstanceOf(
      SecretNotFoundError,
    );
  });

  it('does not read replicas for a secret that is not found', async () => {
    proxy.calls.length = 0;
    await expect(
      resolver().resolve(`secretsmanager:${prefix}/absent?fallbackRegions=us-west-2`),
    ).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(proxy.calls).toEqual(['GetSecretValue']);
  });
});

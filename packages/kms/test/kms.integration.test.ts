/**
 * The KMS provider, `decryptEnv` and `encrypt` with the real SDK client against moto, through the
 * fault proxy that counts calls; interoperability with ciphertexts made by tools nobody here wrote:
 * the AWS CLI (`aws kms encrypt` / `aws kms decrypt`) and the AWS Encryption SDK used directly.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { buildClient, CommitmentPolicy, KMS, KmsKeyringNode } from '@aws-crypto/client-node';
import { CreateAliasCommand, CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CHANNELS,
  createResolver,
  DecryptionError,
  ResolveAllError,
  type Resolver,
  type ResolverOptions,
  ThrottledError,
} from '@secretref/core';
import { decryptEnvWith, encrypt, kmsProvider } from '@secretref/kms';
import {
  awsKmsDecrypt,
  awsKmsEncrypt,
  type FaultProxy,
  jumpingClock,
  localAwsConfig,
  startFaultProxy,
} from '@secretref/local-aws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const endpoint = inject('awsEndpoint');
const admin = new KMSClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });
let proxy: FaultProxy;
let keyArn: string;
let alias: string;

// Distinctive plaintexts, non-ASCII included: the console snippet's `toString('ascii')` breaks these.
const PASSWORD = 'p\u00e4ssw\u00f6rd-\u2603-\u{1F511}-kms-secret-4c1e';
const BIG = `${'envelope-\u00e9-'.repeat(500)}end`; // > 4096 bytes: an Encryption SDK message

/** The Encryption SDK's own client for moto. Its types predate exactOptionalPropertyTypes. */
const esdkClient = (() => new KMS({ ...localAwsConfig(endpoint) })) as never;

/** Encrypts with the SDK directly (fast, for tests that need many ciphertexts). */
async function sdkEncrypt(plaintext: string, context: Record<string, string>): Promise<string> {
  const output = await admin.send(
    new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from(plaintext), EncryptionContext: context }),
  );
  return Buffer.from(output.CiphertextBlob ?? []).toString('base64');
}

function resolver(options: ResolverOptions = {}): Resolver {
  return createResolver({
    ...options,
    providers: [kmsProvider({ clientConfig: { ...localAwsConfig(proxy.endpoint), maxAttempts: 1 } })],
  });
}

const awsEncrypt = (plaintext: string, context: Record<string, string> = {}) =>
  awsKmsEncrypt(endpoint, keyArn, plaintext, context);
const awsDecrypt = (ciphertext: string, context: Record<string, string> = {}) =>
  awsKmsDecrypt(endpoint, ciphertext, context);

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint);
  const key = await admin.send(new CreateKeyCommand({ Description: 'secretref kms tests' }));
  keyArn = key.KeyMetadata?.Arn ?? '';
  alias = `alias/secretref-${Math.random().toString(36).slice(2, 10)}`;
  await admin.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyArn }));
});

afterAll(async () => {
  await proxy.close();
});

describe('ciphertexts from the AWS CLI', () => {
  it('decryptEnv decrypts a Lambda-style variable with the console context, and writes it back', async () => {
    const env: Record<string, string | undefined> = {
      AWS_LAMBDA_FUNCTION_NAME: 'orders-api',
      DB_PASSWORD: awsEncrypt(PASSWORD, { LambdaFunctionName: 'orders-api' }),
      PLAIN: 'left alone',
    };
    const values = await decryptEnvWith(resolver(), ['DB_PASSWORD'], { env });
    expect(values).toEqual({ DB_PASSWORD: PASSWORD });
    expect(env.DB_PASSWORD).toBe(PASSWORD);
    expect(env.PLAIN).toBe('left alone');
  });

  it('kms: references decrypt them, with ?context.K=V or ?context=<JSON>', async () => {
    const ciphertext = awsEncrypt(PASSWORD, { App: 'orders', Env: 'prod' });
    const r = resolver();
    expect(await r.resolve(`kms:${ciphertext}?context.App=orders&context.Env=prod`)).toBe(PASSWORD);
    const json = encodeURIComponent(JSON.stringify({ Env: 'prod', App: 'orders' }));
    expect(await r.resolve(`kms:${ciphertext}?context=${json}`)).toBe(PASSWORD);
    // Both spellings are one cache entry: one Decrypt.
    expect(r.stats().fetched).toBe(1);
  });

  it('a wrong or missing context fails typed, naming the variable, never the value', async () => {
    const ciphertext = awsEncrypt(PASSWORD, { LambdaFunctionName: 'another-function' });
    const env = { AWS_LAMBDA_FUNCTION_NAME: 'orders-api', DB_PASSWORD: ciphertext };
    const error = await decryptEnvWith(resolver(), ['DB_PASSWORD'], { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as Error).message).toContain('DB_PASSWORD');
    expect((error as Error).message).toContain('InvalidCiphertextException');
    expect(leaks(error, PASSWORD)).toBe(false);
    expect(env.DB_PASSWORD).toBe(ciphertext); // nothing written
    const missing = await resolver()
      .resolve(`kms:${env.DB_PASSWORD}`)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DecryptionError);
  });

  it('several failing variables: one ResolveAllError keyed by variable, and nothing is written', async () => {
    const good = awsEncrypt('fine', {});
    const env: Record<string, string | undefined> = {
      GOOD: good,
      WRONG: awsEncrypt(PASSWORD, { Other: 'x' }),
      GARBLED: 'a-plaintext-by-mistake?x=1#y',
      UNSET: undefined,
    };
    const error = await decryptEnvWith(resolver(), ['GOOD', 'WRONG', 'GARBLED', 'UNSET'], {
      env,
      context: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolveAllError);
    const errors = (error as ResolveAllError).errors;
    expect(Object.keys(errors).sort()).toEqual(['GARBLED', 'UNSET', 'WRONG']);
    expect(errors.WRONG?.code).toBe('DECRYPTION_FAILED');
    expect(errors.GARBLED?.code).toBe('INVALID_VALUE');
    expect(leaks(error, 'a-plaintext-by-mistake')).toBe(false);
    expect(errors.UNSET?.code).toBe('INVALID_OPTION');
    expect(env.GOOD).toBe(good);
    expect(leaks(error, PASSWORD)).toBe(false);
  });
});

describe('decryptEnv and values that are not ciphertexts', () => {
  it('a plaintext made of base64 characters (set by mistake) fails without being shown', async () => {
    const plaintext = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const env: Record<string, string | undefined> = { STRIPE_KEY: plaintext };
    const error = await decryptEnvWith(resolver(), ['STRIPE_KEY'], { env, context: false }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('STRIPE_KEY');
    for (const part of [plaintext, plaintext.slice(0, 12), plaintext.replaceAll('_', '/').slice(0, 12)]) {
      expect(leaks(error, part)).toBe(false);
    }
  });

  it('a second call (a warm invocation) returns what the first wrote, without decrypting plaintexts', async () => {
    const env: Record<string, string | undefined> = { TOKEN: awsEncrypt(PASSWORD) };
    const r = resolver();
    proxy.calls.length = 0;
    expect(await decryptEnvWith(r, ['TOKEN'], { env, context: false })).toEqual({ TOKEN: PASSWORD });
    expect(await decryptEnvWith(r, ['TOKEN'], { env, context: false })).toEqual({ TOKEN: PASSWORD });
    expect(proxy.count('Decrypt')).toBe(1);
  });
});

describe('secretref ciphertexts in the AWS CLI', () => {
  it('encrypt() output decrypts with aws kms decrypt, by key ARN and by alias', async () => {
    const context = { LambdaFunctionName: 'orders-api' };
    const byArn = await encrypt(PASSWORD, { keyId: keyArn, context, clientConfig: localAwsConfig(endpoint) });
    expect(byArn.envelope).toBe(false);
    expect(awsDecrypt(byArn.ciphertext, context)).toBe(PASSWORD);
    const byAlias = await encrypt(PASSWORD, { keyId: alias, context, clientConfig: localAwsConfig(endpoint) });
    expect(awsDecrypt(byAlias.ciphertext, context)).toBe(PASSWORD);
    // The reference it prints resolves.
    // The key ARN's region is written in, so the reference decrypts there from any default region.
    expect(byArn.reference).toBe(`kms:${byArn.ciphertext}?context.LambdaFunctionName=orders-api&region=us-east-1`);
    expect(await resolver().resolve(byArn.reference)).toBe(PASSWORD);
  });
});

describe('envelope encryption (AWS Encryption SDK messages)', () => {
  it('a message made by @aws-crypto/client-node directly decrypts through kms:', async () => {
    const { encrypt: esdkEncrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new KmsKeyringNode({
      generatorKeyId: keyArn,
      clientProvider: esdkClient,
    });
    const { result } = await esdkEncrypt(keyring, Buffer.from(BIG), { encryptionContext: { purpose: 'config' } });
    const message = Buffer.from(result).toString('base64');
    const r = resolver();
    proxy.calls.length = 0;
    expect(await r.resolve(`kms:${message}?context.purpose=config`)).toBe(BIG);
    expect(await r.resolve(`kms:${message}`)).toBe(BIG); // a subset of the message's context: none
    expect(proxy.count('Decrypt')).toBe(2); // one data key per distinct reference
    const wrong = await r.resolve(`kms:${message}?context.purpose=other`).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(DecryptionError);
    expect((wrong as Error).message).toContain('encryption context');
    expect(leaks(wrong, BIG.slice(0, 40))).toBe(false);
    const extra = await r.resolve(`kms:${message}?context.purpose=config&context.more=x`).catch((e: unknown) => e);
    expect(extra).toBeInstanceOf(DecryptionError);
  });

  it('on the fetch transport: a ciphertext is decrypted over fetch, an Encryption SDK message by the SDK client it needs', async () => {
    const { encrypt: esdkEncrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: esdkClient });
    const { result } = await esdkEncrypt(keyring, Buffer.from(BIG), { encryptionContext: { purpose: 'fetch' } });
    const message = Buffer.from(result).toString('base64');
    const blob = await sdkEncrypt('plain-over-fetch', { app: 'fetch' });
    const via: string[][] = [];
    const onFetch = (event: unknown) => via.push([...(event as { via: string[] }).via]);
    subscribe(CHANNELS.fetch, onFetch);
    try {
      const r = createResolver({
        providers: [kmsProvider({ transport: 'fetch', clientConfig: localAwsConfig(proxy.endpoint) })],
      });
      expect(await r.resolve(`kms:${blob}?context.app=fetch`)).toBe('plain-over-fetch');
      expect(await r.resolve(`kms:${message}?context.purpose=fetch`)).toBe(BIG);
    } finally {
      unsubscribe(CHANNELS.fetch, onFetch);
    }
    expect(via).toEqual([['fetch'], ['sdk']]);
  });

  it('a message is read with the key ARN in ?keyId= only (strict), and KMS errors inside keep their type', async () => {
    const big = await encrypt(BIG, { keyId: keyArn, clientConfig: localAwsConfig(endpoint) });
    const body = big.ciphertext;
    expect(await resolver().resolve(`kms:${body}?keyId=${keyArn}`)).toBe(BIG);
    expect(() => resolver().parse(`kms:${body}?keyId=${alias}`)).toThrow('must be a key ARN');
    const other = await admin.send(new CreateKeyCommand({}));
    await expect(resolver().resolve(`kms:${body}?keyId=${other.KeyMetadata?.Arn}`)).rejects.toBeInstanceOf(
      DecryptionError,
    );
    proxy.fault = (operation) => (operation === 'Decrypt' ? 'throttle' : undefined);
    try {
      await expect(resolver().resolve(`kms:${body}`)).rejects.toBeInstanceOf(ThrottledError);
    } finally {
      proxy.fault = undefined;
    }
  });

  it('encrypt() of more than 4096 bytes makes a message that kms: and the Encryption SDK both read', async () => {
    const context = { App: 'orders' };
    const big = await encrypt(BIG, { keyId: alias, context, clientConfig: localAwsConfig(endpoint) });
    expect(big.envelope).toBe(true);
    expect(await resolver().resolve(big.reference)).toBe(BIG);
    const { decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const { plaintext, messageHeader } = await decrypt(
      new KmsKeyringNode({ discovery: true, clientProvider: esdkClient }),
      Buffer.from(big.ciphertext, 'base64'),
    );
    expect(plaintext.toString('utf8')).toBe(BIG);
    expect(messageHeader.encryptionContext).toMatchObject(context);
  });
});

describe('calls and cache', () => {
  it('decrypts a batch in parallel, once per ciphertext, and never again (ciphertexts are immutable)', async () => {
    const clock = jumpingClock();
    const r = resolver({ clock });
    const refs: Record<string, string> = {};
    for (let i = 0; i < 12; i++)
      refs[`v${i}`] = `kms:${await sdkEncrypt(`value-${i}-\u00e9`, { i: String(i) })}?context.i=${i}`;
    proxy.calls.length = 0;
    const values = await r.resolveAll(refs);
    expect(values.v11).toBe('value-11-\u00e9');
    expect(proxy.count('Decrypt')).toBe(12);
    expect(r.stats().calls).toBe(1); // one provider call: every Decrypt in flight together
    clock.jump(365 * 24 * 3600 * 1000);
    await r.resolveAll(refs);
    expect(proxy.count('Decrypt')).toBe(12);
  });

  it('a wrong context is never answered from the cache of the right one', async () => {
    const ciphertext = awsEncrypt(PASSWORD, { Env: 'prod' });
    const r = resolver();
    expect(await r.resolve(`kms:${ciphertext}?context.Env=prod`)).toBe(PASSWORD);
    await expect(r.resolve(`kms:${ciphertext}?context.Env=dev`)).rejects.toBeInstanceOf(DecryptionError);
    await expect(r.resolve(`kms:${ciphertext}`)).rejects.toBeInstanceOf(DecryptionError);
  });
});

/** Does anything observable about the error (message, stack, causes, inspect, JSON) hold the secret? */
function leaks(error: unknown, secret: string): boolean {
  const seen: string[] = [];
  for (let e: unknown = error; e; e = e instanceof Error ? e.cause : undefined) {
    seen.push(inspect(e, { showHidden: true, depth: 10 }), JSON.stringify(e) ?? '');
    if (e instanceof Error) seen.push(e.message, e.stack ?? '');
  }
  const inner = error instanceof ResolveAllError ? Object.values(error.errors) : [];
  return seen.some((text) => text.includes(secret)) || inner.some((e) => leaks(e, secret));
}

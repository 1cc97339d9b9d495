/**
 * Branches moto cannot produce, with the SDK client stubbed: RSA key parameters, key states
 * (disabled, pending deletion, wrong key), throttling, and what decryptEnvWith and encrypt send.
 */

import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
} from '@aws-sdk/client-kms';
import { lambdaEncryptionContext } from '@secretref/aws';
import {
  CHANNELS,
  createResolver,
  DecryptionError,
  InvalidOptionError,
  InvalidReferenceError,
  ProviderError,
  ThrottledError,
  TimeoutError,
} from '@secretref/core';
import { decryptEnvWith, encrypt, kmsProvider } from '@secretref/kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { observable } from '../../core/test/helpers.ts';

const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
const kms = mockClient(client);
const resolver = () => createResolver({ providers: [kmsProvider({ client })], retryBaseMs: 0 });
const BLOB = Buffer.concat([Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]), Buffer.alloc(40, 3)]).toString('base64');
const utf8 = (text: string) => new TextEncoder().encode(text);

function awsError(name: string, status = 400): KMSServiceException {
  return new KMSServiceException({
    name,
    message: `${name} message`,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

beforeEach(() => {
  kms.reset();
});

describe('Decrypt', () => {
  it('sends the context, key id and RSA algorithm the reference names', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: utf8('plain \u00e9') });
    const keyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const ref = `kms:${BLOB}?keyId=${keyId}&alg=RSAES_OAEP_SHA_1&context.App=web`;
    expect(await resolver().resolve(ref)).toBe('plain \u00e9');
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toEqual({
      CiphertextBlob: new Uint8Array(Buffer.from(BLOB, 'base64')),
      EncryptionContext: { App: 'web' },
      KeyId: keyId,
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
    });
  });

  it('returns bytes with as=binary, and rejects a plaintext that is not UTF-8 as a string', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array([0xff, 0xfe, 0x00]) });
    const r = resolver();
    expect([...(await r.resolve(`kms:${BLOB}`, { as: 'binary' }))]).toEqual([0xff, 0xfe, 0x00]);
    await expect(r.resolve(`kms:${BLOB}`)).rejects.toThrow('not valid UTF-8');
  });

  it.each([
    ['InvalidCiphertextException', 'encryption context'],
    ['IncorrectKeyException', 'different key'],
    ['KMSInvalidStateException', 'pending deletion'],
    ['DisabledException', 'disabled'],
    ['NotFoundException', 'does not exist'],
    ['InvalidKeyUsageException', '?alg='],
  ])('%s is a DecryptionError that says why', async (name, hint) => {
    kms.on(DecryptCommand).rejects(awsError(name));
    const error = await resolver()
      .resolve(`kms:${BLOB}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toContain(hint);
    expect((error as DecryptionError).transient).toBe(false);
  });

  it('KeyUnavailableException (HTTP 500, AWS says retry) is transient', async () => {
    kms.on(DecryptCommand).rejects(awsError('KeyUnavailableException', 500));
    const error = await resolver()
      .resolve(`kms:${BLOB}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(true);
  });

  it('an RSA ciphertext that starts like an Encryption SDK header is decrypted as RSA', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: utf8('rsa plaintext') });
    const lookalike = Buffer.from([0x02, 0x05, 0x78, ...Array.from({ length: 253 }, (_, i) => i)]).toString('base64');
    const keyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(await resolver().resolve(`kms:${lookalike}?keyId=${keyId}&alg=RSAES_OAEP_SHA_256`)).toBe('rsa plaintext');
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(1);
  });

  it('throttling and 5xx are transient, not decryption failures', async () => {
    kms.on(DecryptCommand).rejects(awsError('ThrottlingException'));
    // One attempt: the retries would wait the turns of KMS's throttle governor, on the real clock.
    const once = createResolver({ providers: [kmsProvider({ client })], retries: 0 });
    await expect(once.resolve(`kms:${BLOB}`)).rejects.toBeInstanceOf(ThrottledError);
    kms.reset();
    kms.on(DecryptCommand).rejects(awsError('KMSInternalException', 500));
    const error = await resolver()
      .resolve(`kms:${BLOB}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(true);
  });

  it('names the reference by its length and a keyed digest, never any of its ciphertext', async () => {
    const long = Buffer.concat([Buffer.from([1, 2, 2, 0, 0x78]), Buffer.alloc(200, 9)]).toString('base64');
    kms.on(DecryptCommand).rejects(awsError('InvalidCiphertextException'));
    const error = await resolver()
      .resolve(`kms:${long}`)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`kms:<${long.length} characters, hmac [0-9a-f]{12}>`));
    expect(observable(error)).not.toContain(long.slice(0, 12));
  });
});

describe('a Decrypt answer without Plaintext bytes', () => {
  it.each([
    ['no Plaintext', {}],
    ['a number', { Plaintext: 123 }],
    ['an object', { Plaintext: { evil: 1 } }],
    ['a string', { Plaintext: 'S3CR3T' }],
    // KMS plaintexts are 1 to 4096 bytes (Encrypt refuses an empty one).
    ['0 bytes', { Plaintext: new Uint8Array(0) }],
  ])('is a transient ProviderError (%s), never a value', async (_, output) => {
    kms.on(DecryptCommand).resolves(output as never);
    const error = await resolver()
      .resolve(`kms:${BLOB}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(true);
    expect((error as Error).message).toContain('an answer without Plaintext bytes');
    expect(observable(error)).not.toContain('S3CR3T');
  });

  it('is transient through the Encryption SDK too (the Decrypt of a data key)', async () => {
    const keyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const dataKey = randomBytes(32);
    kms.on(GenerateDataKeyCommand).callsFake(() => ({
      Plaintext: new Uint8Array(dataKey),
      CiphertextBlob: new Uint8Array([7, 7, 7, 7]),
      KeyId: keyId,
    }));
    const { reference, envelope } = await encrypt('x'.repeat(5000), { keyId, client });
    expect(envelope).toBe(true);
    kms.on(DecryptCommand).callsFake(() => ({ Plaintext: new Uint8Array(dataKey), KeyId: keyId }));
    expect(await resolver().resolve(reference)).toBe('x'.repeat(5000));
    for (const answer of [{ KeyId: keyId }, { KeyId: keyId, Plaintext: new Uint8Array(0) }]) {
      kms.on(DecryptCommand).resolves(answer);
      const error = await resolver()
        .resolve(reference)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).transient).toBe(true);
      expect((error as Error).message).toContain('an answer without Plaintext bytes');
    }
  });
});

describe('a Decrypt answer for another key than ?keyId= names', () => {
  const keyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const other = 'arn:aws:kms:us-east-1:123456789012:key/ffffffff-12ab-34cd-56ef-1234567890ab';

  it('is a DecryptionError, not transient: the caller pinned the key', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: utf8('S3CR3T-plain'), KeyId: other });
    const error = await resolver()
      .resolve(`kms:${BLOB}?keyId=${keyId}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).transient).toBe(false);
    expect((error as Error).message).toContain('another key');
    expect(observable(error)).not.toContain('S3CR3T');
    expect(observable(error)).not.toContain('ffffffff');
  });

  it.each([
    ['the same key ARN', `?keyId=${keyId}`, keyId],
    ['no ?keyId=', '', other],
    ['an alias (the answer names the key behind it)', '?keyId=alias/app', other],
  ])('with %s, the answer is the value', async (_, query, answered) => {
    kms.on(DecryptCommand).resolves({ Plaintext: utf8('plain'), KeyId: answered });
    expect(await resolver().resolve(`kms:${BLOB}${query}`)).toBe('plain');
  });
});

describe('a kms: body is never shown (it wraps key material, or is by mistake a plaintext)', () => {
  // Base64-shaped and long enough to be taken for a ciphertext: it reaches KMS, which refuses it.
  const PLAINTEXT = 'hunter2Xhunter2Xhunter2Xhunter2Xhunter2Xhunter2X';
  const listeners: [string, (message: unknown) => void][] = [];
  afterEach(() => {
    for (const [name, listener] of listeners.splice(0)) unsubscribe(name, listener);
  });
  function record(): unknown[] {
    const events: unknown[] = [];
    for (const name of Object.values(CHANNELS)) {
      const listener = (message: unknown) => events.push(message);
      subscribe(name, listener);
      listeners.push([name, listener]);
    }
    return events;
  }

  it('not in the miss, fetch and error events of decryptEnv given a plaintext', async () => {
    kms.on(DecryptCommand).rejects(awsError('InvalidCiphertextException'));
    const events = record();
    const error = await decryptEnvWith(resolver(), ['DB_PASSWORD'], { env: { DB_PASSWORD: PLAINTEXT } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DecryptionError);
    expect(events.length).toBeGreaterThanOrEqual(3); // miss, fetch, error
    const seen = observable(events) + observable(error);
    expect(seen).not.toContain(PLAINTEXT);
    expect(seen).not.toContain(PLAINTEXT.slice(0, 8));
    expect(seen).toMatch(/kms:<\d+ characters, hmac [0-9a-f]{12}>/);
  });

  it('not in the message or ref of an invalid reference, however short the body', async () => {
    for (const ref of ['kms:hunter2?foo=bar', 'kms:Zqx9K', `kms:${PLAINTEXT}?context=nope`, 'kms:abc%zz']) {
      const error = await resolver()
        .resolve(ref)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidReferenceError);
      const body = ref.slice(4).split('?')[0] as string;
      expect(observable(error), ref).not.toContain(body);
    }
  });

  it('nor its query or fragment, which a plaintext pasted by mistake may hold', async () => {
    kms.on(DecryptCommand).rejects(awsError('InvalidCiphertextException'));
    const events = record();
    const long = 'p4ssw0rdp4ssw0rdp4ssw0rdp4ssw0rdp4ssw0rdp4ssw0rd';
    for (const ref of ['kms:p4ss?w0rd#S3CR3Tx9', `kms:${long}#S3CR3Tx9`, 'kms:p4ss?region=S3CR3Tx9']) {
      const error = await resolver()
        .resolve(ref)
        .catch((e: unknown) => e);
      expect(error, ref).toBeInstanceOf(Error);
      const seen = observable(error) + observable(events);
      expect(seen, ref).not.toContain('S3CR3Tx9');
      expect(seen, ref).not.toContain('w0rd');
    }
  });

  it('the same body shows the same digest within a process, and another body another one', async () => {
    kms.on(DecryptCommand).rejects(awsError('InvalidCiphertextException'));
    const messages = await Promise.all(
      [Buffer.alloc(40, 1), Buffer.alloc(40, 1), Buffer.alloc(40, 2)].map((bytes) =>
        resolver()
          .resolve(`kms:${bytes.toString('base64')}`)
          .catch((e: unknown) => (e as Error).message),
      ),
    );
    const digests = messages.map((m) => /hmac ([0-9a-f]{12})/.exec(String(m))?.[1]);
    expect(digests[0]).toBeDefined();
    expect(digests[0]).toBe(digests[1]);
    expect(digests[2]).not.toBe(digests[0]);
  });
});

describe('decryptEnv', () => {
  it('inside Lambda sends the console context { LambdaFunctionName } by default', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: utf8('s3cret') });
    const env: Record<string, string | undefined> = { AWS_LAMBDA_FUNCTION_NAME: 'orders-api', A: BLOB };
    expect(await decryptEnvWith(resolver(), ['A'], { env })).toEqual({ A: 's3cret' });
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input.EncryptionContext).toEqual({
      LambdaFunctionName: 'orders-api',
    });
    expect(env.A).toBe('s3cret');
  });

  it('takes another context, or none, and can leave the environment alone', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: utf8('s3cret') });
    const env: Record<string, string | undefined> = { AWS_LAMBDA_FUNCTION_NAME: 'fn', A: BLOB, B: `${BLOB}\n` };
    await decryptEnvWith(resolver(), ['A'], { env, context: { Team: 'core' }, write: false });
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input.EncryptionContext).toEqual({ Team: 'core' });
    expect(env.A).toBe(BLOB);
    // A trailing newline (base64 as some tools write it) is not part of the ciphertext.
    await decryptEnvWith(resolver(), ['B'], { env, context: false });
    expect(kms.commandCalls(DecryptCommand)[1]?.args[0].input.EncryptionContext).toBeUndefined();
    expect(env.B).toBe('s3cret');
  });

  it('says what to do with a kms: reference, and names the missing context when KMS refuses', async () => {
    const reference = await decryptEnvWith(resolver(), ['A'], { env: { A: `kms:${BLOB}` } }).catch((e: unknown) => e);
    expect(reference).toMatchObject({ code: 'INVALID_VALUE' });
    expect((reference as Error).message).toMatch(/holds a kms: reference.*loadEnv/);
    expect((reference as Error).message).not.toContain(BLOB);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(0);
    kms.on(DecryptCommand).rejects(Object.assign(new Error('x'), { name: 'InvalidCiphertextException' }));
    const outside = await decryptEnvWith(resolver(), ['A'], { env: { A: BLOB } }).catch((e: unknown) => e);
    expect((outside as Error).message).toMatch(/no encryption context was sent.*pass \{ context \}/);
    const inside = await decryptEnvWith(resolver(), ['A'], { env: { A: BLOB, AWS_LAMBDA_FUNCTION_NAME: 'f' } }).catch(
      (e: unknown) => e,
    );
    expect(inside).toMatchObject({ code: 'DECRYPTION_FAILED' });
    expect((inside as Error).message).not.toMatch(/no encryption context/);
  });

  it('outside Lambda there is no default context', () => {
    expect(lambdaEncryptionContext({})).toBeUndefined();
    expect(lambdaEncryptionContext({ AWS_LAMBDA_FUNCTION_NAME: 'f' })).toEqual({ LambdaFunctionName: 'f' });
  });

  it('decrypts a variable named __proto__ as any other, and refuses unknown options', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: utf8('proto-secret') });
    const env = JSON.parse(`{"__proto__": "${BLOB}"}`) as Record<string, string>;
    const result = await decryptEnvWith(resolver(), ['__proto__'], { env, context: false });
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toBe('proto-secret');
    expect(Object.getOwnPropertyDescriptor(env, '__proto__')?.value).toBe('proto-secret');
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    // Not an own variable: not set.
    await expect(decryptEnvWith(resolver(), ['toString'], { env: {} })).rejects.toThrow('is not set');
    await expect(decryptEnvWith(resolver(), ['A'], { env: {}, contexts: {} } as never)).rejects.toThrow(
      /unknown option "contexts"/,
    );
  });

  it.each([
    ['a context that is a string', { context: 'abc' }],
    ['a context value that is a number', { context: { App: 5 } }],
    ['a context value that is an object', { context: { App: { toString: () => 'x' } } }],
    ['a timeoutMs that is a string', { timeoutMs: '5' }],
    ['a signal that is none', { signal: 'x' }],
  ])('refuses %s with an InvalidOptionError, before any call', async (_, bad) => {
    const error = await decryptEnvWith(resolver(), ['A'], { env: { A: BLOB }, ...(bad as object) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(0);
  });

  it('checks its arguments before any call', async () => {
    await expect(decryptEnvWith({} as never, ['A'], { env: { A: BLOB } })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(decryptEnvWith(resolver(), 'A' as never)).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(decryptEnvWith(resolver(), [''])).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(decryptEnvWith(resolver(), ['NOPE'], { env: {} })).rejects.toThrow('NOPE is not set');
    expect(kms.calls()).toHaveLength(0);
  });
});

describe('encrypt', () => {
  it('uses KMS Encrypt up to 4096 bytes, with the context, and prints a reference', async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from(BLOB, 'base64') });
    const result = await encrypt('x'.repeat(4096), { keyId: 'alias/app', context: { App: 'web' }, client });
    expect(result).toEqual({ ciphertext: BLOB, reference: `kms:${BLOB}?context.App=web`, envelope: false });
    expect(kms.commandCalls(EncryptCommand)[0]?.args[0].input).toMatchObject({
      KeyId: 'alias/app',
      EncryptionContext: { App: 'web' },
    });
  });

  it('writes the key ARN region into the reference, and refuses a contradicting or invalid region', async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from(BLOB, 'base64') });
    const keyId = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const other = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    mockClient(other)
      .on(EncryptCommand)
      .resolves({ CiphertextBlob: Buffer.from(BLOB, 'base64') });
    expect((await encrypt('x', { keyId, client: other })).reference).toBe(`kms:${BLOB}?region=eu-west-1`);
    await expect(encrypt('x', { keyId, region: 'us-east-1', client })).rejects.toThrow('contradicts');
    await expect(encrypt('x', { keyId: 'k', region: 'moon', client })).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('fails when KMS returns no ciphertext', async () => {
    kms.on(EncryptCommand).resolves({});
    await expect(encrypt('x', { keyId: 'alias/app', client })).rejects.toThrow('returned no ciphertext');
  });

  it('rejects bad options before any call', async () => {
    await expect(encrypt('', { keyId: 'alias/app', client })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(encrypt('x', { keyId: 'has space', client })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(encrypt('x', { keyId: 'k', context: { '': 'v' }, client })).rejects.toBeInstanceOf(InvalidOptionError);
    expect(kms.calls()).toHaveLength(0);
  });

  it('ends by its deadline when KMS never answers, even if the call ignores its signal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      kms.on(EncryptCommand).callsFake(() => new Promise(() => {}));
      let settled: unknown;
      void encrypt('plaintext', { keyId: 'alias/app', client, timeoutMs: 3000 }).catch((e: unknown) => {
        settled = e;
      });
      await vi.advanceTimersByTimeAsync(2999);
      expect(settled).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBeInstanceOf(TimeoutError);
      expect((settled as Error).message).toContain('within 3000 ms');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses what is no plaintext, no options and unknown options before any call', async () => {
    await expect(encrypt(12345 as never, { keyId: 'alias/app', client })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(encrypt('x', undefined as never)).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(encrypt('x', { keyId: 'alias/app', client, timeout: 5 } as never)).rejects.toThrow(
      /unknown option "timeout"/,
    );
    expect(kms.commandCalls(EncryptCommand)).toHaveLength(0);
  });

  it('maps KMS errors, never echoing the plaintext', async () => {
    kms.on(EncryptCommand).rejects(awsError('NotFoundException'));
    const error = await encrypt('plaintext-never-shown', { keyId: 'alias/gone', client }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('alias/gone');
    expect((error as Error).message).toContain('does not exist');
    expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain('plaintext-never-shown');
  });
});

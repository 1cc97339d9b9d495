import { createResolver, formatReference, InvalidReferenceError, type Reference } from '@secretref/core';
import { isEncryptionSdkMessage, kmsProvider } from '@secretref/kms';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const resolver = createResolver({ providers: [kmsProvider()] });
// A KMS ciphertext blob of a symmetric key starts 01 02 02 00 78 ("AQICAHh" in base64).
// A KMS blob header, bytes that take every base64 character class (+ and /), and padding to 32 bytes.
const BLOB = Buffer.concat([
  Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78, 0xfb, 0xff, 0xfe, 0x3e, 0x10, 0x20]),
  Buffer.alloc(21, 7),
]).toString('base64');
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('kms: references', () => {
  it.each<[string, Reference]>([
    [`kms:${BLOB}`, { scheme: 'kms', body: BLOB, params: {} }],
    [
      `kms:${BLOB}?context.LambdaFunctionName=orders-api`,
      { scheme: 'kms', body: BLOB, params: { 'context.LambdaFunctionName': 'orders-api' } },
    ],
    [
      `kms:${BLOB}?context=${encodeURIComponent('{"B":"2","A":"1"}')}`,
      { scheme: 'kms', body: BLOB, params: { 'context.A': '1', 'context.B': '2' } },
    ],
    // The key ARN names the region.
    [
      `kms:${BLOB}?keyId=${KEY_ARN}&alg=RSAES_OAEP_SHA_256`,
      { scheme: 'kms', body: BLOB, params: { keyId: KEY_ARN, alg: 'RSAES_OAEP_SHA_256' }, region: 'eu-west-1' },
    ],
    // The default algorithm is no parameter.
    [`kms:${BLOB}?alg=SYMMETRIC_DEFAULT`, { scheme: 'kms', body: BLOB, params: {} }],
    [`kms:${BLOB}?keyId=alias/app`, { scheme: 'kms', body: BLOB, params: { keyId: 'alias/app' } }],
    // "__proto__" is a context key like any other.
    [`kms:${BLOB}?context.__proto__=x`, { scheme: 'kms', body: BLOB, params: { 'context.__proto__': 'x' } }],
  ])('%s', (input, expected) => {
    expect(resolver.parse(input)).toEqual(expected);
  });

  it('writes one canonical form for the URL-safe alphabet, missing padding, percent-encoding and either context spelling', () => {
    const bytes = Buffer.concat([Buffer.from([0xfb, 0xff, 0xfe, 0x01, 0x02]), Buffer.alloc(30)]);
    const standard = bytes.toString('base64'); // "+//+AQIAAA..."
    const spellings = [
      `kms:${standard}?context.App=web`,
      `kms:${bytes.toString('base64url')}?context.App=web`,
      `kms:${encodeURIComponent(standard)}?context.App=web`,
      `kms:${standard}?context=${encodeURIComponent('{"App":"web"}')}`,
      `kms:${standard}?context=${encodeURIComponent('{"App":"web"}')}&context.App=web`,
    ];
    const canonical = new Set(spellings.map((s) => formatReference(resolver.parse(s))));
    expect(canonical).toEqual(new Set([`kms:${standard}?context.App=web`]));
  });

  it.each([
    ['kms:not*base64', 'base64 ciphertext'],
    ['kms:A', 'base64 ciphertext'],
    ['kms:====', 'base64 ciphertext'],
    ['kms:%E0%A4%A', 'percent-encoding'],
    [`kms:${BLOB}?alg=RSAES_OAEP_SHA_256`, 'needs ?keyId='],
    [`kms:${BLOB}?keyId=k&alg=RSAES_PKCS1`, '?alg= must be one of'],
    [`kms:${BLOB}?keyId=key%20with%20space`, 'not a KMS key id'],
    // A key ARN whose region is of another partition names no key: refused before any call.
    [
      `kms:${BLOB}?keyId=arn:aws-cn:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      'not a KMS key or alias ARN',
    ],
    [`kms:${BLOB}?context=not-json`, 'JSON object of strings'],
    [`kms:${BLOB}?context=${encodeURIComponent('["a"]')}`, 'JSON object of strings'],
    [`kms:${BLOB}?context=${encodeURIComponent('{"a":1}')}`, 'must be a non-empty string'],
    [`kms:${BLOB}?context=${encodeURIComponent('{"a":""}')}`, 'must be a non-empty string'],
    [`kms:${BLOB}?context=${encodeURIComponent('{"a":"1"}')}&context.a=2`, 'different values'],
    [`kms:${BLOB}?context.=x`, 'unknown query param'],
    [`kms:${BLOB}?context=${encodeURIComponent('{"":"x"}')}`, 'must not be empty'],
    [`kms:${BLOB}?keyId=arn:aws:kms:moon-1:123456789012:key/x`, 'not an AWS region'],
    [`kms:${BLOB}?flavour=x`, 'unknown query parameter (not shown)'],
  ])('%s is invalid (%s)', (input, message) => {
    expect(() => resolver.parse(input)).toThrow(InvalidReferenceError);
    expect(() => resolver.parse(input)).toThrow(message);
  });

  it('refuses a body too short to be a ciphertext (a plaintext set by mistake) before any call', () => {
    for (const body of ['hunter2', 'c2VjcmV0LXRva2VuLTEyMzQ1', Buffer.alloc(31, 1).toString('base64')]) {
      expect(() => resolver.parse(`kms:${body}`)).toThrow(/too short to be a KMS ciphertext/);
    }
    expect(resolver.parse(`kms:${Buffer.alloc(32, 1).toString('base64')}`).scheme).toBe('kms');
  });

  it('an Encryption SDK message takes only a key ARN as ?keyId=', () => {
    const message = Buffer.concat([Buffer.from([0x02, 0x05, 0x78]), Buffer.alloc(40)]).toString('base64');
    expect(() => resolver.parse(`kms:${message}?keyId=alias/app`)).toThrow('must be a key ARN');
    expect(() => resolver.parse(`kms:${message}?keyId=1234abcd-12ab-34cd-56ef-1234567890ab`)).toThrow('key ARN');
    expect(resolver.parse(`kms:${message}?keyId=${KEY_ARN}`).params.keyId).toBe(KEY_ARN);
  });

  it('never echoes the ciphertext in full', () => {
    const long = Buffer.alloc(300, 7).toString('base64');
    let message = '';
    try {
      resolver.parse(`kms:${long}?alg=RSAES_OAEP_SHA_256`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('needs ?keyId=');
    expect(message).not.toContain(long);
  });

  it('every canonical reference parses back to itself, whichever way the context is written (property)', () => {
    const text = fc.string({ minLength: 1, maxLength: 8 });
    const context = fc.dictionary(text, text, { maxKeys: 4 });
    const key = fc.option(fc.constantFrom(KEY_ARN, 'alias/app', '1234abcd-12ab-34cd-56ef-1234567890ab'), {
      nil: undefined,
    });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 96 }),
        context,
        fc.boolean(),
        key,
        (bytes, ctx, asJson, keyId) => {
          const pairs = Object.entries(ctx).map(
            ([k, v]) => `context.${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
          );
          const json = Object.keys(ctx).length > 0 ? [`context=${encodeURIComponent(JSON.stringify(ctx))}`] : [];
          const query = [...(asJson ? json : pairs), ...(keyId ? [`keyId=${keyId}`] : [])].join('&');
          const ref = `kms:${Buffer.from(bytes).toString('base64url')}${query ? `?${query}` : ''}`;
          let parsed: Reference;
          try {
            parsed = resolver.parse(ref);
          } catch (error) {
            // Only a message header with a non-ARN key id is refused.
            expect(String(error)).toContain('must be a key ARN');
            return;
          }
          const canonical = formatReference(parsed);
          expect(resolver.parse(canonical)).toEqual(parsed);
          expect(Buffer.from(parsed.body, 'base64')).toEqual(Buffer.from(bytes));
          for (const [k, v] of Object.entries(ctx)) expect(parsed.params[`context.${k}`]).toBe(v);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('isEncryptionSdkMessage', () => {
  it.each([
    [[0x02, 0x05, 0x78], true], // v2, ALG_AES256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
    [[0x02, 0x04, 0x78], true], // v2, ALG_AES256_GCM_HKDF_SHA512_COMMIT_KEY
    [[0x01, 0x80, 0x03, 0x78], true], // v1
    [[0x01, 0x02, 0x02, 0x00, 0x78], false], // a KMS ciphertext blob
    [[0x02, 0x01, 0x78], false],
    [[0x34, 0x35, 0x36], false], // moto's blobs start with the key id in clear
  ])('%j: %s', (bytes, expected) => {
    expect(isEncryptionSdkMessage(new Uint8Array(bytes))).toBe(expected);
  });
});

/**
 * The KMS reference: `kms:<base64 ciphertext>` with the encryption context as `?context.<Key>=<Value>`
 * (repeatable) or `?context=<JSON>`, and `?keyId=` / `?alg=` for asymmetric keys. The body is either a
 * KMS ciphertext blob or an AWS Encryption SDK message (told apart by the message header).
 */
import { isAwsRegion, parseArn } from '@secretref/aws';
import { InvalidReferenceError, type Locator, type ParseInput } from '@secretref/core';

/** Encryption algorithms `Decrypt` accepts for ciphertexts of RSA keys. */
const RSA_ALGORITHMS: readonly string[] = ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'];

/** How the KMS provider locates (decrypts) one value. */
export interface KmsLocator extends Locator {
  /** The decoded ciphertext blob or Encryption SDK message. */
  readonly ciphertext: Uint8Array;
  /** The encryption context the reference names (empty when it names none). */
  readonly context: Readonly<Record<string, string>>;
  /** The key to decrypt with: required for RSA ciphertexts, optional otherwise. */
  readonly keyId: string | undefined;
  /** `RSAES_OAEP_SHA_256` or `RSAES_OAEP_SHA_1` for RSA ciphertexts; `undefined` for symmetric keys. */
  readonly algorithm: string | undefined;
  /** `true` for an AWS Encryption SDK message (envelope encryption), `false` for a KMS ciphertext blob. */
  readonly envelope: boolean;
}

/** The scheme-specific query parameters. */
export const KMS_PARAMS: readonly string[] = ['context', 'context.*', 'keyId', 'alg'];

const CONTEXT_PREFIX = 'context.';
// Standard or URL-safe alphabet, padding optional.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
/** The shortest body taken for a ciphertext (KMS's are 150 bytes and more, moto's 64 and more). */
const MIN_CIPHERTEXT_BYTES = 32;
/** KMS ciphertexts are at most 6144 bytes; Encryption SDK messages of large values are bigger. */
const MAX_BYTES = 1024 * 1024;
// A key id, key ARN, alias name or alias ARN (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html).
const KEY_ID = /^[A-Za-z0-9:/_+=,.@-]{1,2048}$/;
const KEY_RESOURCE = /^key\/[A-Za-z0-9-]+$/;

/** A key ARN or alias ARN: its region, and whether it names a key; `undefined` for any other key id. */
export function kmsArn(keyId: string): { readonly region: string; readonly key: boolean } | undefined {
  const arn = parseArn(keyId, 'kms');
  if (!arn || arn.region === '' || arn.account === '') return undefined;
  if (KEY_RESOURCE.test(arn.resource)) return { region: arn.region, key: true };
  return arn.resource.startsWith('alias/') ? { region: arn.region, key: false } : undefined;
}

function invalid(input: ParseInput, message: string): InvalidReferenceError {
  // The reference is not echoed in full: a ciphertext is long, and the fault is named precisely.
  return new InvalidReferenceError(message, { ref: input.ref, scheme: input.scheme });
}

/**
 * Is this an AWS Encryption SDK message? Version 2 starts 0x02 and a committing algorithm suite
 * (0x0478, 0x0578); version 1 starts 0x01 0x80 (type: customer authenticated encrypted data). KMS
 * ciphertext blobs of symmetric keys start 0x01 0x02, so the two never collide.
 */
export function isEncryptionSdkMessage(bytes: Uint8Array): boolean {
  if (bytes[0] === 0x02) return (bytes[1] === 0x04 || bytes[1] === 0x05) && bytes[2] === 0x78;
  return bytes[0] === 0x01 && bytes[1] === 0x80;
}

/** Decodes the body to bytes, accepting percent-encoding and the URL-safe alphabet. */
function decode(input: ParseInput): Uint8Array {
  let text = input.body;
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw invalid(input, 'the ciphertext has a malformed percent-encoding');
    }
  }
  if (text.length > (MAX_BYTES * 4) / 3 + 4) throw invalid(input, 'the ciphertext is larger than 1 MiB');
  if (!BASE64.test(text) || text.length % 4 === 1) {
    throw invalid(input, 'the body of a kms: reference must be a base64 ciphertext');
  }
  const bytes = new Uint8Array(Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64'));
  if (bytes.length === 0) throw invalid(input, 'the ciphertext is empty');
  // A KMS ciphertext is 150 bytes and more; so short a body is a plaintext set by mistake: it is
  // refused here rather than sent to KMS.
  if (bytes.length < MIN_CIPHERTEXT_BYTES) {
    throw invalid(input, `the body is too short to be a KMS ciphertext (${bytes.length} bytes): is it a plaintext?`);
  }
  return bytes;
}

/** The encryption context from `?context=<JSON>` and `?context.<Key>=<Value>`, which must agree. */
function contextOf(input: ParseInput): Record<string, string> {
  // A Map, so that a key such as "__proto__" is a key like any other.
  const context = new Map<string, string>();
  const json = input.params.context;
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw invalid(input, '?context= must be a JSON object of strings (URL-encoded)');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw invalid(input, '?context= must be a JSON object of strings (URL-encoded)');
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string' || value === '') {
        throw invalid(input, `the context value of "${key}" must be a non-empty string`);
      }
      context.set(key, value);
    }
  }
  for (const [name, value] of Object.entries(input.params)) {
    if (!name.startsWith(CONTEXT_PREFIX)) continue;
    const key = name.slice(CONTEXT_PREFIX.length);
    const known = context.get(key);
    if (known !== undefined && known !== value) {
      throw invalid(input, `?context= and ?context.${key}= name different values`);
    }
    context.set(key, value);
  }
  if (context.has('')) throw invalid(input, 'an encryption context key must not be empty');
  return Object.fromEntries([...context].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Parses a KMS reference body; throws `InvalidReferenceError`. */
export function parseKmsBody(input: ParseInput): KmsLocator {
  const ciphertext = decode(input);
  const context = contextOf(input);
  const keyId = input.params.keyId;
  if (keyId !== undefined && !KEY_ID.test(keyId)) {
    throw invalid(input, `"${keyId}" is not a KMS key id, key ARN or alias`);
  }
  let algorithm = input.params.alg;
  if (algorithm === 'SYMMETRIC_DEFAULT') algorithm = undefined;
  if (algorithm !== undefined) {
    if (!RSA_ALGORITHMS.includes(algorithm)) {
      throw invalid(input, `?alg= must be one of ${[...RSA_ALGORITHMS, 'SYMMETRIC_DEFAULT'].join(', ')}`);
    }
    if (keyId === undefined) throw invalid(input, `?alg=${algorithm} needs ?keyId= (the RSA key)`);
  }
  // An RSA ciphertext is random bytes that may start like a message header: ?alg= says what it is.
  const envelope = algorithm === undefined && isEncryptionSdkMessage(ciphertext);
  const arn = keyId === undefined ? undefined : kmsArn(keyId);
  // An ARN that names no key or alias (a region of another partition, a missing account) is refused here.
  if (keyId?.startsWith('arn:') && arn === undefined) {
    throw invalid(input, '?keyId= is not a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>)');
  }
  if (envelope && keyId !== undefined && !arn?.key) {
    throw invalid(
      input,
      'for an Encryption SDK message, ?keyId= must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    );
  }
  const region = arn?.region;
  if (region !== undefined && !isAwsRegion(region)) throw invalid(input, `"${region}" is not an AWS region`);
  // Canonical parameters: the context as context.<Key>, no default algorithm.
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) params[`${CONTEXT_PREFIX}${key}`] = value;
  if (keyId !== undefined) params.keyId = keyId;
  if (algorithm !== undefined) params.alg = algorithm;
  return {
    key: Buffer.from(ciphertext).toString('base64'),
    region,
    params,
    ciphertext,
    context,
    keyId,
    algorithm,
    envelope,
  };
}

/** The AWS CLI (v1, preinstalled) against the local AWS, as a user would run it: for interoperability tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let work: string | undefined;

/** Writes bytes to a fresh temporary file, for `fileb://` arguments. */
function tempFile(bytes: Uint8Array | string): string {
  work ??= mkdtempSync(join(tmpdir(), 'secretref-aws-cli-'));
  const file = join(work, `blob-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, bytes);
  return file;
}

/** Runs `aws <args>` against `endpoint` in us-east-1 with text output; returns stdout, trimmed. */
export function awsCli(endpoint: string, ...args: string[]): string {
  return execFileSync('aws', [...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'text'], {
    encoding: 'utf8',
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' },
  }).trim();
}

function contextArgs(context: Readonly<Record<string, string>>): string[] {
  const pairs = Object.entries(context).map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? ['--encryption-context', pairs.join(',')] : [];
}

/** `aws kms encrypt` of a UTF-8 plaintext with an encryption context: the base64 `CiphertextBlob`. */
export function awsKmsEncrypt(
  endpoint: string,
  keyId: string,
  plaintext: string,
  context: Readonly<Record<string, string>> = {},
): string {
  const file = tempFile(plaintext);
  return awsCli(
    endpoint,
    'kms',
    'encrypt',
    '--key-id',
    keyId,
    '--plaintext',
    `fileb://${file}`,
    ...contextArgs(context),
    '--query',
    'CiphertextBlob',
  );
}

/** `aws kms decrypt` of a base64 ciphertext with an encryption context: the UTF-8 plaintext. */
export function awsKmsDecrypt(
  endpoint: string,
  ciphertext: string,
  context: Readonly<Record<string, string>> = {},
): string {
  const file = tempFile(Buffer.from(ciphertext, 'base64'));
  const base64 = awsCli(
    endpoint,
    'kms',
    'decrypt',
    '--ciphertext-blob',
    `fileb://${file}`,
    ...contextArgs(context),
    '--query',
    'Plaintext',
  );
  return Buffer.from(base64, 'base64').toString('utf8');
}

/**
 * `secretref encrypt --key <key> [--context K=V ...] [--file F] [--raw]`: encrypts the file or stdin
 * and prints a ready `kms:` reference (or, with `--raw`, the bare base64 ciphertext for `decryptEnv`).
 */
import { readFile } from 'node:fs/promises';
import { encrypt, KMS_ENCRYPT_LIMIT } from '@secretref/kms';
import { EXIT, type Io, parseCommandArgs, readAll, UsageError } from './io.ts';

const ENCRYPT_USAGE = `Usage: secretref encrypt --key <key-id|alias|arn> [--context K=V ...] [--file F] [--raw] [--region R]

Encrypts the plaintext in F (or on stdin, byte for byte: use printf '%s' to leave out a newline) with
AWS KMS and prints a reference to paste into an environment variable:

  kms:<base64 ciphertext>?context.K=V

Up to ${KMS_ENCRYPT_LIMIT} bytes: one KMS Encrypt call. Larger: an AWS Encryption SDK message
(@aws-crypto/client-node, installed with secretref). Credentials, region and endpoint come from the
AWS SDK's default chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL...).

Options:
  --key <key>        KMS key id, key ARN, alias name (alias/app) or alias ARN (required)
  --context K=V      encryption context pair; repeat for more. Lambda's console uses
                     LambdaFunctionName=<function name>
  --file <path>      read the plaintext from this file instead of stdin
  --raw              print only the base64 ciphertext (the Lambda console's format, for decryptEnv)
  --region <region>  the key's region (also written into the reference)
  -h, --help         this help

Exit codes: 0 ok, 1 failure (message on stderr), 2 usage.
`;

function contextOf(pairs: readonly string[]): Record<string, string> {
  // A Map, so that a key such as "__proto__" is a key like any other.
  const context = new Map<string, string>();
  for (const [i, pair] of pairs.entries()) {
    const at = pair.indexOf('=');
    // Named by its position, never quoted: a malformed pair may be a value pasted in the wrong place.
    if (at <= 0 || at === pair.length - 1)
      throw new UsageError(
        `--context number ${i + 1} (of ${pairs.length}) is malformed: it takes K=V with both K and V non-empty`,
      );
    const key = pair.slice(0, at);
    if (context.has(key)) throw new UsageError(`--context names "${key}" twice`);
    context.set(key, pair.slice(at + 1));
  }
  return Object.fromEntries(context);
}

/** Runs `secretref encrypt`; returns the exit code. */
export async function encryptCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(
    'encrypt',
    {
      args: [...args],
      options: {
        key: { type: 'string' },
        context: { type: 'string', multiple: true },
        file: { type: 'string' },
        raw: { type: 'boolean' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    },
    { noArguments: 'the plaintext goes on stdin or in --file' },
  );
  if (values.help) {
    io.stdout.write(ENCRYPT_USAGE);
    return EXIT.ok;
  }
  if (!values.key) throw new UsageError('--key is required');
  const context = contextOf(values.context ?? []);
  let plaintext: Uint8Array;
  if (values.file !== undefined) {
    try {
      plaintext = new Uint8Array(await readFile(values.file));
    } catch (error) {
      io.stderr.write(
        `secretref encrypt: cannot read ${values.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`,
      );
      return EXIT.failure;
    }
  } else {
    if (io.stdin.isTTY) io.stderr.write('Reading the plaintext from stdin; end it with Ctrl-D.\n');
    plaintext = await readAll(io.stdin);
  }
  if (plaintext.length === 0) throw new UsageError('there is nothing to encrypt: the plaintext is empty');
  const result = await encrypt(plaintext, {
    keyId: values.key,
    context,
    ...(values.region === undefined ? {} : { region: values.region }),
  });
  io.stdout.write(`${values.raw ? result.ciphertext : result.reference}\n`);
  if (result.envelope) {
    io.stderr.write(
      `The plaintext is over ${KMS_ENCRYPT_LIMIT} bytes: this is an AWS Encryption SDK message (secretref decrypts it; @secretref/kms alone needs @aws-crypto/client-node added).\n`,
    );
  }
  return EXIT.ok;
}

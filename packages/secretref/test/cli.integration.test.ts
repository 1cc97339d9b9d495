/**
 * The `secretref` bin as a real process (the built dist/cli.mjs, as npm links it) against moto:
 * `secretref encrypt` output decrypts with the AWS CLI and through `kms:` and `decryptEnv`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { awsKmsDecrypt, localAwsConfig, localAwsEnv } from '@secretref/local-aws';
import { createResolver, decryptEnv, kmsProvider } from 'secretref';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const endpoint = inject('awsEndpoint');
const bin = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'secretref-cli-'));
const PLAINTEXT = 'p\u00e4ss-\u2603-\u{1F511}';
let keyArn: string;

function secretref(args: string[], input?: string | Buffer) {
  const run = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...localAwsEnv(endpoint), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const resolver = () => createResolver({ providers: [kmsProvider({ clientConfig: localAwsConfig(endpoint) })] });

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run "pnpm build" first (pnpm test does)`);
  const key = await new KMSClient(localAwsConfig(endpoint)).send(new CreateKeyCommand({}));
  keyArn = key.KeyMetadata?.Arn ?? '';
});

describe('secretref encrypt', () => {
  it('encrypts stdin and prints a kms: reference that aws kms decrypt and kms: both read', () => {
    const run = secretref(['encrypt', '--key', keyArn, '--context', 'App=orders', '--context', 'Env=prod'], PLAINTEXT);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const match = /^kms:([A-Za-z0-9+/=]+)\?context\.App=orders&context\.Env=prod\n$/.exec(run.stdout);
    expect(match).not.toBeNull();
    expect(awsKmsDecrypt(endpoint, match?.[1] ?? '', { App: 'orders', Env: 'prod' })).toBe(PLAINTEXT);
    return expect(resolver().resolve(run.stdout.trim())).resolves.toBe(PLAINTEXT);
  });

  it('--raw prints the bare ciphertext, which decryptEnv reads with the Lambda console context', async () => {
    const run = secretref(
      ['encrypt', '--key', keyArn, '--context', 'LambdaFunctionName=orders-api', '--raw'],
      PLAINTEXT,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[A-Za-z0-9+/=]+\n$/);
    const env: Record<string, string | undefined> = {
      AWS_LAMBDA_FUNCTION_NAME: 'orders-api',
      SECRET: run.stdout.trim(),
    };
    expect(await decryptEnv(['SECRET'], { env, resolver: resolver() })).toEqual({ SECRET: PLAINTEXT });
  });

  it('--file over 4096 bytes makes an Encryption SDK message that kms: reads', async () => {
    const big = `${'\u00e9'.repeat(3000)}-end`; // 6004 bytes of UTF-8
    const file = join(work, 'big.txt');
    writeFileSync(file, big);
    const run = secretref(['encrypt', '--key', keyArn, '--file', file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Encryption SDK message');
    expect(await resolver().resolve(run.stdout.trim())).toBe(big);
  });

  it('exit codes: 0 for --help, 2 for usage errors, 1 for a failure, with messages on stderr', () => {
    const help = secretref(['encrypt', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--key');
    for (const args of [
      ['encrypt'],
      ['encrypt', '--key', keyArn, '--context', 'no-equals'],
      ['encrypt', '--nope'],
      ['nope'],
      [],
    ]) {
      const run = secretref(args, 'x');
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toBe('');
    }
    const empty = secretref(['encrypt', '--key', keyArn], '');
    expect(empty.code).toBe(2);
    const gone = secretref(['encrypt', '--key', 'alias/does-not-exist'], 'never-printed-plaintext');
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toContain('alias/does-not-exist');
    expect(gone.stderr).not.toContain('never-printed-plaintext');
    const unreadable = secretref(['encrypt', '--key', keyArn, '--file', join(work, 'missing.txt')]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('ENOENT');
  });
});

/**
 * Each provider loads its SDK client on its first fetch: an app that resolves only `ssm:` never
 * loads the Secrets Manager client module. Checked in a real process that records every module it
 * resolves.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { localAwsConfig, localAwsEnv } from '@secretref/local-aws';
import { encrypt } from 'secretref';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const endpoint = inject('awsEndpoint');
const root = fileURLToPath(new URL('..', import.meta.url));
const name = `modules-${randomUUID().slice(0, 8)}`;

/**
 * Runs the fixture in a fresh process, on the transport `SECRETREF_AWS_TRANSPORT` names (`sdk` unless
 * told), and returns the SDK client packages it loaded.
 */
function clientsLoadedResolving(...refs: string[]): string[] {
  return clientsLoadedOn('sdk', ...refs);
}

function clientsLoadedOn(transport: string, ...refs: string[]): string[] {
  const log = join(mkdtempSync(join(tmpdir(), 'secretref-modules-')), 'modules.log');
  const run = spawnSync(
    'pnpm',
    [
      'exec',
      'tsx',
      '--conditions=@secretref/source',
      '--import',
      fileURLToPath(new URL('fixtures/record-modules.mjs', import.meta.url)),
      fileURLToPath(new URL('fixtures/resolve.ts', import.meta.url)),
      ...refs,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...localAwsEnv(endpoint), SECRETREF_MODULE_LOG: log, SECRETREF_AWS_TRANSPORT: transport },
    },
  );
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe(`resolved ${refs.length}`);
  const urls = readFileSync(log, 'utf8').split('\n');
  return [
    ...new Set(
      urls.map((url) => /@aws-(?:sdk\/(client-[a-z-]+)|crypto\/([a-z-]+))\//.exec(url)?.slice(1).find(Boolean)),
    ),
  ]
    .filter(Boolean)
    .sort() as string[];
}

let kmsRef: string;
let envelopeRef: string;

beforeAll(async () => {
  const kms = new KMSClient(localAwsConfig(endpoint));
  const key = await kms.send(new CreateKeyCommand({}));
  const encrypted = await kms.send(new EncryptCommand({ KeyId: key.KeyMetadata?.KeyId, Plaintext: Buffer.from('k') }));
  kmsRef = `kms:${Buffer.from(encrypted.CiphertextBlob ?? []).toString('base64')}`;
  const big = await encrypt('e'.repeat(5000), {
    keyId: key.KeyMetadata?.Arn ?? '',
    clientConfig: localAwsConfig(endpoint),
  });
  envelopeRef = big.reference;
  await new SSMClient(localAwsConfig(endpoint)).send(
    new PutParameterCommand({ Name: `/${name}`, Value: 'p', Type: 'SecureString', Overwrite: true }),
  );
  await new SecretsManagerClient(localAwsConfig(endpoint)).send(
    new CreateSecretCommand({ Name: name, SecretString: 's' }),
  );
});

describe('lazy SDK clients in the secretref package', () => {
  it('an app that resolves only ssm: references never loads the Secrets Manager or KMS client', () => {
    expect(clientsLoadedResolving(`ssm:/${name}`)).toEqual(['client-ssm']);
  });

  it('one that resolves only secrets never loads the SSM client', () => {
    expect(clientsLoadedResolving(`secretsmanager:${name}`)).toEqual(['client-secrets-manager']);
  });

  it('both, when both are resolved', () => {
    expect(clientsLoadedResolving(`ssm:/${name}`, `secretsmanager:${name}`)).toEqual([
      'client-secrets-manager',
      'client-ssm',
    ]);
  });

  it('a KMS ciphertext loads the KMS client alone, not the Encryption SDK', () => {
    expect(clientsLoadedResolving(kmsRef)).toEqual(['client-kms']);
  });

  it('an Encryption SDK message loads the Encryption SDK too', () => {
    expect(clientsLoadedResolving(envelopeRef)).toEqual(expect.arrayContaining(['client-kms', 'client-node']));
  });

  it('none for env: references', () => {
    expect(clientsLoadedResolving('env:HOME')).toEqual([]);
  });
});

describe('on the fetch transport (what auto picks with keys and a region in the environment)', () => {
  it('no SDK client at all for parameters, secrets and KMS ciphertexts', () => {
    expect(clientsLoadedOn('fetch', `ssm:/${name}`, `secretsmanager:${name}`, kmsRef)).toEqual([]);
  });

  it('an Encryption SDK message still loads the KMS client the Encryption SDK needs', () => {
    expect(clientsLoadedOn('fetch', envelopeRef)).toEqual(expect.arrayContaining(['client-kms', 'client-node']));
  });
});

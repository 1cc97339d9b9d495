/**
 * The secretref demo. Starts moto (a local AWS), seeds Parameter Store, Secrets Manager and KMS, then
 * resolves references in every form with the `secretref` package, exactly as an application would, and prints what it
 * got with the values redacted, plus the AWS calls it took.
 *
 * Run it with `npm run demo` (or `pnpm demo`) from the repository root.
 */
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { localAwsConfig, localAwsEnv, startFaultProxy, startMoto } from '@secretref/local-aws';
import { seed } from './seed.ts';

/** Shows the shape of a value, never the value. */
function redact(value: unknown): string {
  if (typeof value === 'string') return `[redacted string, ${value.length} chars]`;
  if (Array.isArray(value)) return `[redacted list, ${value.length} items]`;
  if (value instanceof Uint8Array) return `[redacted bytes, ${value.length}]`;
  if (typeof value === 'number') return `[redacted number]`;
  if (typeof value === 'object' && value !== null) return `[redacted object, keys: ${Object.keys(value).join(', ')}]`;
  return String(value);
}

const moto = await startMoto();
const aws = await startFaultProxy(moto.endpoint); // counts the calls that reach "AWS"
try {
  await seed(new SSMClient(localAwsConfig(moto.endpoint)), new SecretsManagerClient(localAwsConfig(moto.endpoint)));
  // What a deployed app has: the standard AWS environment (here pointing at the local AWS).
  Object.assign(process.env, localAwsEnv(aws.endpoint));

  const { resolveAll, resolve, defaultResolver } = await import('secretref');
  // #region resolve-all
  const refs = {
    password: 'ssm:/demo/db/password', // SecureString, latest version
    firstPassword: 'ssm:/demo/db/password:1', // a version
    previousPassword: 'ssm:/demo/db/password:previous', // a label
    user: 'arn:aws:ssm:us-east-1:123456789012:parameter/demo/db/user', // a bare ARN
    port: 'ssm:/demo/db/config#port', // a JSON key
    allowedHosts: { ref: 'ssm:/demo/allowed-hosts', as: 'list' }, // a StringList as an array
    stripeKey: '{{resolve:ssm-secure:/demo/stripe/api-key}}', // CloudFormation syntax
    features: 'ssm:/demo/features/', // everything under a path
    rdsPassword: 'secretsmanager:demo/rds#password', // a key of a JSON secret
    rdsUser: 'secretsmanager:demo/rds:username::', // the ECS / CodeBuild colon form
    previousRdsPassword: 'secretsmanager:demo/rds:password:AWSPREVIOUS:', // the version before rotation
    githubToken: '{{resolve:secretsmanager:demo/github-token}}', // CloudFormation syntax
  } as const;
  const secrets = await resolveAll(refs);
  // #endregion resolve-all

  console.log('secretref demo: resolving against a local AWS (moto)\n');
  const width = Math.max(...Object.keys(refs).map((k) => k.length));
  for (const [key, spec] of Object.entries(refs)) {
    const ref = typeof spec === 'string' ? spec : `${spec.ref} (as ${spec.as})`;
    console.log(
      `  ${key.padEnd(width)}  ${ref}\n  ${' '.repeat(width)}  -> ${redact(secrets[key as keyof typeof secrets])}`,
    );
  }
  const cold = [...aws.calls].sort();
  const byOperation = [...new Set(cold)].map((op) => `${cold.filter((c) => c === op).length} ${op}`);
  console.log(`\n  ${Object.keys(refs).length} references, ${cold.length} AWS calls: ${byOperation.join(', ')}`);

  aws.calls.length = 0;
  const again = await Promise.all(Array.from({ length: 100 }, () => resolve('ssm:/demo/db/password')));
  console.log(`  100 more resolves of a cached reference: ${aws.calls.length} AWS calls`);
  console.log(`  cached values match: ${again.every((v) => v === secrets.password)}`);
  console.log(`  stats: ${JSON.stringify(defaultResolver().stats())}`);

  // KMS: a Lambda environment variable encrypted as the console's encryption helpers do it (bare
  // base64, encryption context { LambdaFunctionName }), and a kms: reference from `secretref encrypt`.
  const kms = new KMSClient(localAwsConfig(moto.endpoint));
  const key = await kms.send(new CreateKeyCommand({ Description: 'demo' }));
  const encrypted = await kms.send(
    new EncryptCommand({
      KeyId: key.KeyMetadata?.KeyId,
      Plaintext: new TextEncoder().encode('demo-api-token-\u00e9\u2603'),
      EncryptionContext: { LambdaFunctionName: 'demo-function' },
    }),
  );
  process.env.AWS_LAMBDA_FUNCTION_NAME = 'demo-function';
  process.env.DEMO_API_TOKEN = Buffer.from(encrypted.CiphertextBlob ?? []).toString('base64');
  const { decryptEnv, encrypt } = await import('secretref');
  aws.calls.length = 0;
  // #region decrypt-env
  await decryptEnv(['DEMO_API_TOKEN']); // decrypted in place, with { LambdaFunctionName } as context
  // #endregion decrypt-env
  console.log(
    `\n  decryptEnv(['DEMO_API_TOKEN']) -> ${redact(process.env.DEMO_API_TOKEN)}, ${aws.calls.length} AWS call`,
  );
  const { reference } = await encrypt('a value over 4096 bytes: '.padEnd(6000, '.'), {
    keyId: key.KeyMetadata?.Arn ?? '',
    context: { App: 'demo' },
  });
  const big = await resolve(reference);
  console.log(`  kms:<Encryption SDK message>?context.App=demo -> ${redact(big)}`);
} finally {
  await aws.close();
  await moto.stop();
}

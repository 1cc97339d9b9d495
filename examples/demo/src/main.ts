/**
 * The secretref demo. Starts moto (a local AWS) and an AppConfigData emulator, seeds Parameter Store, Secrets Manager, KMS
 * and AppConfig, then
 * resolves references in every form with the `secretref` package, exactly as an application would, and prints what it
 * got with the values redacted, plus the AWS calls it took.
 *
 * Run it with `npm run demo` (or `pnpm demo`) from the repository root.
 */

import { spawnSync } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  jumpingClock,
  localAwsConfig,
  localAwsEnv,
  startAgent,
  startAppConfig,
  startFaultProxy,
  startMoto,
  startProcess,
} from '@secretref/local-aws';
import { SEEDED as EXPRESS_SEEDED, seed as seedExpress } from '../../express/src/seed.ts';
import { appconfigDemo, seedAppConfig } from './flags.ts';
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

/** Polls until `check` gives a value (20 s at most). */
async function until<T>(check: () => T | undefined): Promise<T> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the demo timed out waiting for an example');
}

/** Indents a command's output under its prompt line. */
function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** How each reference was sent (the `secretref:fetch` event's `via`: sdk, fetch or agent), by reference. */
const via = new Map<string, readonly string[]>();
subscribe('secretref:fetch', (event) => {
  const { refs, via: ways } = event as { refs: readonly string[]; via: readonly string[] };
  for (const ref of refs) via.set(ref, ways);
});
const viaOf = (ref: string) => via.get(ref)?.join(' then ') ?? '?';

const moto = await startMoto();
const aws = await startFaultProxy(moto.endpoint); // counts the calls that reach "AWS"
// AppConfig's data plane, which moto lacks: an emulator, on a clock the demo can jump.
const clock = jumpingClock();
const appconfig = await startAppConfig({ now: () => clock.wallTime() });
try {
  const ssm = new SSMClient(localAwsConfig(moto.endpoint));
  const secretsManager = new SecretsManagerClient(localAwsConfig(moto.endpoint));
  await seed(ssm, secretsManager);
  // What a deployed app has: the standard AWS environment (here pointing at the local AWS), as Lambda
  // sets it (no AWS_CA_BUNDLE, which some machines set for other tools: auto would keep to the SDK).
  Object.assign(process.env, localAwsEnv(aws.endpoint), { AWS_ENDPOINT_URL_APPCONFIGDATA: appconfig.endpoint });
  delete process.env.AWS_CA_BUNDLE;
  seedAppConfig(appconfig);

  const { resolveAll, resolve, defaultResolver, createResolver, awsProviders, awsTransportChoice, formatReference } =
    await import('secretref');
  /** The reference as the fetch event names it: scheme, body, params and region (no #fragment, no ?as=). */
  const fetched = (input: string) => {
    const { scheme, body, params, region } = defaultResolver().parse(input);
    return formatReference({ scheme, body, params, ...(region === undefined ? {} : { region }) });
  };
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
    const sent = viaOf(fetched(typeof spec === 'string' ? spec : spec.ref));
    console.log(
      `  ${key.padEnd(width)}  ${ref}\n  ${' '.repeat(width)}  -> ${redact(secrets[key as keyof typeof secrets])}  (via ${sent})`,
    );
  }
  const cold = [...aws.calls].sort();
  const byOperation = [...new Set(cold)].map((op) => `${cold.filter((c) => c === op).length} ${op}`);
  console.log(`\n  ${Object.keys(refs).length} references, ${cold.length} AWS calls: ${byOperation.join(', ')}`);
  const { direct, reason } = awsTransportChoice();
  console.log(`  transport: ${direct} (${reason})`);

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

  // The agent transport: AWS's Parameters and Secrets Lambda Extension (here its emulator, in front of
  // the same local AWS) is one cache for every process on the host.
  const agent = await startAgent({ backend: aws.endpoint, token: 'demo-session-token' });
  Object.assign(process.env, agent.env);
  aws.calls.length = 0;
  const agentRefs = ['ssm:/demo/db/password', 'secretsmanager:demo/rds#password'];
  console.log('\n  transport agent (SECRETREF_AWS_TRANSPORT=agent), two processes on one host:');
  for (const name of ['first', 'second']) {
    const processResolver = createResolver({ providers: awsProviders({ transport: 'agent' }) });
    const values = await Promise.all(agentRefs.map((ref) => processResolver.resolve(ref)));
    const ways = agentRefs.map((ref) => `${ref} via ${viaOf(fetched(ref))}`).join(', ');
    console.log(`    ${name}: ${values.map(redact).join(', ')}; ${ways}; AWS calls so far: ${aws.calls.length}`);
    processResolver.dispose();
  }
  await agent.close();
  for (const name of Object.keys(agent.env)) delete process.env[name];

  console.log('\n  AppConfig (an emulator of its data plane), a configuration and feature flags:');
  for (const line of await appconfigDemo(appconfig, clock)) console.log(`    ${line}`);

  // The environment and a typed config, as an app's entry point loads them.
  Object.assign(process.env, {
    DATABASE_URL: 'postgres://app:{{ secretsmanager:demo/rds#password }}@db.internal:5432/app',
    STRIPE_KEY: '{{resolve:ssm-secure:/demo/stripe/api-key}}',
    LOG_LEVEL: 'info',
  });
  const { loadAppEnv } = await import('./env.ts');
  await loadAppEnv();
  console.log('\n  loadEnv():');
  for (const name of ['DATABASE_URL', 'STRIPE_KEY', 'LOG_LEVEL']) {
    const value = process.env[name] ?? '';
    console.log(`    ${name.padEnd(12)} -> ${name === 'LOG_LEVEL' ? `${value} (plain, left alone)` : redact(value)}`);
  }
  const { loadTypedConfig } = await import('./typed-config.ts');
  const config = await loadTypedConfig();
  console.log('  loadConfig(spec, { schema }):');
  console.log(`    db.port is a ${typeof config.db.port}; db.password prints as ${config.db.password}`);
  console.log(`    JSON.stringify({ stripeKey }) -> ${JSON.stringify({ stripeKey: config.stripeKey })}`);
  console.log(`    allowedHosts -> ${redact(config.allowedHosts)}`);

  // The CLI, as a real process: check the environment of a deployment, then run a command with it.
  const cli = join(dirname(createRequire(import.meta.url).resolve('secretref/package.json')), 'dist/cli.mjs');
  const deployment = {
    // moto itself: the call-counting proxy runs in this process, which spawnSync blocks.
    ...localAwsEnv(moto.endpoint),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PATH: process.env.PATH,
    DB_PASSWORD: 'ssm:/demo/db/password',
    RDS_PASSWORD: 'secretsmanager:demo/rds#password',
    FEATURE_FLAG: 'ssm:/demo/features/not-yet-created?optional=true',
    API_TOKEN: 'ssm:/demo/api-token-typo',
  };
  const check = spawnSync(process.execPath, [cli, 'check'], { env: deployment, encoding: 'utf8' });
  console.log(`\n  $ secretref check   (exit ${check.status})`);
  console.log(indent(check.stdout));
  const { API_TOKEN: _, ...fixed } = deployment;
  const exec = spawnSync(
    process.execPath,
    [cli, 'exec', '--mask', '--', process.execPath, '-e', 'console.log("connecting with", process.env.DB_PASSWORD)'],
    { env: fixed, encoding: 'utf8' },
  );
  console.log(
    `  $ secretref exec --mask -- node -e 'console.log("connecting with", process.env.DB_PASSWORD)'   (exit ${exec.status})`,
  );
  console.log(indent(exec.stdout));

  // The Lambda example: the bundled handler imported in a fresh process (INIT), invoked twice.
  for (const name of ['db-password', 'api-key', 'signing-key']) {
    await ssm.send(new PutParameterCommand({ Name: `/orders/${name}`, Value: `demo-${name}`, Type: 'SecureString' }));
  }
  const lambda = fileURLToPath(new URL('../../lambda/', import.meta.url));
  aws.calls.length = 0;
  const invoked = startProcess(
    process.execPath,
    [join(lambda, 'test/run-handler.mjs'), join(lambda, 'dist/handler.mjs'), '[{"orderId":"o-1"},{"orderId":"o-2"}]'],
    { env: { ...process.env, PARAMETER_PREFIX: '/orders' } },
  );
  await invoked.exited;
  const { results } = JSON.parse(invoked.output().stdout) as { results: unknown[] };
  console.log('\n  Lambda (examples/lambda, bundled): INIT, then two invocations');
  console.log(`    results ${JSON.stringify(results)}; AWS calls: ${aws.calls.join(', ')}`);

  // The Express example: config before listen, a guarded route, a rotation picked up without a restart.
  const express = fileURLToPath(new URL('../../express/', import.meta.url));
  await seedExpress(ssm, secretsManager);
  const server = startProcess(
    process.execPath,
    ['--conditions=@secretref/source', '--import', 'tsx', 'src/server.ts'],
    {
      cwd: express,
      env: { ...process.env, PORT: '0', SECRETREF_WATCH_INTERVAL_MS: '1000' },
    },
  );
  const log = () => server.output().stdout + server.output().stderr;
  const url = await until(() => /listening on (\S+)/.exec(log())?.[1]);
  console.log(`\n  Express (examples/express): ${log().trim().split('\n')[0]}`);
  const orders = await fetch(`${url}/orders`, { headers: { 'x-api-key': EXPRESS_SEEDED.apiKey } });
  const denied = await fetch(`${url}/orders`, { headers: { 'x-api-key': 'wrong' } });
  console.log(`    GET /orders with the API key from SSM: ${orders.status}; with a wrong one: ${denied.status}`);
  console.log(
    `    GET /db: pool generation ${((await (await fetch(`${url}/db`)).json()) as { generation: number }).generation}`,
  );
  await secretsManager.send(
    new PutSecretValueCommand({
      SecretId: 'express-demo/db',
      SecretString: JSON.stringify({ username: 'orders_app', password: 'rotated-by-the-demo' }),
    }),
  );
  console.log('    PutSecretValue: the database password is rotated');
  await until(() => (log().includes('pool rebuilt') ? true : undefined));
  const generation = ((await (await fetch(`${url}/db`)).json()) as { generation: number }).generation;
  const rotated = log()
    .split('\n')
    .find((line) => line.includes('rotated'));
  console.log(`    ${rotated}; GET /db: generation ${generation}`);
  server.child.kill('SIGTERM');
  await server.exited;
} finally {
  await appconfig.close();
  await aws.close();
  await moto.stop();
}

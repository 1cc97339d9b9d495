/**
 * One cold start, in a fresh process: imports a contender's library and reads the fixture (25
 * SecureStrings and 5 secrets), then prints `{"ms": <wall time from the first line of this script>}`.
 * Usage: cold.ts <secretref|powertools|middy|sdk> <fixture JSON>
 */
const started = performance.now();
const [contender, fixtureJson] = process.argv.slice(2);
const fixture = JSON.parse(fixtureJson ?? '{}') as { parameters: string[]; secrets: string[] };

async function secretref(): Promise<number> {
  const { resolveAll } = await import('secretref');
  const refs: Record<string, string> = {};
  fixture.parameters.forEach((name, i) => {
    refs[`p${i}`] = `ssm:${name}`;
  });
  fixture.secrets.forEach((name, i) => {
    refs[`s${i}`] = `secretsmanager:${name}`;
  });
  return Object.keys(await resolveAll(refs)).length;
}

async function powertools(): Promise<number> {
  const { getParametersByName } = await import('@aws-lambda-powertools/parameters/ssm');
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const [parameters, ...secrets] = await Promise.all([
    getParametersByName(Object.fromEntries(fixture.parameters.map((name) => [name, {}])), { decrypt: true }),
    ...fixture.secrets.map((name) => getSecret(name)),
  ]);
  return Object.keys(parameters as object).length + secrets.length;
}

async function middy(): Promise<number> {
  const { default: core } = await import('@middy/core');
  const { default: ssm } = await import('@middy/ssm');
  const { default: secretsManager } = await import('@middy/secrets-manager');
  let count = 0;
  const handler = core(async (_event: unknown, context: object) => {
    count = Object.keys(context).filter((k) => /^[ps]\d+$/.test(k)).length;
  })
    .use(
      ssm({ fetchData: Object.fromEntries(fixture.parameters.map((name, i) => [`p${i}`, name])), setToContext: true }),
    )
    .use(
      secretsManager({
        fetchData: Object.fromEntries(fixture.secrets.map((name, i) => [`s${i}`, name])),
        setToContext: true,
      }),
    );
  await handler({}, { getRemainingTimeInMillis: () => 30_000 } as never);
  return count;
}

async function sdk(): Promise<number> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const ssm = new SSMClient({});
  const sm = new SecretsManagerClient({});
  const values = await Promise.all([
    ...fixture.parameters.map((Name) => ssm.send(new GetParameterCommand({ Name, WithDecryption: true }))),
    ...fixture.secrets.map((SecretId) => sm.send(new GetSecretValueCommand({ SecretId }))),
  ]);
  return values.length;
}

const run = { secretref, powertools, middy, sdk }[contender as 'secretref'];
if (!run) throw new Error(`unknown contender ${contender}`);
const count = await run();
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, count }));
process.exit(0);

/**
 * The bench's environment: moto behind the fault proxy (which adds a latency to every request and
 * counts calls), the fixture seeded into it, and what an in-process or child-process contender needs
 * to reach it.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type FaultProxy, localAwsConfig, localAwsEnv, startFaultProxy, startMoto } from '@secretref/local-aws';
import type { Fixture } from './results.ts';

export interface BenchEnv {
  readonly proxy: FaultProxy;
  readonly fixture: Fixture;
  /** Client config for in-process contenders: through the proxy, SDK retries off. */
  readonly clientConfig: ReturnType<typeof localAwsConfig> & { maxAttempts: number };
  /** The environment of a child-process contender. */
  readonly childEnv: NodeJS.ProcessEnv;
  readonly latencyMs: number;
  close(): Promise<void>;
}

/** Starts moto and the proxy and seeds `parameters` SecureStrings and `secrets` secrets. */
export async function startBenchEnv(options: {
  parameters: number;
  secrets: number;
  latencyMs: number;
}): Promise<BenchEnv> {
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  proxy.latencyMs = options.latencyMs;
  const run = Date.now().toString(36);
  const fixture: Fixture = {
    parameters: Array.from({ length: options.parameters }, (_, i) => `/bench-${run}/p${i}`),
    secrets: Array.from({ length: options.secrets }, (_, i) => `bench-${run}-s${i}`),
  };
  const ssm = new SSMClient(localAwsConfig(moto.endpoint));
  for (const name of fixture.parameters) {
    await ssm.send(new PutParameterCommand({ Name: name, Value: `value of ${name}`, Type: 'SecureString' }));
  }
  const sm = new SecretsManagerClient(localAwsConfig(moto.endpoint));
  for (const name of fixture.secrets) {
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: `value of ${name}` }));
  }
  return {
    proxy,
    fixture,
    clientConfig: { ...localAwsConfig(proxy.endpoint), maxAttempts: 1 },
    // A Lambda's environment: keys and a region, and no AWS_CA_BUNDLE (which this machine may set).
    childEnv: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'AWS_CA_BUNDLE')),
      ...localAwsEnv(proxy.endpoint),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    latencyMs: options.latencyMs,
    async close() {
      await proxy.close();
      await moto.stop();
    },
  };
}

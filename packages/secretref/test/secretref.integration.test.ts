/** The secretref package against moto: every scheme through one resolver, in the fewest calls. */
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type FaultProxy, localAwsConfig, localAwsEnv, startFaultProxy } from '@secretref/local-aws';
import { awsProviders, createResolver } from 'secretref';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `cross-${randomUUID().slice(0, 8)}`;
let proxy: FaultProxy;
const saved = { ...process.env };

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint);
  const ssm = new SSMClient(localAwsConfig(endpoint));
  const sm = new SecretsManagerClient(localAwsConfig(endpoint));
  for (let i = 0; i < 25; i++) {
    await ssm.send(new PutParameterCommand({ Name: `/${prefix}/p${i}`, Value: `p${i}`, Type: 'SecureString' }));
  }
  for (let i = 0; i < 5; i++)
    await sm.send(new CreateSecretCommand({ Name: `${prefix}/s${i}`, SecretString: `s${i}` }));
  // As an application runs: the standard AWS environment, here pointing at the proxy.
  Object.assign(process.env, localAwsEnv(proxy.endpoint));
});

afterAll(async () => {
  process.env = saved;
  await proxy.close();
});

describe('resolveAll across schemes', () => {
  it('25 SSM parameters and 5 secrets make 4 AWS calls, all in flight together', async () => {
    const refs = {
      ...Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${i}`, `ssm:/${prefix}/p${i}`])),
      ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, `secretsmanager:${prefix}/s${i}`])),
    };
    let inFlight = 0;
    let maxInFlight = 0;
    proxy.latencyMs = 50;
    proxy.fault = () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      setTimeout(() => inFlight--, 50);
      return undefined;
    };
    proxy.calls.length = 0;
    try {
      const values = await createResolver({ providers: awsProviders() }).resolveAll(refs);
      expect(values).toEqual(Object.fromEntries(Object.keys(refs).map((k) => [k, k])));
    } finally {
      proxy.fault = undefined;
      proxy.latencyMs = 0;
    }
    expect([...proxy.calls].sort()).toEqual(['BatchGetSecretValue', 'GetParameters', 'GetParameters', 'GetParameters']);
    expect(maxInFlight).toBe(4);
  });
});

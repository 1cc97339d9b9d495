/**
 * The conformance suite for SSM on every transport: the SDK client, signed fetch, and the agent (the
 * Lambda extension's emulator in front of moto, with the SDK behind it for what it does not serve).
 */
import { randomUUID } from 'node:crypto';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeProvider } from '@secretref/conformance';
import { type LocalAgent, localAwsConfig, startAgent } from '@secretref/local-aws';
import { ssmProvider } from '@secretref/ssm';
import { afterAll, beforeAll, describe, inject, vi } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `/conformance-${randomUUID().slice(0, 8)}`;
const client = new SSMClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });
const put = async (name: string, Value: string) => {
  await client.send(
    new PutParameterCommand({ Name: `${prefix}/${name}`, Value, Type: 'SecureString', Overwrite: true }),
  );
};
let agent: LocalAgent | undefined;

const TRANSPORTS = {
  sdk: () => ssmProvider({ client }),
  fetch: () => ssmProvider({ transport: 'fetch', clientConfig: localAwsConfig(endpoint) }),
  agent: () => ssmProvider({ transport: 'agent', clientConfig: localAwsConfig(endpoint) }),
};

for (const [transport, provider] of Object.entries(TRANSPORTS)) {
  describe(transport, () => {
    if (transport === 'agent') {
      beforeAll(async () => {
        agent = await startAgent({ backend: endpoint, token: 'conformance-token', ttlMs: 0 });
        for (const [name, value] of Object.entries(agent.env)) vi.stubEnv(name, value);
      });
      afterAll(async () => {
        vi.unstubAllEnvs();
        await agent?.close();
      });
    }
    describeProvider(
      'ssm',
      {
        provider,
        seed: async (values) => {
          for (const [name, value] of Object.entries(values)) await put(name, value);
          return Object.fromEntries(Object.keys(values).map((name) => [name, `${prefix}/${name}`]));
        },
        update: put,
        missing: (name) => `${prefix}/never-${name}`,
      },
      {
        canonicalForms: (body) => [`{{resolve:ssm:${body}}}`],
        invalid: ['ssm:no/leading/slash', 'ssm:/a//b', 'ssm:/a:1:2', 'ssm:/a:0bad', 'ssm:/path/:3'],
      },
    );
  });
}

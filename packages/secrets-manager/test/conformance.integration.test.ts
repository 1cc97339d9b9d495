import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeProvider } from '@secretref/conformance';
import { type LocalAgent, localAwsConfig, startAgent } from '@secretref/local-aws';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { afterAll, beforeAll, describe, inject, vi } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `conformance-${randomUUID().slice(0, 8)}`;
const client = new SecretsManagerClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });

let agent: LocalAgent | undefined;

const TRANSPORTS = {
  sdk: () => secretsManagerProvider({ client }),
  fetch: () => secretsManagerProvider({ transport: 'fetch', clientConfig: localAwsConfig(endpoint) }),
  'agent (the Lambda extension)': () =>
    secretsManagerProvider({ transport: 'agent', clientConfig: localAwsConfig(endpoint) }),
  'agent (the Secrets Manager Agent)': () =>
    secretsManagerProvider({ transport: 'agent', clientConfig: localAwsConfig(endpoint) }),
};

for (const [transport, provider] of Object.entries(TRANSPORTS)) {
  const slug = transport.replace(/\W+/g, '-');
  describe(transport, () => {
    if (transport.startsWith('agent')) {
      beforeAll(async () => {
        const kind = transport.includes('extension') ? 'lambda-extension' : 'secrets-manager-agent';
        agent = await startAgent({ backend: endpoint, token: 'conformance-token', kind });
        for (const [name, value] of Object.entries(agent.env)) vi.stubEnv(name, value);
      });
      afterAll(async () => {
        vi.unstubAllEnvs();
        await agent?.close();
      });
    }
    describeProvider(
      'secrets-manager',
      {
        provider,
        // Secrets of its own for each transport.
        seed: async (values) => {
          const bodies: Record<string, string> = {};
          for (const [name, SecretString] of Object.entries(values)) {
            bodies[name] = `${prefix}/${slug}/${name}`;
            await client.send(new CreateSecretCommand({ Name: bodies[name], SecretString }));
          }
          return bodies;
        },
        // A new version, AWSCURRENT from then on.
        update: async (name, SecretString) => {
          await client.send(new PutSecretValueCommand({ SecretId: `${prefix}/${slug}/${name}`, SecretString }));
        },
        missing: (name) => `${prefix}/${slug}/never-${name}`,
      },
      {
        // The ECS valueFrom fields (empty or naming the current stage) and AWSCURRENT are the default version.
        canonicalForms: (body, scheme) => [
          `{{resolve:${scheme}:${body}}}`,
          `{{resolve:${scheme}:${body}:SecretString}}`,
          `${scheme}:${body}:::`,
          `${scheme}:${body}::AWSCURRENT:`,
          `${scheme}:${body}?versionStage=AWSCURRENT`,
        ],
        invalid: [
          'secretsmanager:not a name',
          'secretsmanager:bad!name',
          'secretsmanager:db:SecretString:password',
          'secretsmanager:db?versionStage=AWSPREVIOUS&versionId=0123456789abcdef0123456789abcdef',
          'secretsmanager:db:k:s:i:extra',
        ],
      },
    );
  });
}

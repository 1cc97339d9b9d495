import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeProvider } from '@secretref/conformance';
import { localAwsConfig } from '@secretref/local-aws';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { inject } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `conformance-${randomUUID().slice(0, 8)}`;
const client = new SecretsManagerClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });

describeProvider(
  'secrets-manager',
  {
    provider: () => secretsManagerProvider({ client }),
    seed: async (values) => {
      const bodies: Record<string, string> = {};
      for (const [name, SecretString] of Object.entries(values)) {
        bodies[name] = `${prefix}/${name}`;
        await client.send(new CreateSecretCommand({ Name: bodies[name], SecretString }));
      }
      return bodies;
    },
    // A new version, AWSCURRENT from then on.
    update: async (name, SecretString) => {
      await client.send(new PutSecretValueCommand({ SecretId: `${prefix}/${name}`, SecretString }));
    },
    missing: (name) => `${prefix}/never-${name}`,
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

import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeProvider } from '@secretref/conformance';
import { localAwsConfig } from '@secretref/local-aws';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { inject } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `conformance-${randomUUID().slice(0, 8)}`;
const client = new SecretsManagerClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });

describeProvider('secrets-manager', {
  provider: () => secretsManagerProvider({ client }),
  seed: async (values) => {
    for (const [Name, SecretString] of Object.entries(values)) {
      await client.send(new CreateSecretCommand({ Name, SecretString }));
    }
  },
  body: (name) => `${prefix}/${name}`,
});

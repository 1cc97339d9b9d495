import { randomUUID } from 'node:crypto';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeProvider } from '@secretref/conformance';
import { localAwsConfig } from '@secretref/local-aws';
import { ssmProvider } from '@secretref/ssm';
import { inject } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `/conformance-${randomUUID().slice(0, 8)}`;
const client = new SSMClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });

describeProvider('ssm', {
  provider: () => ssmProvider({ client }),
  seed: async (values) => {
    for (const [Name, Value] of Object.entries(values)) {
      await client.send(new PutParameterCommand({ Name, Value, Type: 'SecureString', Overwrite: true }));
    }
  },
  body: (name) => `${prefix}/${name}`,
});

import { randomUUID } from 'node:crypto';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeProvider } from '@secretref/conformance';
import { localAwsConfig } from '@secretref/local-aws';
import { ssmProvider } from '@secretref/ssm';
import { inject } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `/conformance-${randomUUID().slice(0, 8)}`;
const client = new SSMClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });

describeProvider(
  'ssm',
  {
    provider: () => ssmProvider({ client }),
    seed: async (values) => {
      const bodies: Record<string, string> = {};
      for (const [name, Value] of Object.entries(values)) {
        bodies[name] = `${prefix}/${name}`;
        await client.send(
          new PutParameterCommand({ Name: bodies[name], Value, Type: 'SecureString', Overwrite: true }),
        );
      }
      return bodies;
    },
    update: async (name, Value) => {
      await client.send(
        new PutParameterCommand({ Name: `${prefix}/${name}`, Value, Type: 'SecureString', Overwrite: true }),
      );
    },
    missing: (name) => `${prefix}/never-${name}`,
  },
  {
    canonicalForms: (body) => [`{{resolve:ssm:${body}}}`],
    invalid: ['ssm:no/leading/slash', 'ssm:/a//b', 'ssm:/a:1:2', 'ssm:/a:0bad', 'ssm:/path/:3'],
  },
);

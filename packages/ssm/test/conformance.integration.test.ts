import { randomUUID } from 'node:crypto';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeProvider } from '@secretref/conformance';
import { localAwsConfig } from '@secretref/local-aws';
import { ssmProvider } from '@secretref/ssm';
import { inject } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `/conformance-${randomUUID().slice(0, 8)}`;
const client = new SSMClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });
const put = async (name: string, Value: string) => {
  await client.send(
    new PutParameterCommand({ Name: `${prefix}/${name}`, Value, Type: 'SecureString', Overwrite: true }),
  );
};

describeProvider(
  'ssm',
  {
    provider: () => ssmProvider({ client }),
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

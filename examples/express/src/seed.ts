/** What the example reads, as a team would keep it: SSM for the port and API key, Secrets Manager for the database. */
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

export const SEEDED = {
  apiKey: 'express-api-key-7c1d93',
  dbPassword: 'express-db-password-v1-\u00e9',
};

export async function seed(ssm: SSMClient, secrets: SecretsManagerClient, prefix = 'express-demo'): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: `/${prefix}/port`, Value: '8080', Type: 'String', Overwrite: true }));
  await ssm.send(
    new PutParameterCommand({
      Name: `/${prefix}/api-key`,
      Value: SEEDED.apiKey,
      Type: 'SecureString',
      Overwrite: true,
    }),
  );
  await secrets.send(
    new CreateSecretCommand({
      Name: `${prefix}/db`,
      SecretString: JSON.stringify({ username: 'orders_app', password: SEEDED.dbPassword }),
    }),
  );
}

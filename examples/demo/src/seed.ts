/** What the demo resolves, as an application team would keep it in Parameter Store and Secrets Manager. */
import { CreateSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LabelParameterVersionCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

export async function seed(client: SSMClient, secrets: SecretsManagerClient): Promise<void> {
  const put = (Name: string, Value: string, Type: 'String' | 'SecureString' | 'StringList' = 'SecureString') =>
    client.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));
  await put('/demo/db/password', 'first-password-v1');
  await put('/demo/db/password', 'rotated-password-v2');
  await client.send(
    new LabelParameterVersionCommand({ Name: '/demo/db/password', ParameterVersion: 1, Labels: ['previous'] }),
  );
  await put('/demo/db/user', 'app', 'String');
  await put('/demo/db/config', '{"host":"db.internal","port":5432}', 'String');
  await put('/demo/allowed-hosts', 'api.example.com,admin.example.com', 'StringList');
  await put('/demo/stripe/api-key', 'sk_test_51DemoKeyNotReal');
  await put('/demo/features/new-checkout', 'on', 'String');
  await put('/demo/features/dark-mode', 'off', 'String');
  // A database secret as RDS keeps it, rotated once, and an API key.
  await secrets.send(
    new CreateSecretCommand({ Name: 'demo/rds', SecretString: '{"username":"app","password":"rds-password-v1"}' }),
  );
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: 'demo/rds',
      SecretString: '{"username":"app","password":"rds-password-v2"}',
    }),
  );
  await secrets.send(new CreateSecretCommand({ Name: 'demo/github-token', SecretString: 'ghp_demoTokenNotReal' }));
}

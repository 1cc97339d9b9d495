/** An application's config loader: what the README's 30-second example shows. */
// #region config
import { resolveAll } from 'secretref';

export async function getConfig() {
  const secrets = await resolveAll({
    dbPassword: 'ssm:/demo/db/password', // a SecureString, decrypted
    dbPort: 'ssm:/demo/db/config#port', // one key of a JSON parameter
    stripeKey: '{{resolve:ssm-secure:/demo/stripe/api-key}}', // CloudFormation syntax works as-is
    hosts: { ref: 'ssm:/demo/allowed-hosts', as: 'list' }, // a StringList as an array
    rdsPassword: 'secretsmanager:demo/rds#password', // a key of a Secrets Manager secret
  });
  return { db: { password: secrets.dbPassword, port: Number(secrets.dbPort) }, ...secrets };
}
// #endregion config

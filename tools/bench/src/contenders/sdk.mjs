// Cold-start contender: the SDK clients, one GetParameter or GetSecretValue per value, all at once.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

const fixture = JSON.parse(process.argv[2] ?? '{}');
const ssm = new SSMClient({});
const sm = new SecretsManagerClient({});
const values = await Promise.all([
  ...fixture.parameters.map((Name) => ssm.send(new GetParameterCommand({ Name, WithDecryption: true }))),
  ...fixture.secrets.map((SecretId) => sm.send(new GetSecretValueCommand({ SecretId }))),
]);
console.log(JSON.stringify({ ms: performance.now(), count: values.length }));

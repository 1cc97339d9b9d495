// Cold-start contender: Powertools Parameters, its batch getter for SSM and one getSecret per secret.
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { getParametersByName } from '@aws-lambda-powertools/parameters/ssm';

const fixture = JSON.parse(process.argv[2] ?? '{}');
const [parameters, ...secrets] = await Promise.all([
  getParametersByName(Object.fromEntries(fixture.parameters.map((name) => [name, {}])), { decrypt: true }),
  ...fixture.secrets.map((name) => getSecret(name)),
]);
const count = Object.keys(parameters).length + secrets.length;
console.log(JSON.stringify({ ms: performance.now(), count }));

// The floor contender: the fewest calls (GetParameters by 10, one BatchGetSecretValue), signed by
// aws4fetch over fetch: what a cold start costs with no SDK client to load.
import { AwsClient } from 'aws4fetch';

const fixture = JSON.parse(process.argv[2] ?? '{}');
const endpoint = process.env.AWS_ENDPOINT_URL;
const region = process.env.AWS_REGION;
const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  region,
};
const ssm = new AwsClient({ ...credentials, service: 'ssm' });
const sm = new AwsClient({ ...credentials, service: 'secretsmanager' });

async function call(client, target, body) {
  const response = await client.fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${target}: HTTP ${response.status}`);
  return response.json();
}

const chunks = (names, size) =>
  Array.from({ length: Math.ceil(names.length / size) }, (_, i) => names.slice(i * size, (i + 1) * size));
const answers = await Promise.all([
  ...chunks(fixture.parameters, 10).map((Names) =>
    call(ssm, 'AmazonSSM.GetParameters', { Names, WithDecryption: true }),
  ),
  ...chunks(fixture.secrets, 20).map((SecretIdList) =>
    call(sm, 'secretsmanager.BatchGetSecretValue', { SecretIdList }),
  ),
]);
const count = answers.reduce((n, a) => n + (a.Parameters ?? a.SecretValues ?? []).length, 0);
console.log(JSON.stringify({ ms: performance.now(), count }));

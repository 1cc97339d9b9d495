// Cold-start contender: secretref composed for the fetch transport, as the Lambda guide ships it for
// the smallest bundle (ssmFetchProvider, secretsManagerFetchProvider: no SDK client in the bundle).
import { createResolver, secretsManagerFetchProvider, ssmFetchProvider } from 'secretref';

const fixture = JSON.parse(process.argv[2] ?? '{}');
const refs = {};
fixture.parameters.forEach((name, i) => {
  refs[`p${i}`] = `ssm:${name}`;
});
fixture.secrets.forEach((name, i) => {
  refs[`s${i}`] = `secretsmanager:${name}`;
});
const resolver = createResolver({ providers: [ssmFetchProvider(), secretsManagerFetchProvider()] });
const count = Object.keys(await resolver.resolveAll(refs)).length;
console.log(JSON.stringify({ ms: performance.now(), count }));

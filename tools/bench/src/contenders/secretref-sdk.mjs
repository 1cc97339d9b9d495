// Cold-start contender: secretref's resolveAll of the fixture on the sdk transport (the SDK v3
// clients), as auto picks it where the environment has a profile or a CA bundle. Plain node.
import { awsProviders, createResolver } from 'secretref';

const fixture = JSON.parse(process.argv[2] ?? '{}');
const refs = {};
fixture.parameters.forEach((name, i) => {
  refs[`p${i}`] = `ssm:${name}`;
});
fixture.secrets.forEach((name, i) => {
  refs[`s${i}`] = `secretsmanager:${name}`;
});
const resolver = createResolver({ providers: awsProviders({ transport: 'sdk' }) });
const count = Object.keys(await resolver.resolveAll(refs)).length;
console.log(JSON.stringify({ ms: performance.now(), count }));

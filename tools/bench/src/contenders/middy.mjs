// Cold-start contender: a middy handler with its ssm and secrets-manager middlewares, invoked once.
import core from '@middy/core';
import secretsManager from '@middy/secrets-manager';
import ssm from '@middy/ssm';

const fixture = JSON.parse(process.argv[2] ?? '{}');
let count = 0;
const handler = core(async (_event, context) => {
  count = Object.keys(context).filter((k) => /^[ps]\d+$/.test(k)).length;
})
  .use(ssm({ fetchData: Object.fromEntries(fixture.parameters.map((name, i) => [`p${i}`, name])), setToContext: true }))
  .use(
    secretsManager({
      fetchData: Object.fromEntries(fixture.secrets.map((name, i) => [`s${i}`, name])),
      setToContext: true,
    }),
  );
await handler({}, { getRemainingTimeInMillis: () => 30_000 });
console.log(JSON.stringify({ ms: performance.now(), count }));

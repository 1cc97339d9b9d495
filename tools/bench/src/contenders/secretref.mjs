// Cold-start contender: secretref's resolveAll of the fixture. Plain node, from process start.
import { resolveAll } from 'secretref';

const fixture = JSON.parse(process.argv[2] ?? '{}');
const refs = {};
fixture.parameters.forEach((name, i) => {
  refs[`p${i}`] = `ssm:${name}`;
});
fixture.secrets.forEach((name, i) => {
  refs[`s${i}`] = `secretsmanager:${name}`;
});
const count = Object.keys(await resolveAll(refs)).length;
// performance.now() counts from the process's start: Node's own start-up, every import and the calls.
console.log(JSON.stringify({ ms: performance.now(), count }));

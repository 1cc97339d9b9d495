// The fixture a cold-start contender is given (argv[2]), and secretref's references to it.
export const fixture = JSON.parse(process.argv[2] ?? '{}');

/** `{ p0: 'ssm:/...', s0: 'secretsmanager:...' }`: the 25 parameters and 5 secrets as references. */
export const refs = Object.fromEntries([
  ...fixture.parameters.map((name, i) => [`p${i}`, `ssm:${name}`]),
  ...fixture.secrets.map((name, i) => [`s${i}`, `secretsmanager:${name}`]),
]);

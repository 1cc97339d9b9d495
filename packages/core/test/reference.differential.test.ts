import { inspect, isDeepStrictEqual } from 'node:util';
import {
  formatReference,
  InvalidReferenceError,
  type Provider,
  parseReference,
  type Reference,
  UnknownSchemeError,
} from '@secretref/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OracleOutcome, oracleParse } from './oracle/reference-oracle.ts';

// Differential test: parseReference against an oracle written independently from the grammar's
// specification (test/oracle/reference-oracle.ts). Both see the same two providers.

const mem: Provider = {
  schemes: ['mem'],
  params: ['flavour', 'context.*'],
  parse: ({ body }) => ({ key: body }),
  fetch: async () => [],
};
const arnp: Provider = {
  schemes: ['arnp', 'arnp-alt'],
  arnServices: ['ssm'],
  // AWS's shape of a region; `mem` declares none and takes any plain token.
  isRegion: (region) => /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/.test(region),
  parse: ({ body }) => {
    const m = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):/.exec(body);
    return m ? { key: body, region: m[1]! } : { key: body };
  },
  fetch: async () => [],
};
const providers: Provider[] = [mem, arnp];

/** The real parser's outcome; an error that is not one of the two expected classes is named as is. */
type RealOutcome = { ok: true; reference: Reference } | { ok: false; error: string };

function realParse(input: string): RealOutcome {
  try {
    return { ok: true, reference: parseReference(input, providers) };
  } catch (error) {
    if (error instanceof InvalidReferenceError) return { ok: false, error: 'InvalidReferenceError' };
    if (error instanceof UnknownSchemeError) return { ok: false, error: 'UnknownSchemeError' };
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Copies into plain objects (keeping keys whose value is `undefined`) so that only keys and values are compared. */
function plain(outcome: RealOutcome | OracleOutcome): unknown {
  if (!outcome.ok) return { ok: false, error: outcome.error };
  const reference: Record<string, unknown> = { ...outcome.reference };
  reference.params = { ...outcome.reference.params };
  return { ok: true, reference };
}

function assertAgree(input: string): RealOutcome {
  const real = realParse(input);
  const oracle = oracleParse(input);
  if (!isDeepStrictEqual(plain(real), plain(oracle))) {
    throw new Error(
      `disagreement on ${inspect(input)}:\n  real:   ${inspect(real, { depth: 4 })}\n  oracle: ${inspect(oracle, { depth: 4 })}`,
    );
  }
  return real;
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Characters the grammar cares about, plus some it must reject or pass through untouched. */
const grammarChar = fc.constantFrom(
  ...['m', 'e', 'M', 'a', 'r', 'n', 'p', 's', ':', '?', '#', '&', '=', '%', '2', 'F', 'z', '{', '}', '/', '~'],
  ...['0', '1', '.', '-', '*', '+', ' ', '\n', '\u0000', '\u0085', '\u00a0', '\u200b', '\u2028', '\ufeff', 'é'],
  ...['\ud800', '\ud83d\ude00'],
);
const randomInput = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.string({ maxLength: 30, unit: grammarChar }),
  fc
    .tuple(fc.constantFrom('mem:', 'arnp:', '{{resolve:mem:', 'arn:aws:ssm:', 'MEM:'), fc.string({ unit: grammarChar }))
    .map(([head, tail]) => head + tail),
);

const bodyChar = fc.constantFrom('a', 'b', 'Z', '/', '.', '-', '_', ':', '~', '%', '2', '0', '=', '&', 'é', '\u200b');
const body = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 8, unit: bodyChar }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'app/db', '/app/db:3', '%zz', '{x}', '\ud800', 'arn:aws:ssm:eu-west-1:1:p'),
  },
);

const regionValue = fc.constantFrom(
  ...['eu-west-1', 'us-east-1', 'us-gov-west-1', 'ap-southeast-2', 'cn-north-1'],
  ...['mars', 'eu-west-123', 'EU-west-1', 'eu-1', 'e-west-1', 'eu-west-1%0A', 'eu%2Dwest-1', 'eu--west-1'],
);
const ttlValue = fc.oneof(
  fc.constantFrom(
    ...['0', '1500', '1.5', '1.5s', '0.5ms', '1.0ms', '2d', '1.25m', '007s', '0.001s', '1.1h', '1.005s', '4.35m'],
    ...['9007199254740991', '9007199254740992', '99999999999999999999', '104249991375d', '104249991374d'],
    ...['1e3', '-1', '1S', '%31s', '.5s', '1.s', '1w', '1 s', '1ms%20', 'Infinity', '0x10', '1_000'],
  ),
  fc
    .tuple(fc.nat({ max: 100_000 }), fc.option(fc.nat({ max: 999 })), fc.constantFrom('', 'ms', 's', 'm', 'h', 'd'))
    .map(([whole, fraction, unit]) => `${whole}${fraction === null ? '' : `.${fraction}`}${unit}`),
);
const asValue = fc.constantFrom('string', 'json', 'binary', 'list', 'JSON', 'yaml', '');
const optionalValue = fc.constantFrom('true', 'false', 'TRUE', '1', 'tru%65');
const textValue = fc.oneof(
  fc.constantFrom(...['x', 'x%20y', '%20', '%', '%zz', '%E0%A4%A', 'a=b', '%3D', '%26', '%23', '%3F'], '?', '%0A'),
  fc.constantFrom('%F0%9F%98%80', '%ED%A0%80', '%C3%A9', '%C3', 'é', '\ud800', '~2', '{}'),
  fc.string({ minLength: 1, maxLength: 5, unit: bodyChar }),
  // Raw lone surrogates: decodeURIComponent passes them through, encodeURIComponent throws on them.
  fc.constantFrom('\ud800', '\udc00', 'a\ud83d'),
);
const anyName = fc.constantFrom(
  ...['region', 'ttl', 'as', 'optional', 'flavour', 'context.k', 'context.a.b', 'context.', 'context', 'context.*'],
  ...['colour', 'REGION', '%72egion', '%66lavour', '%zz', 'flavour%', 'Flavour', 'context.%2A', 'context%2Ek'],
  ...['context.__proto__', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '%20', 'context.%'],
);
const anyValue = fc.oneof(regionValue, ttlValue, asValue, optionalValue, textValue);
const pair = fc.oneof(
  { weight: 2, arbitrary: regionValue.map((v) => `region=${v}`) },
  { weight: 2, arbitrary: ttlValue.map((v) => `ttl=${v}`) },
  { weight: 2, arbitrary: asValue.map((v) => `as=${v}`) },
  { weight: 2, arbitrary: optionalValue.map((v) => `optional=${v}`) },
  { weight: 2, arbitrary: textValue.map((v) => `flavour=${v}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('k', 'App', 'a.b', '', '%41', 'x%'), textValue)
      .map(([k, v]) => `context.${k}=${v}`),
  },
  { weight: 3, arbitrary: fc.tuple(anyName, anyValue).map(([n, v]) => `${n}=${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '=', '=1', 'ttl', 'flavour', 'x==y', 'flavour==') },
);
/** `undefined`: no `?` at all; otherwise what follows it (possibly empty). */
const query = fc.option(
  fc.array(pair, { minLength: 0, maxLength: 4 }).map((pairs) => pairs.join('&')),
  { nil: undefined, freq: 2 },
);
const fragment = fc.option(
  fc.oneof(
    fc.constantFrom(...['', 'k', 'password', '/a~1b', '/x~2', '~2', '/~', '/a~0~1', '%zz', '%2Fx~2', '#more', 'k?q=1']),
    fc.constantFrom('%7E', '/%7E2', 'a#b', '%', '/', '%20', '%2F', '/a~', '/~01', '\ud800', 'é'),
    fc.string({ minLength: 1, maxLength: 6, unit: bodyChar }),
  ),
  { nil: undefined, freq: 2 },
);

const tail = fc
  .tuple(body, query, fragment)
  .map(([b, q, f]) => `${b}${q === undefined ? '' : `?${q}`}${f === undefined ? '' : `#${f}`}`);

const uriScheme = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('mem', 'mem', 'mem', 'MEM', 'Mem', 'arnp', 'arnp-alt', 'ARNP-ALT', 'Arnp') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ...['nope', 'x+y.z-w', 'ssm', 'arn', 'memx', '1mem', '-mem', '', 'me m', 'mem%3A', 'mém', 'mem:'],
    ),
  },
);
const uriReference = fc.tuple(uriScheme, tail).map(([s, t]) => `${s}:${t}`);

const arnHead = fc
  .tuple(
    fc.constantFrom('aws', 'aws', 'aws-cn', 'aws-us-gov', 'aws-', 'AWS', 'aws1', 'aws-x-y', 'aws-X'),
    fc.constantFrom('ssm', 'ssm', 'ssm', 'SSM', 'secretsmanager', 's3', 'ssm-x', ''),
    fc.constantFrom('eu-west-1', 'us-east-1', 'us-gov-west-1', 'cn-north-1', 'mars', '', 'EU-west-1', 'eu_west-1'),
    fc.constantFrom('123456789012', ''),
  )
  .map(([partition, service, region, account]) => `arn:${partition}:${service}:${region}:${account}:`);
const arnReference = fc.oneof(
  fc.tuple(arnHead, tail).map(([head, t]) => head + t),
  fc
    .tuple(arnHead, fc.constantFrom('', 'parameter/app', 'parameter/app:3'), query, fragment)
    .map(([head, name, q, f]) => `${head}${name}${q === undefined ? '' : `?${q}`}${f === undefined ? '' : `#${f}`}`),
  // An ARN written after a URI scheme: the provider still reads its region.
  fc.tuple(fc.constantFrom('arnp:', 'arnp-alt:', 'mem:'), arnHead, tail).map(([s, head, t]) => s + head + t),
);

const cloudFormationBody = fc.oneof(
  tail,
  arnHead.chain((head) => tail.map((t) => head + t)),
);
const cloudFormationReference = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('mem', 'mem', 'arnp', 'arnp-alt', 'nope'), cloudFormationBody)
      .map(([scheme, b]) => `{{resolve:${scheme}:${b}}}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('{{resolve:', '{{resolve:', '{{', '{{Resolve:', '{{ resolve:', '{resolve:', 'x{{resolve:'),
        fc.constantFrom('mem', 'arnp', 'MEM', 'nope', '1x', '', 'mem-', 'a+b', 'a_b'),
        fc.constantFrom(':', ':', '', '::'),
        cloudFormationBody,
        fc.constantFrom('}}', '}}', '}', '', '}}}', '}}x', '} }'),
      )
      .map((parts) => parts.join('')),
  },
);

/** Small edits that turn near-valid references into near-invalid ones, and back. */
const mutation = fc.oneof(
  { weight: 6, arbitrary: fc.constant((s: string) => s) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.nat(),
        fc.constantFrom(...[' ', '\t', '\n', '\u0000', '\u001f', '\u007f', '\u0085', '\u009f', '\u00a0', '\u2028']),
        fc.constantFrom('\u2029', '\ufeff', '\u3000', '\u200b', '?', '#', '&', '=', '%', '{', '}', ':', '~', '/'),
      )
      .map(([at, c1, c2]) => (s: string) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + (at % 2 ? c1 : c2) + s.slice(i);
      }),
  },
  {
    weight: 1,
    arbitrary: fc.nat().map((at) => (s: string) => {
      const i = at % Math.max(s.length, 1);
      return s.slice(0, i) + s.slice(i + 1);
    }),
  },
  { weight: 1, arbitrary: fc.constant((s: string) => s.toUpperCase()) },
  {
    weight: 1,
    arbitrary: fc.constant((s: string) => {
      const i = s.indexOf(':');
      return s.slice(0, i + 1).toUpperCase() + s.slice(i + 1);
    }),
  },
  {
    // Repeats the query (so every parameter appears twice).
    weight: 1,
    arbitrary: fc.constant((s: string) => {
      const q = /\?([^#]*)/.exec(s)?.[1];
      return q === undefined ? s : s.replace(`?${q}`, `?${q}&${q}`);
    }),
  },
);

const mutated = (references: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(references, mutation).map(([input, mutate]) => mutate(input));

const structuredInput = mutated(
  fc.oneof(
    { weight: 5, arbitrary: uriReference },
    { weight: 3, arbitrary: arnReference },
    { weight: 2, arbitrary: cloudFormationReference },
  ),
);

// ---------------------------------------------------------------------------------------------
// Properties

const RUNS = 3000;

describe('parseReference agrees with the independent oracle', () => {
  it('on random strings (property)', () => {
    fc.assert(
      fc.property(randomInput, (input) => {
        assertAgree(input);
      }),
      { numRuns: RUNS },
    );
  });

  it.each<[string, fc.Arbitrary<string>]>([
    ['URI', mutated(uriReference)],
    ['ARN', mutated(arnReference)],
    ['CloudFormation', mutated(cloudFormationReference)],
  ])('on near-valid references of the %s form, with mutations (property)', (_form, inputs) => {
    const seen = { ok: 0, invalid: 0 };
    fc.assert(
      fc.property(inputs, (input) => {
        const outcome = assertAgree(input);
        if (outcome.ok) seen.ok++;
        else if (outcome.error === 'InvalidReferenceError') seen.invalid++;
      }),
      { numRuns: RUNS },
    );
    // The generator must reach both outcomes often enough to test something.
    expect(seen.ok).toBeGreaterThan(RUNS / 20);
    expect(seen.invalid).toBeGreaterThan(RUNS / 20);
  });

  it('every reference it accepts formats to a string that parses back to the same reference (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 3, arbitrary: structuredInput }, { weight: 1, arbitrary: randomInput }),
        (input) => {
          let parsed: Reference;
          try {
            parsed = parseReference(input, providers);
          } catch {
            return;
          }
          const canonical = formatReference(parsed);
          expect(parseReference(canonical, providers), `${inspect(input)} -> ${inspect(canonical)}`).toEqual(parsed);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-picked examples, one group per rule of the specification. Each checks the oracle first
// (so a wrong expectation is caught there), then the real parser.

const INVALID: OracleOutcome = { ok: false, error: 'InvalidReferenceError' };
const UNKNOWN: OracleOutcome = { ok: false, error: 'UnknownSchemeError' };
const ok = (
  scheme: string,
  body: string,
  extra: Partial<Extract<OracleOutcome, { ok: true }>['reference']> = {},
): OracleOutcome => ({ ok: true, reference: { scheme, body, params: {}, ...extra } });

function checkExample(input: string, expected: OracleOutcome): void {
  expect(plain(oracleParse(input)), 'oracle').toStrictEqual(plain(expected));
  expect(plain(realParse(input)), 'parseReference').toStrictEqual(plain(expected));
}

const ARN_PARAM = 'arn:aws:ssm:eu-west-1:123456789012:parameter/app';

describe('examples', () => {
  it.each<[unknown]>([[42], [null], [undefined], [{}], [['mem:a']]])('a non-string (%o) is invalid', (input) => {
    checkExample(input as string, INVALID);
  });

  it.each<[string, OracleOutcome]>([
    ['', INVALID],
    ['mem:a b', INVALID],
    ['mem:a\t', INVALID],
    ['mem:a\u00a0', INVALID],
    ['mem:a\u3000', INVALID],
    ['mem:a\u0000', INVALID],
    ['mem:a\u007f', INVALID],
    ['mem:a\u0085', INVALID],
    ['mem:a\u009f', INVALID],
    ['mem:a\u2028', INVALID],
    ['mem:a\ufeff', INVALID],
    ['nope:a\n', INVALID],
    ['{{resolve:mem:a b}}', INVALID],
    ['mem:a\u200b', ok('mem', 'a\u200b')],
    ['mem:a?flavour=%20', ok('mem', 'a', { params: { flavour: ' ' } })],
  ])('forbidden characters: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    // `?` and `#` are refused in CloudFormation bodies, so the canonical form stays parseable.
    ['{{resolve:mem:a?b#c}}', INVALID],
    ['{{resolve:mem:a?flavour=x}}', INVALID],
    ['{{resolve:mem:%zz}}', ok('mem', '%zz')],
    ['{{resolve:arnp-alt:x:3}}', ok('arnp-alt', 'x:3')],
    [`{{resolve:arnp:${ARN_PARAM}}}`, ok('arnp', ARN_PARAM, { region: 'eu-west-1' })],
    ['{{resolve:nope:x}}', UNKNOWN],
    ['{{resolve:MEM:x}}', INVALID],
    ['{{resolve:mem:}}', INVALID],
    ['{{resolve:mem}}', INVALID],
    ['{{resolve:mem:a}}x', INVALID],
    ['{{resolve:mem:a{b}}', INVALID],
    ['{{resolve:1mem:a}}', INVALID],
    ['{{mem:a}}', INVALID],
    ['{{', INVALID],
    ['{resolve:mem:a}', INVALID],
  ])('CloudFormation form: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    [ARN_PARAM, ok('arnp', ARN_PARAM, { region: 'eu-west-1' })],
    [
      'arn:aws-cn:ssm:cn-north-1:1:parameter/x?ttl=1s#k',
      ok('arnp', 'arn:aws-cn:ssm:cn-north-1:1:parameter/x', { region: 'cn-north-1', ttlMs: 1000, fragment: 'k' }),
    ],
    [
      'arn:aws-us-gov:ssm:us-gov-west-1:1:p',
      ok('arnp', 'arn:aws-us-gov:ssm:us-gov-west-1:1:p', { region: 'us-gov-west-1' }),
    ],
    [`${ARN_PARAM}?region=eu-west-1`, ok('arnp', ARN_PARAM, { region: 'eu-west-1' })],
    [`${ARN_PARAM}?region=us-east-1`, INVALID],
    [`${ARN_PARAM}?flavour=x`, INVALID],
    [`${ARN_PARAM}?`, INVALID],
    [`${ARN_PARAM}#`, INVALID],
    ['arn:aws:ssm:', ok('arnp', 'arn:aws:ssm:')],
    ['arn:aws:ssm::1:p', ok('arnp', 'arn:aws:ssm::1:p')],
    // A region the provider reads from the body must be one of its regions (arnp: AWS's), like ?region=.
    ['arn:aws:ssm:mars:1:p', INVALID],
    ['arn:aws:secretsmanager:us-east-1:1:secret:x', UNKNOWN],
    ['arn:aws:secretsmanager:us-east-1:1:secret:x?bad', UNKNOWN],
    ['arn:aws:SSM:eu-west-1:1:p', UNKNOWN],
    // Any partition reaches the provider that claims the service: it checks the rest of its ARNs.
    ['arn:aws1:ssm:eu-west-1:1:p', ok('arnp', 'arn:aws1:ssm:eu-west-1:1:p')],
    ['arn:AWS:ssm:eu-west-1:1:p', UNKNOWN],
    ['arn:aws:ssm', UNKNOWN],
    ['ARN:aws:ssm:eu-west-1:1:p', UNKNOWN],
    ['arnp:arn:aws:ssm:eu-west-1:1:p', ok('arnp', 'arn:aws:ssm:eu-west-1:1:p', { region: 'eu-west-1' })],
    ['mem:arn:aws:ssm:eu-west-1:1:p', ok('mem', 'arn:aws:ssm:eu-west-1:1:p')],
  ])('ARN form: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['mem:a', ok('mem', 'a')],
    ['MEM:a', ok('mem', 'a')],
    ['ARNP-ALT:x', ok('arnp-alt', 'x')],
    ['mem:a:b', ok('mem', 'a:b')],
    ['mem:%zz', ok('mem', '%zz')],
    ['mem:a#b#c?d', ok('mem', 'a', { fragment: 'b#c?d' })],
    ['mem:a?flavour=1?2#x', ok('mem', 'a', { params: { flavour: '1?2' }, fragment: 'x' })],
    ['mem:a?flavour=x=y', ok('mem', 'a', { params: { flavour: 'x=y' } })],
    ['nope:a', UNKNOWN],
    ['x+y.z-w:a', UNKNOWN],
    ['1mem:a', INVALID],
    [':a', INVALID],
    ['mem', INVALID],
    ['/path', INVALID],
  ])('URI form: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['nope:', UNKNOWN],
    ['nope:a?x', UNKNOWN],
    ['mem:', INVALID],
    ['mem:?x=1', INVALID],
    ['mem:?flavour=1', INVALID],
    ['mem:#k', INVALID],
  ])('empty body, after the scheme lookup: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['mem:a?', INVALID],
    ['mem:a?x', INVALID],
    ['mem:a?=1', INVALID],
    ['mem:a?as=json&', INVALID],
    ['mem:a?as=json&&optional=true', INVALID],
    ['mem:a?flavour=%zz', INVALID],
    ['mem:a?flavour=%E0%A4%A', INVALID],
    ['mem:a?flavour=%ED%A0%80', INVALID],
    ['mem:a?%zz=1', INVALID],
    ['mem:a?flavour=1&flavour=2', INVALID],
    ['mem:a?flavour=1&%66lavour=2', INVALID],
    ['mem:a?as=json&as=json', INVALID],
    ['mem:a?flavour=', INVALID],
    ['mem:a?%72egion=eu-west-1', ok('mem', 'a', { region: 'eu-west-1' })],
    ['mem:a?flavour=a%26b%3Dc', ok('mem', 'a', { params: { flavour: 'a&b=c' } })],
  ])('query syntax: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['mem:a?region=eu-west-1', ok('mem', 'a', { region: 'eu-west-1' })],
    ['mem:a?region=us-gov-west-1', ok('mem', 'a', { region: 'us-gov-west-1' })],
    ['mem:a?region=eu-west-12', ok('mem', 'a', { region: 'eu-west-12' })],
    ['arnp:a?region=eu-west-123', INVALID],
    ['mem:a?region=eusc-de-east-1', ok('mem', 'a', { region: 'eusc-de-east-1' })],
    ['arnp:a?region=abcde-west-1', INVALID],
    ['mem:a?region=EU-west-1', INVALID],
    ['arnp:a?region=eu-1', INVALID],
    ['arnp:a?region=mars', INVALID],
    // A provider that says nothing of its regions takes any plain token (GCP's europe-west1, Vault's).
    ['mem:a?region=europe-west1', ok('mem', 'a', { region: 'europe-west1' })],
    ['mem:a?region=mars', ok('mem', 'a', { region: 'mars' })],
    ['mem:a?region=eu-west-123', ok('mem', 'a', { region: 'eu-west-123' })],
    ['mem:a?region=-eu', INVALID],
    ['mem:a?region=eu_west', INVALID],
    ['mem:a?region=eu.west', INVALID],
    ['mem:a?region=eu-west-1%0A', INVALID],
    ['mem:a?REGION=eu-west-1', INVALID],
  ])('region: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['mem:a?ttl=0', ok('mem', 'a', { ttlMs: 0 })],
    ['mem:a?ttl=1500', ok('mem', 'a', { ttlMs: 1500 })],
    ['mem:a?ttl=1.5s', ok('mem', 'a', { ttlMs: 1500 })],
    ['mem:a?ttl=1.0ms', ok('mem', 'a', { ttlMs: 1 })],
    ['mem:a?ttl=1.25m', ok('mem', 'a', { ttlMs: 75_000 })],
    ['mem:a?ttl=2d', ok('mem', 'a', { ttlMs: 172_800_000 })],
    ['mem:a?ttl=007s', ok('mem', 'a', { ttlMs: 7000 })],
    ['mem:a?ttl=%31s', ok('mem', 'a', { ttlMs: 1000 })],
    ['mem:a?ttl=9007199254740991', ok('mem', 'a', { ttlMs: 9_007_199_254_740_991 })],
    ['mem:a?ttl=9007199254740992', INVALID],
    ['mem:a?ttl=1.5', INVALID],
    ['mem:a?ttl=0.5ms', INVALID],
    ['mem:a?ttl=1.1h', INVALID], // 1.1 * 3600000 is 3960000.0000000005 in floating point
    ['mem:a?ttl=1e3', INVALID],
    ['mem:a?ttl=-1', INVALID],
    ['mem:a?ttl=1S', INVALID],
    ['mem:a?ttl=.5s', INVALID],
    ['mem:a?ttl=1w', INVALID],
  ])('ttl: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['mem:a?as=string', ok('mem', 'a', { as: 'string' })],
    ['mem:a?as=list', ok('mem', 'a', { as: 'list' })],
    ['mem:a?as=JSON', INVALID],
    ['mem:a?as=yaml', INVALID],
    ['mem:a?optional=true', ok('mem', 'a', { optional: true })],
    ['mem:a?optional=false', ok('mem', 'a', { optional: false })],
    ['mem:a?optional=TRUE', INVALID],
    ['mem:a?optional=1', INVALID],
  ])('as and optional: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['mem:a?flavour=x', ok('mem', 'a', { params: { flavour: 'x' } })],
    ['mem:a?context.k=v', ok('mem', 'a', { params: { 'context.k': 'v' } })],
    ['mem:a?context.a.b=v', ok('mem', 'a', { params: { 'context.a.b': 'v' } })],
    ['mem:a?context.*=v', ok('mem', 'a', { params: { 'context.*': 'v' } })],
    ['mem:a?context.%2A=v', ok('mem', 'a', { params: { 'context.*': 'v' } })],
    ['mem:a?context.__proto__=v', ok('mem', 'a', { params: { 'context.__proto__': 'v' } })],
    // decodeURIComponent leaves a raw lone surrogate as it is: a valid value (and name) like any other.
    // Lone surrogates are not well-formed Unicode: refused anywhere.
    ['mem:a?flavour=\ud800', INVALID],
    ['mem:a?context.\udc00=v', INVALID],
    ['mem:\ud800#\ud800', INVALID],
    ['mem:a?context.=v', INVALID],
    ['mem:a?context=v', INVALID],
    ['mem:a?Flavour=x', INVALID],
    ['mem:a?colour=red', INVALID],
    ['mem:a?__proto__=x', INVALID],
    ['arnp:x?flavour=1', INVALID],
  ])('provider parameters: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['mem:a#k', ok('mem', 'a', { fragment: 'k' })],
    ['mem:a#/a~0~1', ok('mem', 'a', { fragment: '/a~0~1' })],
    ['mem:a#x~2', ok('mem', 'a', { fragment: 'x~2' })],
    ['mem:a#%7E', ok('mem', 'a', { fragment: '~' })],
    ['mem:a#key%20x', ok('mem', 'a', { fragment: 'key x' })],
    ['mem:a#', INVALID],
    ['mem:a#%zz', INVALID],
    ['mem:a#/x~2', INVALID],
    ['mem:a#/x~', INVALID],
    ['mem:a#%2Fx~2', INVALID],
    ['mem:a?as=nope#', INVALID],
  ])('fragment: %j', checkExample);

  it.each<[string, OracleOutcome]>([
    ['arnp:arn:aws:ssm:eu-west-1:1:p?region=us-east-1', INVALID],
    [
      'arnp:arn:aws:ssm:eu-west-1:1:p?region=eu-west-1',
      ok('arnp', 'arn:aws:ssm:eu-west-1:1:p', { region: 'eu-west-1' }),
    ],
    ['arnp:x?region=us-east-1', ok('arnp', 'x', { region: 'us-east-1' })],
    ['mem:arn:aws:ssm:eu-west-1:1:p?region=us-east-1', ok('mem', 'arn:aws:ssm:eu-west-1:1:p', { region: 'us-east-1' })],
  ])('region conflict: %j', checkExample);
});

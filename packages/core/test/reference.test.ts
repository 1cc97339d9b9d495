import {
  envProvider,
  fileProvider,
  formatReference,
  InvalidReferenceError,
  type Provider,
  parseDuration,
  parseReference,
  type Reference,
  SecretrefError,
  UnknownSchemeError,
} from '@secretref/core';
import { memoryProvider } from '@secretref/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Stands in for an AWS provider: claims SSM ARNs and takes the region from them. */
const arnProvider: Provider = {
  schemes: ['ssm', 'ssm-secure'],
  arnServices: ['ssm'],
  // It says how its regions look, as the AWS providers do; `mem` says nothing and takes any plain token.
  isRegion: (region) => /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/.test(region),
  parse: ({ body }) => {
    const region = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):/.exec(body)?.[1];
    return region ? { key: body, region } : { key: body };
  },
  fetch: async () => [],
};
const providers: Provider[] = [
  envProvider(),
  fileProvider(),
  arnProvider,
  memoryProvider({ schemes: ['mem'], params: ['flavour', 'context.*'] }),
];
const parse = (input: string): Reference => parseReference(input, providers);

describe('the URI form scheme:body?query#fragment', () => {
  it.each<[string, Reference]>([
    ['mem:a', { scheme: 'mem', body: 'a', params: {} }],
    ['MEM:a', { scheme: 'mem', body: 'a', params: {} }],
    ['mem:a?region=eu-west-1', { scheme: 'mem', body: 'a', params: {}, region: 'eu-west-1' }],
    ['mem:a?ttl=30s', { scheme: 'mem', body: 'a', params: {}, ttlMs: 30_000 }],
    ['mem:a?ttl=5m', { scheme: 'mem', body: 'a', params: {}, ttlMs: 300_000 }],
    ['mem:a?ttl=1h', { scheme: 'mem', body: 'a', params: {}, ttlMs: 3_600_000 }],
    ['mem:a?region=eusc-de-east-1', { scheme: 'mem', body: 'a', params: {}, region: 'eusc-de-east-1' }],
    // A provider that declares no isRegion takes any plain token: GCP's and Vault's regions too.
    ['mem:a?region=europe-west1', { scheme: 'mem', body: 'a', params: {}, region: 'europe-west1' }],
    ['mem:a?region=mars', { scheme: 'mem', body: 'a', params: {}, region: 'mars' }],
    ['mem:a?ttl=0', { scheme: 'mem', body: 'a', params: {}, ttlMs: 0 }],
    ['mem:a?ttl=1500', { scheme: 'mem', body: 'a', params: {}, ttlMs: 1500 }],
    ['mem:a?as=json', { scheme: 'mem', body: 'a', params: {}, as: 'json' }],
    ['mem:a?as=binary&optional=true', { scheme: 'mem', body: 'a', params: {}, as: 'binary', optional: true }],
    ['mem:a?optional=false', { scheme: 'mem', body: 'a', params: {}, optional: false }],
    ['mem:a?flavour=x%20y', { scheme: 'mem', body: 'a', params: { flavour: 'x y' } }],
    [
      'mem:a?context.App=web&context.Env=prod',
      { scheme: 'mem', body: 'a', params: { 'context.App': 'web', 'context.Env': 'prod' } },
    ],
    ['mem:a#password', { scheme: 'mem', body: 'a', params: {}, fragment: 'password' }],
    ['mem:a#/db/password', { scheme: 'mem', body: 'a', params: {}, fragment: '/db/password' }],
    ['mem:a#/a~1b/c~0d', { scheme: 'mem', body: 'a', params: {}, fragment: '/a~1b/c~0d' }],
    ['mem:a#key%20with%20space', { scheme: 'mem', body: 'a', params: {}, fragment: 'key with space' }],
    ['mem:a#k?not=query', { scheme: 'mem', body: 'a', params: {}, fragment: 'k?not=query' }],
    ['mem:a?as=string#k', { scheme: 'mem', body: 'a', params: {}, as: 'string', fragment: 'k' }],
    ['env:DATABASE_URL', { scheme: 'env', body: 'DATABASE_URL', params: {} }],
    ['file:/run/secrets/db', { scheme: 'file', body: '/run/secrets/db', params: {} }],
    ['file:///run/secrets/db', { scheme: 'file', body: '/run/secrets/db', params: {} }],
  ])('%s', (input, expected) => {
    expect(parse(input)).toEqual(expected);
  });
});

describe('CloudFormation dynamic references and bare ARNs', () => {
  it.each<[string, Reference]>([
    ['{{resolve:ssm:/app/db}}', { scheme: 'ssm', body: '/app/db', params: {} }],
    ['{{resolve:ssm:app-name:3}}', { scheme: 'ssm', body: 'app-name:3', params: {} }],
    ['{{resolve:ssm-secure:/app/db:2}}', { scheme: 'ssm-secure', body: '/app/db:2', params: {} }],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db',
      { scheme: 'ssm', body: 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db', params: {}, region: 'eu-west-1' },
    ],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db:prod#k',
      {
        scheme: 'ssm',
        body: 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db:prod',
        params: {},
        region: 'eu-west-1',
        fragment: 'k',
      },
    ],
  ])('%s', (input, expected) => {
    expect(parse(input)).toEqual(expected);
  });

  it('an ARN of a service no provider handles is an unknown scheme', () => {
    expect(() => parse('arn:aws:dynamodb:us-east-1:123456789012:table/x')).toThrow(UnknownSchemeError);
  });

  it('a {{...}} that is not {{resolve:service:...}} is invalid', () => {
    for (const input of ['{{ssm:/a}}', '{{resolve:ssm}}', '{{resolve:ssm:/a}', '{{resolve:ssm:}}']) {
      expect(() => parse(input), input).toThrow(InvalidReferenceError);
    }
  });
});

describe('invalid references', () => {
  it.each([
    ['', InvalidReferenceError],
    ['no-scheme', InvalidReferenceError],
    ['/just/a/path', InvalidReferenceError],
    ['vault:secret/x', UnknownSchemeError],
    ['mem:', InvalidReferenceError],
    ['mem:?ttl=1s', InvalidReferenceError],
    ['mem:a?', InvalidReferenceError],
    ['mem:a?colour=red', InvalidReferenceError],
    ['mem:a?ttl', InvalidReferenceError],
    ['mem:a?ttl=', InvalidReferenceError],
    ['mem:a?ttl=soon', InvalidReferenceError],
    ['mem:a?ttl=1.5', InvalidReferenceError],
    ['mem:a?ttl=1s&ttl=2s', InvalidReferenceError],
    ['mem:a?as=yaml', InvalidReferenceError],
    ['mem:a?optional=yes', InvalidReferenceError],
    ['ssm:/a?region=mars', InvalidReferenceError],
    ['mem:a?region=Eu-West-1', InvalidReferenceError],
    ['mem:a?region=eu_west_1', InvalidReferenceError],
    ['mem:a?region=-eu', InvalidReferenceError],
    ['mem:a?flavour=%E0%A4%A', InvalidReferenceError],
    ['mem:a?context.=x', InvalidReferenceError],
    ['mem:a#', InvalidReferenceError],
    ['mem:a#/x~2', InvalidReferenceError],
    ['mem:a#%zz', InvalidReferenceError],
    ['mem:a b', InvalidReferenceError],
    ['mem:a\n', InvalidReferenceError],
    ['mem:a\u0000', InvalidReferenceError],
    ['env:NOT-A NAME', InvalidReferenceError],
    ['arn:aws:ssm:eu-west-1:123456789012:parameter/app/db?region=us-east-1', InvalidReferenceError],
    ['arn:aws:ssm:mars:123456789012:parameter/app/db', InvalidReferenceError],
  ] as const)('%j -> %o', (input, type) => {
    expect(() => parse(input)).toThrow(type);
  });

  it('messages say what is wrong, name the scheme and the reference', () => {
    const error = (() => {
      try {
        parse('mem:a?colour=red');
        return undefined;
      } catch (e) {
        return e as InvalidReferenceError;
      }
    })();
    expect(error?.message).toBe(
      '[secretref] [mem] unknown query parameter "colour" (accepted: region, ttl, as, optional, flavour, context.*) in "mem:a?colour=red"',
    );
    expect(error).toMatchObject({ code: 'INVALID_REFERENCE', ref: 'mem:a?colour=red' });
  });

  it('never echoes input that is not a reference of a known scheme (it may be the secret itself)', () => {
    for (const input of ['hunter2-correct-horse', 'pw:hunter2-correct-horse', 'arn:aws:iam::1:hunter2-correct-horse']) {
      let error: unknown;
      try {
        parse(input);
      } catch (e) {
        error = e;
      }
      expect(error, input).toBeInstanceOf(SecretrefError);
      expect((error as SecretrefError).ref, input).toBeUndefined();
      expect((error as Error).message, input).not.toContain('hunter2');
    }
  });

  it('never echoes input that holds control characters (it may be a pasted secret)', () => {
    expect(() => parse('mem:hunter2\n')).toThrow(/whitespace, control characters or lone surrogates/);
    try {
      parse('mem:hunter2\n');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2');
    }
  });
});

describe('durations', () => {
  it.each([
    ['0', 0],
    ['250', 250],
    ['250ms', 250],
    ['1.5s', 1500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1.5', undefined],
    ['-1', undefined],
    ['1w', undefined],
    ['', undefined],
    ['99999999999999999999', undefined],
  ])('%s -> %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('canonical form', () => {
  it('sorts parameters, writes TTLs in ms and encodes what needs it', () => {
    expect(formatReference(parse('MEM:a?ttl=1m&region=eu-west-1&flavour=a%26b#key%20x'))).toBe(
      'mem:a?flavour=a%26b&region=eu-west-1&ttl=60000#key%20x',
    );
    expect(formatReference(parse('{{resolve:ssm:/app/db:3}}'))).toBe('ssm:/app/db:3');
  });

  const piece = fc.stringMatching(/^[A-Za-z0-9_.\-/]{1,12}$/);
  const text = fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' });
  const reference = fc.record(
    {
      body: piece.filter((b) => !b.startsWith('/') || b.length > 0),
      region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2'),
      ttl: fc.oneof(fc.nat({ max: 10_000_000 }).map(String), fc.constantFrom('30s', '5m', '1h', '0')),
      as: fc.constantFrom('string', 'json', 'binary', 'list'),
      optional: fc.boolean(),
      flavour: text,
      context: fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,6}$/), text, { maxKeys: 3 }),
      fragment: fc.oneof(
        text,
        text.map((t) => `/${t}`),
      ),
    },
    { requiredKeys: ['body'] },
  );

  it('parses back to the same reference (property)', () => {
    fc.assert(
      fc.property(reference, (r) => {
        const query = [
          r.region && `region=${r.region}`,
          r.ttl && `ttl=${r.ttl}`,
          r.as && `as=${r.as}`,
          r.optional !== undefined && `optional=${r.optional}`,
          r.flavour && `flavour=${encodeURIComponent(r.flavour)}`,
          ...Object.entries(r.context ?? {}).map(([k, v]) => `context.${k}=${encodeURIComponent(v)}`),
        ].filter(Boolean);
        const fragment = r.fragment === undefined ? '' : `#${encodeURIComponent(r.fragment).replaceAll('%2F', '/')}`;
        const input = `mem:${r.body}${query.length ? `?${query.join('&')}` : ''}${fragment}`;
        let parsed: Reference;
        try {
          parsed = parse(input);
        } catch (error) {
          // Pointers with stray ~ escapes are rightly invalid.
          expect(error).toBeInstanceOf(InvalidReferenceError);
          return;
        }
        const canonical = formatReference(parsed);
        expect(parse(canonical)).toEqual(parsed);
        expect(formatReference(parse(canonical))).toBe(canonical);
      }),
      { numRuns: 2000 },
    );
  });

  it('any string yields a reference or a typed error, and every reference round-trips (property)', () => {
    const inputs = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 40, unit: 'binary' }),
      fc
        .tuple(
          fc.constantFrom('mem:', 'ssm:', 'env:', 'file:', 'ssm-secure:', '{{resolve:ssm:', 'arn:aws:ssm:'),
          fc.string(),
        )
        .map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(inputs, (input) => {
        let parsed: Reference;
        try {
          parsed = parse(input);
        } catch (error) {
          expect(error).toBeInstanceOf(SecretrefError);
          expect((error as SecretrefError).code).toMatch(/^(INVALID_REFERENCE|UNKNOWN_SCHEME)$/);
          return;
        }
        expect(parse(formatReference(parsed))).toEqual(parsed);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('input that is no reference is never quoted', () => {
  const error = (input: string): SecretrefError => {
    try {
      parse(input);
    } catch (caught) {
      return caught as SecretrefError;
    }
    throw new Error(`${input} parsed`);
  };

  it.each([
    ['{{hunter2}}', 'hunter2'],
    ['{{ hunter2 }}', 'hunter2'],
    ['{{resolve:hunter2}}', 'hunter2'],
    ['{{resolve:ssm}}', '{{resolve:ssm}}'],
    ['correcthorsebatterystaplecorrect:x', 'correcthorsebattery'],
    ['pa$$word:x', 'pa$$word'],
    ['arn:aws:s3cr3tservice-with-a-long-name:x', 's3cr3tservice'],
  ])('%s', (input, secret) => {
    const caught = error(input);
    expect(caught).toBeInstanceOf(SecretrefError);
    const shown = [caught.message, caught.stack, caught.ref, JSON.stringify(caught), String(caught.scheme)].join('\n');
    expect(shown).not.toContain(secret);
  });

  it('at most a short token that looks like a scheme name', () => {
    const caught = error('vault:secret/data/app');
    expect(caught).toBeInstanceOf(UnknownSchemeError);
    expect(caught.message).toContain('unknown scheme "vault"');
    expect((caught as UnknownSchemeError).scheme).toBe('vault');
    expect(error('arn:aws:sqs:us-east-1:123456789012:q').message).toContain('"arn:sqs"');
  });
});

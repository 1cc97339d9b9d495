import { createResolver, formatReference, InvalidReferenceError, type Reference } from '@secretref/core';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const resolver = createResolver({ providers: [secretsManagerProvider()] });
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf';
const VERSION = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';

describe('Secrets Manager references', () => {
  it.each<[string, Reference]>([
    ['secretsmanager:prod/db', { scheme: 'secretsmanager', body: 'prod/db', params: {} }],
    [
      'secretsmanager:prod/db#password',
      { scheme: 'secretsmanager', body: 'prod/db', params: {}, fragment: 'password' },
    ],
    [
      'secretsmanager:prod/db#/nested/key',
      { scheme: 'secretsmanager', body: 'prod/db', params: {}, fragment: '/nested/key' },
    ],
    // The ECS / CodeBuild colon form, empty fields kept.
    [
      'secretsmanager:prod/db:password::',
      { scheme: 'secretsmanager', body: 'prod/db', params: {}, fragment: 'password' },
    ],
    [
      'secretsmanager:prod/db:password:AWSPREVIOUS:',
      { scheme: 'secretsmanager', body: 'prod/db', params: { versionStage: 'AWSPREVIOUS' }, fragment: 'password' },
    ],
    [
      `secretsmanager:prod/db:::${VERSION}`,
      { scheme: 'secretsmanager', body: 'prod/db', params: { versionId: VERSION } },
    ],
    [
      'secretsmanager:prod/db?versionStage=AWSPREVIOUS',
      { scheme: 'secretsmanager', body: 'prod/db', params: { versionStage: 'AWSPREVIOUS' } },
    ],
    [
      'secretsmanager:prod/db?fallbackRegions=us-west-2,eu-central-1',
      { scheme: 'secretsmanager', body: 'prod/db', params: { fallbackRegions: 'us-west-2,eu-central-1' } },
    ],
    // A bare ARN, as an ECS valueFrom holds it, with and without the fields.
    [ARN, { scheme: 'secretsmanager', body: ARN, params: {}, region: 'eu-west-1' }],
    [
      `${ARN}:password:AWSCURRENT:`,
      {
        scheme: 'secretsmanager',
        body: ARN,
        // AWSCURRENT is what no stage reads: both spellings share one cache entry.
        params: {},
        region: 'eu-west-1',
        fragment: 'password',
      },
    ],
    // A partial ARN (without the 6-character suffix).
    [
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db',
      {
        scheme: 'secretsmanager',
        body: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db',
        params: {},
        region: 'eu-west-1',
      },
    ],
    // CloudFormation: SecretString after the id.
    ['{{resolve:secretsmanager:prod/db}}', { scheme: 'secretsmanager', body: 'prod/db', params: {} }],
    [
      '{{resolve:secretsmanager:prod/db:SecretString:password}}',
      { scheme: 'secretsmanager', body: 'prod/db', params: {}, fragment: 'password' },
    ],
    [
      '{{resolve:secretsmanager:prod/db:SecretString:password:AWSPREVIOUS}}',
      { scheme: 'secretsmanager', body: 'prod/db', params: { versionStage: 'AWSPREVIOUS' }, fragment: 'password' },
    ],
    [
      `{{resolve:secretsmanager:${ARN}:SecretString:::${VERSION}}}`,
      { scheme: 'secretsmanager', body: ARN, params: { versionId: VERSION }, region: 'eu-west-1' },
    ],
    // A json key that starts with "/" is that key, not a pointer.
    ['secretsmanager:prod/db:/odd', { scheme: 'secretsmanager', body: 'prod/db', params: {}, fragment: '/~1odd' }],
  ])('%s', (input, expected) => {
    expect(resolver.parse(input)).toEqual(expected);
  });

  it.each([
    ['secretsmanager:prod*db', 'not a secret name'],
    ['secretsmanager:prod/db:a:b:c:d', 'at most'],
    [`secretsmanager:prod/db?versionStage=AWSPREVIOUS&versionId=${VERSION}`, 'not both'],
    ['secretsmanager:prod/db::AWSPREVIOUS:?versionStage=AWSCURRENT', 'different'],
    [`secretsmanager:prod/db::AWSPREVIOUS:${VERSION}`, 'not both'],
    ['secretsmanager:prod/db?versionId=short', 'not a version id'],
    ['secretsmanager:prod/db:SecretString:password:AWSPREVIOUS:', "CloudFormation's :SecretString: form"],
    ['secretsmanager:prod/db?fallbackRegions=us-west-2,moon', 'fallback region "moon"'],
    ['secretsmanager:prod/db?fallbackRegions=us-west-2,us-west-2', 'named twice'],
    [
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db?fallbackRegions=us-east-1',
      "the secret's own region",
    ],
    ['arn:aws-cn:secretsmanager:us-east-1:123456789012:secret:x', 'must look like'],
    ['secretsmanager:prod/db:password#other', 'two different JSON keys'],
    ['{{resolve:secretsmanager:prod/db:SecretBinary}}', 'SecretString'],
    ['arn:aws:secretsmanager:eu-west-1:123:secret:x', 'must look like'],
    ['secretsmanager:arn:aws:secretsmanager:mars:123456789012:secret:x', 'not an AWS region'],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:x?region=us-east-1', 'contradicts'],
  ])('%s is invalid (%s)', (input, message) => {
    expect(() => resolver.parse(input)).toThrow(InvalidReferenceError);
    expect(() => resolver.parse(input)).toThrow(message);
  });

  // A CloudFormation body written without {{resolve:}}: not a JSON key named SecretString.
  it.each([
    ['secretsmanager:prod/db:SecretString:password', 'prod/db:SecretString:password', 'prod/db#password'],
    ['secretsmanager:prod/db:SecretString', 'prod/db:SecretString', 'prod/db'],
    [
      'secretsmanager:prod/db:SecretString::AWSPREVIOUS',
      'prod/db:SecretString::AWSPREVIOUS',
      'prod/db?versionStage=AWSPREVIOUS',
    ],
    [`${ARN}:SecretString:password::`, `${ARN}:SecretString:password::`, `${ARN}#password`],
    [`secretsmanager:${ARN}:SecretString:password`, `${ARN}:SecretString:password`, `${ARN}#password`],
  ])('%s is CloudFormation without {{resolve:}}: refused, saying how to write it', (input, cloudformation, uri) => {
    let error: unknown;
    try {
      resolver.parse(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidReferenceError);
    const { message } = error as Error;
    expect(message).toMatch(/^\[secretref\] \[secretsmanager\] /);
    expect(message).toContain(`{{resolve:secretsmanager:${cloudformation}}}`);
    expect(message).toContain(`(or secretsmanager:${uri})`);
    expect(message).toContain('a JSON key named SecretString is read with #SecretString');
    // What the message suggests parses.
    expect(() => resolver.parse(`{{resolve:secretsmanager:${cloudformation}}}`)).not.toThrow();
    expect(() => resolver.parse(`secretsmanager:${uri}`)).not.toThrow();
  });

  it('a JSON key literally named SecretString is still read, with #SecretString or CloudFormation', () => {
    const expected = { scheme: 'secretsmanager', body: 'prod/db', params: {}, fragment: 'SecretString' };
    expect(resolver.parse('secretsmanager:prod/db#SecretString')).toEqual(expected);
    expect(resolver.parse('{{resolve:secretsmanager:prod/db:SecretString:SecretString}}')).toEqual(expected);
    expect(resolver.parse('secretsmanager:prod/db?versionStage=AWSPREVIOUS#SecretString')).toEqual({
      ...expected,
      params: { versionStage: 'AWSPREVIOUS' },
    });
  });

  it('writes one canonical form for every spelling of a version, so they share a cache entry', () => {
    const spellings = [
      'secretsmanager:prod/db:password:AWSPREVIOUS:',
      'secretsmanager:prod/db?versionStage=AWSPREVIOUS#password',
      '{{resolve:secretsmanager:prod/db:SecretString:password:AWSPREVIOUS}}',
    ];
    const canonical = spellings.map((s) => formatReference(resolver.parse(s)));
    expect(new Set(canonical)).toEqual(new Set(['secretsmanager:prod/db?versionStage=AWSPREVIOUS#password']));
    expect(resolver.parse(canonical[0] as string)).toEqual(resolver.parse(spellings[0] as string));
  });
});

describe('Secrets Manager references, property-based', () => {
  // The grammar's scope: names, JSON keys without the characters that end a body (: ? #) or need
  // escaping (% and whitespace), stages, version ids and regions, in every form AWS users write.
  const name = fc.stringMatching(/^[A-Za-z0-9/_+=.@-]{1,40}$/);
  // "SecretString" first in the colon form is CloudFormation's form without {{resolve:}}, refused.
  const jsonKey = fc.option(
    fc.stringMatching(/^[A-Za-z0-9_.@-][A-Za-z0-9_./@-]{0,15}$/).filter((key) => key !== 'SecretString'),
    { nil: undefined },
  );
  const version = fc.oneof(
    fc.constant({}),
    fc.record({ stage: fc.stringMatching(/^[A-Za-z0-9_+=.@-]{1,20}$/) }),
    fc.record({ id: fc.uuid() }),
  );

  it('every spelling of one secret version and key parses to one canonical form, which parses to itself', () => {
    fc.assert(
      fc.property(name, jsonKey, version, (secret, key, v) => {
        const stage = 'stage' in v ? v.stage : undefined;
        const id = 'id' in v ? v.id : undefined;
        const colon = `secretsmanager:${secret}:${key ?? ''}:${stage ?? ''}:${id ?? ''}`;
        const query = [stage && `versionStage=${encodeURIComponent(stage)}`, id && `versionId=${id}`]
          .filter(Boolean)
          .join('&');
        const fragment = key === undefined ? '' : key.startsWith('/') ? undefined : `#${key}`;
        const spellings = [
          colon,
          `{{resolve:secretsmanager:${secret}:SecretString:${key ?? ''}:${stage ?? ''}:${id ?? ''}}}`,
          ...(fragment === undefined ? [] : [`secretsmanager:${secret}${query ? `?${query}` : ''}${fragment}`]),
        ];
        const canonical = new Set(spellings.map((s) => formatReference(resolver.parse(s))));
        expect(canonical.size).toBe(1);
        const [only] = canonical as Set<string>;
        expect(formatReference(resolver.parse(only as string))).toBe(only);
        const parsed = resolver.parse(colon);
        expect(parsed.body).toBe(secret);
        expect(parsed.params.versionId).toBe(id);
        expect(parsed.params.versionStage).toBe(stage === 'AWSCURRENT' ? undefined : stage);
      }),
      { numRuns: 500 },
    );
  });
});

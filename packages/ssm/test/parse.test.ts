import { createResolver, formatReference, InvalidReferenceError, type Reference } from '@secretref/core';
import { parseSsmBody, type SsmLocator, ssmProvider } from '@secretref/ssm';
import { describe, expect, it } from 'vitest';

const resolver = createResolver({ providers: [ssmProvider()] });
const locate = (body: string, form: 'uri' | 'arn' | 'cloudformation' = 'uri'): SsmLocator =>
  parseSsmBody({ scheme: 'ssm', body, form, params: {}, ref: `ssm:${body}` });

describe('SSM reference bodies', () => {
  it.each<[string, Partial<SsmLocator>]>([
    ['/app/db/password', { name: '/app/db/password', selector: undefined, path: false, arn: false }],
    ['plain-name', { name: 'plain-name', path: false }],
    ['/app/db:3', { name: '/app/db', selector: '3', version: 3, key: '/app/db:3' }],
    ['/app/db:prod', { name: '/app/db', selector: 'prod', version: undefined }],
    ['/app/db:.hidden_label-1', { selector: '.hidden_label-1' }],
    ['/app/', { name: '/app/', path: true, batch: false }],
    ['/', { name: '/', path: true }],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db',
      { name: 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db', region: 'eu-west-1', arn: true },
    ],
    [
      'arn:aws-cn:ssm:cn-north-1:123456789012:parameter/app/db:7',
      { name: 'arn:aws-cn:ssm:cn-north-1:123456789012:parameter/app/db', version: 7, region: 'cn-north-1' },
    ],
  ])('%s', (body, expected) => {
    expect(locate(body)).toMatchObject(expected);
  });

  it.each([
    ['/app/db:', 'empty'],
    ['/app/db:1:2', 'at most one'],
    ['/app/db:0', 'neither a version number nor a label'],
    ['/app/db:3x', 'neither a version number nor a label'],
    ['/app db', 'not a parameter name'],
    ['/app/*', 'not a parameter name'],
    ['/app//db', 'empty path segment'],
    ['app/', 'must start with "/"'],
    ['app/db', 'must start with "/"'],
    ['arn:aws:ssm:eu-west-1:123456789012:parameter//a', 'not a parameter name'],
    ['/app/:3', 'cannot take a version'],
    ['arn:aws:ssm:eu-west-1:123:parameter/x', 'must look like'],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:x', 'must look like'],
    ['arn:aws:ssm:eu-west-1:123456789012:parameter/x:a:b', 'must look like'],
    // A region of another partition: names nothing, refused before any call.
    ['arn:aws-cn:ssm:us-east-1:123456789012:parameter/x', 'must look like'],
    ['arn:aws:ssm:cn-north-1:123456789012:parameter/x', 'must look like'],
    ['arn:aws:ssm:us-gov-west-1:123456789012:parameter/x', 'must look like'],
    [`/${'a'.repeat(2048)}`, 'longer than 2048'],
  ])('%s is invalid (%s)', (body, message) => {
    expect(() => locate(body)).toThrow(InvalidReferenceError);
    expect(() => locate(body)).toThrow(message);
  });

  it.each<[string, Reference]>([
    ['ssm:/app/db', { scheme: 'ssm', body: '/app/db', params: {} }],
    ['ssm-secure:/app/db:2', { scheme: 'ssm-secure', body: '/app/db:2', params: {} }],
    ['{{resolve:ssm:/app/db:2}}', { scheme: 'ssm', body: '/app/db:2', params: {} }],
    ['{{resolve:ssm-secure:/app/db}}', { scheme: 'ssm-secure', body: '/app/db', params: {} }],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db:prod',
      {
        scheme: 'ssm',
        body: 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db:prod',
        params: {},
        region: 'eu-west-1',
      },
    ],
    [
      'ssm:arn:aws:ssm:eu-west-1:123456789012:parameter/app/db?region=eu-west-1',
      { scheme: 'ssm', body: 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db', params: {}, region: 'eu-west-1' },
    ],
    ['ssm:/app/?ttl=1m', { scheme: 'ssm', body: '/app/', params: {}, ttlMs: 60_000 }],
  ])('the resolver parses %s', (input, expected) => {
    expect(resolver.parse(input)).toEqual(expected);
  });

  it('an ARN region that contradicts ?region= is invalid', () => {
    expect(() => resolver.parse('arn:aws:ssm:eu-west-1:123456789012:parameter/a?region=us-east-1')).toThrow(
      InvalidReferenceError,
    );
  });
});

describe('canonical forms in docs/reference-syntax.md', () => {
  it.each([
    ['SSM:/app/db?ttl=1m&region=eu-west-1', 'ssm:/app/db?region=eu-west-1&ttl=60000'],
    ['{{resolve:ssm:/app/db:3}}', 'ssm:/app/db:3'],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db#k',
      'ssm:arn:aws:ssm:eu-west-1:123456789012:parameter/app/db?region=eu-west-1#k',
    ],
    ['ssm:/app/db#key%20with%20space', 'ssm:/app/db#key%20with%20space'],
  ])('%s -> %s', (input, canonical) => {
    expect(formatReference(resolver.parse(input))).toBe(canonical);
  });
});

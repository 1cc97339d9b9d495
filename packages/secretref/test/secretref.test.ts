import * as aws from '@secretref/aws';
import * as core from '@secretref/core';
import { SecretNotFoundError, UnknownSchemeError } from '@secretref/core';
import * as kms from '@secretref/kms';
import * as secretsManager from '@secretref/secrets-manager';
import * as ssm from '@secretref/ssm';
import * as secretref from 'secretref';
import {
  awsProviders,
  createResolver,
  defaultResolver,
  invalidate,
  loadConfig,
  loadEnv,
  peek,
  type Resolver,
  resolve,
  resolveAll,
  secret,
  secretsHandler,
  secretsMiddleware,
  setDefaultResolver,
  watch,
} from 'secretref';
import { mockSecrets } from 'secretref/testing';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => {
  setDefaultResolver(undefined);
});

describe('the default resolver', () => {
  it('is created on first use, with the SSM and Secrets Manager providers registered', () => {
    const first = defaultResolver();
    expect(defaultResolver()).toBe(first);
    expect(first.parse('ssm:/a:3')).toEqual({ scheme: 'ssm', body: '/a:3', params: {} });
    expect(first.parse('{{resolve:ssm-secure:/a}}').scheme).toBe('ssm-secure');
    expect(first.parse('arn:aws:ssm:eu-west-1:123456789012:parameter/a').region).toBe('eu-west-1');
    expect(first.parse('env:HOME').scheme).toBe('env');
    expect(first.parse('secretsmanager:prod/db#password').fragment).toBe('password');
    expect(first.parse('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:password::')).toEqual({
      scheme: 'secretsmanager',
      body: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
      params: {},
      region: 'eu-west-1',
      fragment: 'password',
    });
    expect(first.parse('{{resolve:secretsmanager:prod/db:SecretString:password}}').scheme).toBe('secretsmanager');
  });

  it('resolve, resolveAll, peek and invalidate go to whatever resolver is the default', async () => {
    const custom: Resolver = createResolver({ providers: awsProviders() });
    setDefaultResolver(custom);
    process.env.SECRETREF_DEFAULT_TEST = 'x';
    expect(await resolve('env:SECRETREF_DEFAULT_TEST')).toBe('x');
    expect(await resolveAll({ v: 'env:SECRETREF_DEFAULT_TEST' })).toEqual({ v: 'x' });
    expect(peek('env:SECRETREF_DEFAULT_TEST')).toBe('x');
    expect(custom.stats().hits).toBe(1);
    invalidate();
    expect(peek('env:SECRETREF_DEFAULT_TEST')).toBeUndefined();
    delete process.env.SECRETREF_DEFAULT_TEST;
  });

  it("createResolver is the core's: the providers it is given (awsProviders() for AWS), a later one winning a scheme", async () => {
    const { memoryProvider } = await import('secretref/testing');
    expect(() => createResolver().parse('ssm:/a')).toThrow(UnknownSchemeError);
    expect(createResolver({ providers: awsProviders() }).parse('ssm:/a').scheme).toBe('ssm');
    const mine = memoryProvider({ schemes: ['ssm'], values: { '/a': 'mine' } });
    const r = createResolver({ providers: [...awsProviders(), mine] });
    expect(await r.resolve('ssm:/a')).toBe('mine');
  });

  it("every name secretref shares with a package it builds on is that package's own, never another with its name", () => {
    const shared = Object.entries({ core, aws, kms, ssm, secretsManager }).flatMap(([from, exports]) =>
      Object.keys(exports)
        .filter((name) => name in secretref)
        .map((name) => [
          from,
          name,
          (secretref as Record<string, unknown>)[name] === (exports as Record<string, unknown>)[name],
        ]),
    );
    expect(shared.length).toBeGreaterThan(30);
    expect(shared.filter(([, , same]) => !same)).toEqual([]);
  });
});

describe('mockSecrets, for testing application code', () => {
  it('answers resolve() from memory, in every reference form the real providers accept', async () => {
    const mock = mockSecrets({
      'ssm:/app/db/password': 'test-password',
      'ssm:/app/db:3': 'version-3',
      'ssm:/app/config': '{"port":8080}',
    });
    try {
      expect(await resolve('ssm:/app/db/password')).toBe('test-password');
      expect(await resolve('{{resolve:ssm-secure:/app/db/password}}')).toBe('test-password');
      expect(await resolve('ssm:/app/db:3')).toBe('version-3');
      expect(await resolve('ssm:/app/config#port')).toBe(8080);
      await expect(resolve('ssm:/app/other')).rejects.toBeInstanceOf(SecretNotFoundError);
      mock.set('ssm:/app/other', 'added');
      expect(await resolve('ssm:/app/other')).toBe('added');
      expect(mock.calls.length).toBeGreaterThan(0);
    } finally {
      mock.restore();
    }
  });

  it('a mocked reference with a #key is what that reference resolves to: a key of the JSON it selects from', async () => {
    const mock = mockSecrets({
      'secretsmanager:prod/db#password': 'pw',
      'secretsmanager:prod/db#username': 'app',
      'ssm:/app/config#/db/port': '5432',
    });
    try {
      expect(await resolve('secretsmanager:prod/db#password')).toBe('pw');
      expect(await resolve('secretsmanager:prod/db:username::', { as: 'string' })).toBe('app');
      expect(await resolve('secretsmanager:prod/db', { as: 'json' })).toEqual({ password: 'pw', username: 'app' });
      expect(await resolve('ssm:/app/config#/db/port')).toBe('5432');
    } finally {
      mock.restore();
    }
  });

  it('two spellings of one value, or a value and a key of it, are refused', () => {
    expect(() => mockSecrets({ 'ssm:/a': 'one', '{{resolve:ssm:/a}}': 'two' })).toThrow(/mocked already/);
    expect(() => mockSecrets({ 'secretsmanager:db#password': 'pw', 'secretsmanager:db': '{}' })).toThrow(
      /mocked already/,
    );
  });

  it('a kms: body is never shown in its errors, as the real provider shows none', async () => {
    const mock = mockSecrets({});
    const body = Buffer.alloc(48, 7).toString('base64');
    try {
      const error = await resolve(`kms:${body}`).catch((e: unknown) => e);
      expect(String((error as Error).message)).not.toContain(body.slice(0, 16));
      expect((error as { ref?: string }).ref).toMatch(/^kms:<\d+ characters, hmac [0-9a-f]{12}>$/);
    } finally {
      mock.restore();
    }
  });

  it('restore puts the previous default back', () => {
    const before = defaultResolver();
    const mock = mockSecrets({});
    expect(defaultResolver()).toBe(mock.resolver);
    mock.restore();
    expect(defaultResolver()).toBe(before);
  });
});

describe('the app helpers, bound to the default resolver', () => {
  it('loadEnv, loadConfig, secretsHandler, secretsMiddleware and watch use whatever resolver is the default', async () => {
    const mock = mockSecrets({
      'ssm:/app/db/password': 'pw-from-mock',
      'secretsmanager:prod/api': '{"key":"k-from-mock"}',
    });
    try {
      const env: Record<string, string | undefined> = {
        DB_PASSWORD: 'ssm:/app/db/password',
        URL: 'https://user:{{ ssm:/app/db/password }}@host',
        PLAIN: 'x',
      };
      expect(await loadEnv({ env })).toEqual({ DB_PASSWORD: 'pw-from-mock', URL: 'https://user:pw-from-mock@host' });
      const config = await loadConfig({ api: secret('secretsmanager:prod/api#key'), name: 'n' });
      expect(String(config.api)).toBe('[redacted]');
      expect(config.api.reveal()).toBe('k-from-mock');
      const handler = secretsHandler({ pw: 'ssm:/app/db/password' }, (_e: unknown, _c: object, s) => s.pw);
      expect(await handler({}, {})).toBe('pw-from-mock');
      const request = { context: {} as Record<string, unknown> };
      await secretsMiddleware({ pw: 'ssm:/app/db/password' }).before(request);
      expect(request.context.pw).toBe('pw-from-mock');
      const watcher = watch('ssm:/app/db/password', () => {}, { intervalMs: 60_000 });
      await watcher.ready;
      watcher.stop();
      expect(mock.calls.length).toBeGreaterThan(0);
    } finally {
      mock.restore();
    }
  });
});

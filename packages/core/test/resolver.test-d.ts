import { createResolver } from '@secretref/core';
import { describe, expectTypeOf, it } from 'vitest';

const resolver = createResolver();

describe('resolve types', () => {
  it('as: json is unknown unless the caller names a type', () => {
    expectTypeOf(resolver.resolve('ssm:/a', { as: 'json' })).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(resolver.resolve<{ port: number }>('ssm:/a', { as: 'json' })).toEqualTypeOf<
      Promise<{ port: number }>
    >();
    expectTypeOf(resolver.resolve('ssm:/a', { as: 'json', optional: true })).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(resolver.resolve('ssm:/a', { as: 'string' })).toEqualTypeOf<Promise<string>>();
  });

  it('never infers the type parameter from where the result goes', async () => {
    // @ts-expect-error: a string is not a number; name the type to claim one
    const port: number = await resolver.resolve('ssm:/port');
    // @ts-expect-error: the same for JSON: unknown until named
    const config: { port: number } = await resolver.resolve('ssm:/config', { as: 'json' });
    void [port, config];
  });
});

describe('peek types', () => {
  it('follow as, like resolve', () => {
    expectTypeOf(resolver.peek('ssm:/a')).toEqualTypeOf<string | undefined>();
    expectTypeOf(resolver.peek('ssm:/a', { as: 'binary' })).toEqualTypeOf<Uint8Array | undefined>();
    expectTypeOf(resolver.peek('ssm:/a', { as: 'list' })).toEqualTypeOf<readonly string[] | undefined>();
    expectTypeOf(resolver.peek('ssm:/a', { as: 'json' })).toEqualTypeOf<unknown>();
    expectTypeOf(resolver.peek('ssm:/a', { as: 'json', allowStale: true })).toEqualTypeOf<unknown>();
  });
});

describe('watch types', () => {
  it('the callback receives what as gives', () => {
    resolver.watch('ssm:/a', (value) => {
      expectTypeOf(value).toEqualTypeOf<string>();
    });
    resolver.watch(
      'ssm:/a',
      (value) => {
        expectTypeOf(value).toEqualTypeOf<Uint8Array>();
      },
      { as: 'binary' },
    );
    resolver.watch(
      'ssm:/a',
      (value) => {
        expectTypeOf(value).toEqualTypeOf<readonly string[]>();
      },
      { as: 'list' },
    );
    resolver.watch(
      'ssm:/a',
      (value) => {
        expectTypeOf(value).toEqualTypeOf<unknown>();
      },
      { as: 'json' },
    );
    resolver.watch<{ n: number }>(
      'ssm:/a',
      (value) => {
        expectTypeOf(value).toEqualTypeOf<{ n: number }>();
      },
      {
        as: 'json',
      },
    );
  });
});

describe('a reference written as a literal types its own value', () => {
  it('by its ?as=, #fragment, SSM path and ?optional=', () => {
    expectTypeOf(resolver.resolve('ssm:/app/db/config#port')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(resolver.resolve('ssm:/app/db/config?as=json')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(resolver.resolve('ssm:/app/cert?as=binary')).toEqualTypeOf<Promise<Uint8Array>>();
    expectTypeOf(resolver.resolve('ssm:/app/hosts?region=eu-west-1&as=list')).toEqualTypeOf<
      Promise<readonly string[]>
    >();
    expectTypeOf(resolver.resolve('ssm:/app/')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(resolver.resolve('ssm:/app/flag?optional=true')).toEqualTypeOf<Promise<string | undefined>>();
    expectTypeOf(resolver.resolve('ssm:/app/db/password')).toEqualTypeOf<Promise<string>>();
  });

  it('an AppConfig profile is JSON, text or bytes by its content type: unknown, unless ?as= says', () => {
    expectTypeOf(resolver.resolve('appconfig:shop/prod/settings')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(resolver.resolve('appconfig:shop/prod/flags#beta')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(resolver.resolve('appconfig:shop/prod/motd?as=string')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(resolver.resolve('appconfig:shop/prod/blob?as=binary')).toEqualTypeOf<Promise<Uint8Array>>();
  });

  it('the options win over the reference', () => {
    expectTypeOf(resolver.resolve('ssm:/app/db/config#port', { as: 'string' })).toEqualTypeOf<Promise<string>>();
    expectTypeOf(resolver.resolve('ssm:/app/flag?optional=true', { optional: false })).toEqualTypeOf<Promise<string>>();
  });

  it('a reference that is no literal is a string', () => {
    const ref: string = 'ssm:/app/db/config#port';
    expectTypeOf(resolver.resolve(ref)).toEqualTypeOf<Promise<string>>();
  });

  it('resolveAll, peek and retryWithFreshSecret follow the same rules', async () => {
    expectTypeOf(
      resolver.resolveAll({
        password: 'ssm:/app/db/password',
        port: 'ssm:/app/db/config#port',
        cert: { ref: 'ssm:/app/cert', as: 'binary' },
        flag: 'ssm:/app/flag?optional=true',
        hosts: { ref: 'ssm:/app/hosts', as: 'list', optional: true },
      }),
    ).toEqualTypeOf<
      Promise<{
        password: string;
        port: unknown;
        cert: Uint8Array;
        flag: string | undefined;
        hosts: readonly string[] | undefined;
      }>
    >();
    expectTypeOf(resolver.peek('ssm:/app/db/config#port')).toEqualTypeOf<unknown>();
    await resolver.retryWithFreshSecret(
      'ssm:/app/db/config?as=json',
      (value) => expectTypeOf(value).toEqualTypeOf<unknown>(),
      {
        isAuthFailure: (error) => error instanceof Error,
      },
    );
    await resolver.retryWithFreshSecret(
      'ssm:/app/db/password',
      (value) => expectTypeOf(value).toEqualTypeOf<string>(),
      {
        isAuthFailure: () => false,
      },
    );
  });
});

describe('the other spellings of a JSON key, and what is no query', () => {
  it("Secrets Manager's colon fields (ECS, CodeBuild, CloudFormation) name a JSON key too", () => {
    expectTypeOf(resolver.resolve('secretsmanager:prod/db:port::')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(
      resolver.resolve('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:port::'),
    ).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(resolver.resolve('{{resolve:secretsmanager:prod/db:SecretString:port}}')).toEqualTypeOf<
      Promise<unknown>
    >();
    // No key: the whole secret string.
    expectTypeOf(resolver.resolve('secretsmanager:prod/db::AWSPREVIOUS')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(resolver.resolve('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf')).toEqualTypeOf<
      Promise<string>
    >();
    expectTypeOf(resolver.resolve('{{resolve:secretsmanager:prod/db}}')).toEqualTypeOf<Promise<string>>();
  });

  it('a ? after # belongs to the fragment', () => {
    expectTypeOf(resolver.resolve('ssm:/x#port?as=string')).toEqualTypeOf<Promise<unknown>>();
  });
});

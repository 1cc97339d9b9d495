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

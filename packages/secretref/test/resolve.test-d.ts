import { resolve, resolveAll } from 'secretref';
import { describe, expectTypeOf, it } from 'vitest';

describe('resolve types', () => {
  it('is a string by default, typed by as and optional', () => {
    expectTypeOf(resolve('ssm:/a')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(resolve('ssm:/a', { as: 'binary' })).toEqualTypeOf<Promise<Uint8Array>>();
    expectTypeOf(resolve('ssm:/a', { as: 'list' })).toEqualTypeOf<Promise<readonly string[]>>();
    expectTypeOf(resolve('ssm:/a', { optional: true })).toEqualTypeOf<Promise<string | undefined>>();
    expectTypeOf(resolve<{ port: number }>('ssm:/a', { as: 'json' })).toEqualTypeOf<Promise<{ port: number }>>();
  });

  it('resolveAll keeps the keys and types each entry', () => {
    expectTypeOf(
      resolveAll({ a: 'ssm:/a', b: { ref: 'ssm:/b', as: 'binary' }, c: { ref: 'ssm:/c', optional: true } }),
    ).toEqualTypeOf<Promise<{ a: string; b: Uint8Array; c: string | undefined }>>();
  });

  it('rejects options that do not exist', () => {
    // @ts-expect-error: no such option
    resolve('ssm:/a', { decrypt: true });
    // @ts-expect-error: not a value type
    resolve('ssm:/a', { as: 'yaml' });
  });
});

/**
 * An own `__proto__` key, as `JSON.parse` makes it, in a `loadConfig` spec or in a `loadEnv` /
 * `resolveEnv` environment stays an own key of every result (config, values, errors, references, the
 * environment written back, `ResolveAllError.errors`): never dropped, never a prototype.
 */
import {
  createResolver,
  loadConfigWith,
  loadEnvWith,
  ResolveAllError,
  resolveEnvWith,
  SecretNotFoundError,
} from '@secretref/core';
import { memoryProvider } from '@secretref/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const VALUES = { 'api/key': 'api-key-51c0ffee', port: '8080' };

function setup() {
  const provider = memoryProvider({ schemes: ['mem'], values: { ...VALUES }, batchSize: 50 });
  return createResolver({ providers: [provider], jitter: 0 });
}

/** The own `__proto__` property's value, or a marker when there is none. */
function ownProto(target: object): unknown {
  return Object.getOwnPropertyDescriptor(target, '__proto__')?.value ?? 'no own __proto__';
}

function expectPlain(target: object): void {
  expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
}

describe('loadConfig and an own __proto__ key in the spec', () => {
  it('keeps it as an own key at every depth, with the plain prototype', async () => {
    const resolver = setup();
    const spec = JSON.parse(
      '{"__proto__": "mem:api/key", "nested": {"__proto__": {"port": "mem:port"}}, "plain": {"__proto__": 1}}',
    );
    const config = (await loadConfigWith(resolver, spec)) as Record<string, Record<string, unknown>>;
    expectPlain(config);
    expect(ownProto(config)).toBe(VALUES['api/key']);
    const nested = config.nested as Record<string, unknown>;
    expectPlain(nested);
    expect(ownProto(nested)).toEqual({ port: '8080' });
    expect((nested as { port?: unknown }).port).toBeUndefined(); // not inherited through a prototype
    expect(ownProto(config.plain as object)).toBe(1);
  });

  it('a failing reference at __proto__ is a ResolveAllError keyed by it, not a silent success', async () => {
    const resolver = setup();
    const error = await loadConfigWith(resolver, JSON.parse('{"__proto__": "mem:nope", "ok": "mem:port"}')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResolveAllError);
    const { errors } = error as ResolveAllError;
    expectPlain(errors);
    expect(Object.keys(errors)).toEqual(['__proto__']);
    expect(ownProto(errors)).toBeInstanceOf(SecretNotFoundError);
    expect((error as Error).message).toMatch(/__proto__: NOT_FOUND/);
  });
});

describe('resolveEnv / loadEnv and an own __proto__ variable', () => {
  const saved = Object.getOwnPropertyDescriptor(process.env, '__proto__');
  afterEach(() => {
    Reflect.deleteProperty(process.env, '__proto__');
    if (saved) Object.defineProperty(process.env, '__proto__', saved);
  });

  it('values and references keep it as an own key', async () => {
    const resolver = setup();
    const env = JSON.parse('{"__proto__": "mem:api/key", "T": "port={{ mem:port }}"}') as Record<string, string>;
    const { values, errors, references } = await resolveEnvWith(resolver, { env });
    for (const result of [values, errors, references]) expectPlain(result);
    expect(ownProto(values)).toBe(VALUES['api/key']);
    expect(values.T).toBe('port=8080');
    expect(ownProto(references)).toEqual([{ ref: 'mem:api/key', value: VALUES['api/key'] }]);
    expect(Object.keys(errors)).toEqual([]);
  });

  it('a failing __proto__ variable is an error by its name, and loadEnv writes nothing', async () => {
    const resolver = setup();
    const env = JSON.parse('{"__proto__": "mem:nope", "A": "mem:port"}') as Record<string, string>;
    const { errors, references } = await resolveEnvWith(resolver, { env });
    expectPlain(errors);
    expectPlain(references);
    expect(Object.keys(errors)).toEqual(['__proto__']);
    expect(ownProto(errors)).toBeInstanceOf(SecretNotFoundError);
    const error = await loadEnvWith(resolver, { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolveAllError);
    expect(Object.keys((error as ResolveAllError).errors)).toEqual(['__proto__']);
    expect(env.A).toBe('mem:port');
  });

  it('loadEnv writes it back as an own key of a plain object and of process.env', async () => {
    const resolver = setup();
    const env = JSON.parse('{"__proto__": "mem:api/key"}') as Record<string, string>;
    const values = await loadEnvWith(resolver, { env });
    expect(ownProto(values)).toBe(VALUES['api/key']);
    expectPlain(env);
    expect(ownProto(env)).toBe(VALUES['api/key']);

    // What `env '__proto__=mem:api/key' node app.js` gives.
    Object.defineProperty(process.env, '__proto__', {
      value: 'mem:api/key',
      writable: true,
      enumerable: true,
      configurable: true,
    });
    const prototype = Object.getPrototypeOf(process.env);
    await loadEnvWith(resolver, { names: ['__proto__'] });
    expect(Object.getPrototypeOf(process.env)).toBe(prototype);
    expect(ownProto(process.env)).toBe(VALUES['api/key']);
  });

  it('names that are only inherited (__proto__, toString) are no variables', async () => {
    const resolver = setup();
    const env: Record<string, string> = { A: 'mem:port' };
    const { values, errors } = await resolveEnvWith(resolver, { env, names: ['__proto__', 'toString', 'A'] });
    expect(values).toEqual({ A: '8080' });
    expect(errors).toEqual({});
  });
});

/**
 * The Lambda wrappers over a resolver: `secretsHandlerWith` and the middy middleware
 * `secretsMiddlewareWith`, on the in-memory provider.
 */
import { secretsHandlerWith, secretsMiddlewareWith } from '@secretref/aws';
import { createResolver, InvalidOptionError } from '@secretref/core';
import { manualClock, memoryProvider } from '@secretref/core/testing';
import { describe, expect, it, vi } from 'vitest';

const VALUES = {
  'db/password': 'pw-\u00e9-7f3a9c',
  'db/config': '{"host":"db.internal","port":5432}',
  'api/key': 'api-key-51c0ffee',
};

function setup() {
  const provider = memoryProvider({ schemes: ['mem'], values: { ...VALUES }, batchSize: 50 });
  const resolver = createResolver({ providers: [provider], jitter: 0, clock: manualClock() });
  return { provider, resolver };
}

describe('Lambda', () => {
  it('secretsHandlerWith resolves before each invocation within half the remaining time, from the cache when fresh', async () => {
    const { provider, resolver } = setup();
    const resolveAll = vi.spyOn(resolver, 'resolveAll');
    const handler = secretsHandlerWith(
      resolver,
      { password: 'mem:db/password' },
      async (event: { n: number }, _context, secrets) => `${event.n}:${secrets.password.length}`,
    );
    const context = { getRemainingTimeInMillis: () => 3000 };
    expect(await handler({ n: 1 }, context)).toBe(`1:${VALUES['db/password'].length}`);
    expect(await handler({ n: 2 }, context)).toBe(`2:${VALUES['db/password'].length}`);
    expect(provider.calls).toHaveLength(1);
    expect(resolveAll.mock.calls[0]?.[1]).toEqual({ timeoutMs: 1500 });
  });

  it('secretsMiddlewareWith puts the values in internal and on the context', async () => {
    const { resolver } = setup();
    const request = { event: {}, context: {} as Record<string, unknown>, internal: {} };
    await secretsMiddlewareWith(resolver, { apiKey: 'mem:api/key' }).before(request);
    expect(request.internal).toEqual({ apiKey: VALUES['api/key'] });
    expect(request.context.apiKey).toBe(VALUES['api/key']);
  });

  it('secretsMiddlewareWith keeps a __proto__ key (refs from JSON.parse) an own key, never the prototype', async () => {
    const { resolver } = setup();
    const refs = JSON.parse('{"__proto__": "mem:db/config?as=json"}') as Record<string, string>;
    const request = { event: {}, context: {} as Record<string, unknown>, internal: {} as Record<string, unknown> };
    await secretsMiddlewareWith(resolver, refs).before(request);
    for (const target of [request.internal, request.context]) {
      expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(target, '__proto__')?.value).toEqual({ host: 'db.internal', port: 5432 });
      expect((target as { host?: unknown }).host).toBeUndefined();
    }
  });

  it('secretsMiddlewareWith: a request without a context, or a frozen context, is a typed error', async () => {
    const { resolver } = setup();
    const middleware = secretsMiddlewareWith(resolver, { apiKey: 'mem:api/key' });
    await expect(middleware.before({} as never)).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(middleware.before(null as never)).rejects.toBeInstanceOf(InvalidOptionError);
    const frozen = { context: Object.freeze({}) as Record<string, unknown>, internal: {} };
    await expect(middleware.before(frozen)).rejects.toThrow(/setToContext: false/);
  });

  it('both refuse options they do not know, at wrap time', () => {
    const { resolver } = setup();
    expect(() => secretsHandlerWith(resolver, {}, async () => 1, { shares: 0.5 } as never)).toThrow(
      /unknown option "shares"/,
    );
    expect(() => secretsMiddlewareWith(resolver, {}, { share: 2 })).toThrow(/share/);
  });
});

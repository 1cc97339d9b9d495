import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import {
  AccessDeniedError,
  CHANNELS,
  createResolver,
  InvalidOptionError,
  InvalidReferenceError,
  ProviderError,
  ResolveAllError,
  SecretNotFoundError,
  SecretrefError,
  TimeoutError,
  UnknownSchemeError,
} from '@secretref/core';
import { manualClock, memoryProvider } from '@secretref/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { observable, setup, unavailable } from './helpers.ts';

const MINUTE = 60_000;

describe('TTL', () => {
  it('serves the cached value until the TTL passes, then fetches again', async () => {
    const t = setup({ values: { a: 'v1' }, ttlMs: MINUTE });
    expect(await t.resolver.resolve('mem:a')).toBe('v1');
    t.provider.set('a', 'v2');
    t.advance(MINUTE - 1);
    expect(await t.resolver.resolve('mem:a')).toBe('v1');
    expect(t.calls).toBe(1);
    t.advance(1);
    expect(await t.resolver.resolve('mem:a')).toBe('v2');
    expect(t.calls).toBe(2);
  });

  it('defaults to 5 minutes', async () => {
    const t = setup({ values: { a: 'v1' } });
    await t.resolver.resolve('mem:a');
    t.advance(5 * MINUTE - 1);
    await t.resolver.resolve('mem:a');
    expect(t.calls).toBe(1);
    t.advance(1);
    await t.resolver.resolve('mem:a');
    expect(t.calls).toBe(2);
  });

  it('takes the TTL from the call, then the reference, then the resolver', async () => {
    const t = setup({ values: { a: 'v' }, ttlMs: 10 * MINUTE });
    await t.resolver.resolve('mem:a?ttl=30s');
    t.advance(30_000);
    await t.resolver.resolve('mem:a?ttl=30s');
    expect(t.calls).toBe(2);
    t.advance(30_000);
    await t.resolver.resolve('mem:a?ttl=30s', { ttlMs: 2 * MINUTE });
    expect(t.calls).toBe(2);
    await t.resolver.resolve('mem:a', { ttlMs: 0 });
    expect(t.calls).toBe(3);
  });

  it('ttl=0 fetches on every resolve but still shares one fetch among concurrent callers', async () => {
    const t = setup({ values: { a: 'v' } });
    await Promise.all([t.resolver.resolve('mem:a?ttl=0'), t.resolver.resolve('mem:a?ttl=0')]);
    expect(t.calls).toBe(1);
    await t.resolver.resolve('mem:a?ttl=0');
    expect(t.calls).toBe(2);
  });

  it('uses a provider default TTL when the reference sets none', async () => {
    const provider = memoryProvider({ schemes: ['mem'], values: { a: 'v' }, ttlMs: Number.POSITIVE_INFINITY });
    const clock = manualClock();
    const resolver = createResolver({ providers: [provider], clock });
    await resolver.resolve('mem:a');
    clock.advance(365 * 24 * 60 * MINUTE);
    await resolver.resolve('mem:a');
    expect(provider.calls).toHaveLength(1);
  });
});

describe('jitter', () => {
  it('expires each value at a random point in the last `jitter` fraction of its TTL', async () => {
    for (const [random, expiresAfter] of [
      [0, MINUTE],
      [0.5, 0.95 * MINUTE],
      [0.999_999, 0.900_000_06 * MINUTE],
    ] as const) {
      const t = setup({ values: { a: 'v' }, ttlMs: MINUTE, jitter: 0.1, random: () => random });
      await t.resolver.resolve('mem:a');
      t.advance(Math.ceil(expiresAfter) - 1);
      await t.resolver.resolve('mem:a');
      expect(t.calls, `random ${random}: still fresh`).toBe(1);
      t.advance(1);
      await t.resolver.resolve('mem:a');
      expect(t.calls, `random ${random}: expired`).toBe(2);
    }
  });

  it('never expires before (1 - jitter) x TTL nor after the TTL, whatever the random source', async () => {
    for (let i = 0; i < 50; i++) {
      const t = setup({ values: { a: 'v' }, ttlMs: MINUTE, jitter: 0.2, random: Math.random });
      await t.resolver.resolve('mem:a');
      t.advance(0.8 * MINUTE - 1);
      await t.resolver.resolve('mem:a');
      expect(t.calls).toBe(1);
      t.advance(0.2 * MINUTE + 1);
      await t.resolver.resolve('mem:a');
      expect(t.calls).toBe(2);
    }
  });
});

describe('grouped expiry', () => {
  it('the values of one fetched batch share one jitter draw: they expire together, and refresh in one call', async () => {
    let draws = 0;
    // A new draw each time: per entry, the keys would expire 6 s apart and refresh one by one.
    const random = () => (draws++ % 10) / 10;
    const t = setup({ values: { a: '1', b: '2', c: '3' }, ttlMs: MINUTE, jitter: 0.1, random });
    await t.resolver.resolveAll({ a: 'mem:a', b: 'mem:b', c: 'mem:c' });
    expect(draws).toBe(1);
    t.advance(MINUTE - 1); // the draw was 0: the whole TTL
    await t.resolver.resolveAll({ a: 'mem:a', b: 'mem:b', c: 'mem:c' });
    expect(t.provider.calls).toEqual([['a', 'b', 'c']]);
    t.advance(1);
    await t.resolver.resolveAll({ a: 'mem:a', b: 'mem:b', c: 'mem:c' });
    expect(t.provider.calls).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });
});

describe('single-flight and batching', () => {
  it('100 concurrent cold resolves of one key make one call', async () => {
    const t = setup({ values: { a: 'v' } });
    const values = await Promise.all(Array.from({ length: 100 }, () => t.resolver.resolve('mem:a')));
    expect(new Set(values)).toEqual(new Set(['v']));
    expect(t.provider.calls).toEqual([['a']]);
  });

  it('shares one fetch among the as/fragment variants of one value', async () => {
    const t = setup({ values: { a: '{"user":"u","port":5432}' } });
    const [whole, user, port] = await Promise.all([
      t.resolver.resolve('mem:a'),
      t.resolver.resolve('mem:a#user'),
      t.resolver.resolve('mem:a#/port'),
    ]);
    expect([whole, user, port]).toEqual(['{"user":"u","port":5432}', 'u', 5432]);
    expect(t.provider.calls).toEqual([['a']]);
  });

  it('25 references requested together make 3 calls of at most 10, all in flight at once', async () => {
    const values = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${i}`, `v${i}`]));
    const t = setup({ values });
    let inFlight = 0;
    let maxInFlight = 0;
    const fetch = t.provider.fetch.bind(t.provider);
    t.provider.fetch = async (requests, context) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => t.clock.setTimer(() => resolve(undefined), 5));
      inFlight--;
      return fetch(requests, context);
    };
    const all = Promise.all(Object.keys(values).map((k) => t.resolver.resolve(`mem:${k}`)));
    await t.clock.advanceAsync(5);
    const resolved = await all;
    expect(resolved).toEqual(Object.values(values));
    expect(t.provider.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(maxInFlight).toBe(3);
  });

  it('bounds the batches in flight per provider and region', async () => {
    const values = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, `v${i}`]));
    const t = setup({ values, batchSize: 2, maxConcurrency: 4 });
    let inFlight = 0;
    let maxInFlight = 0;
    const fetch = t.provider.fetch.bind(t.provider);
    t.provider.fetch = async (requests, context) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((resolve) => t.clock.setTimer(() => resolve(undefined), 2));
      inFlight--;
      return fetch(requests, context);
    };
    let done = false;
    const all = t.resolver.resolveAll(Object.fromEntries(Object.keys(values).map((k) => [k, `mem:${k}`])));
    void all.finally(() => {
      done = true;
    });
    for (let round = 0; round < 10 && !done; round++) await t.clock.advanceAsync(2);
    await all;
    expect(t.calls).toBe(15);
    expect(maxInFlight).toBe(4);
  });

  it('groups by region: one batch per region', async () => {
    const t = setup({ values: { a: '1', b: '2', c: '3' } });
    await Promise.all([
      t.resolver.resolve('mem:a?region=us-east-1'),
      t.resolver.resolve('mem:b?region=eu-west-1'),
      t.resolver.resolve('mem:c?region=us-east-1'),
    ]);
    expect(t.provider.calls.map((c) => [...c].sort())).toEqual([['a', 'c'], ['b']]);
  });

  it('fetches references requested in later ticks in later batches', async () => {
    const t = setup({ values: { a: '1', b: '2' } });
    await t.resolver.resolve('mem:a');
    await t.resolver.resolve('mem:b');
    expect(t.provider.calls).toEqual([['a'], ['b']]);
  });
});

describe('cache keys', () => {
  it('keys by canonical reference: spellings of one reference share an entry', async () => {
    const t = setup({ values: { a: 'v' } });
    await t.resolver.resolve('mem:a?region=us-east-1&ttl=60000');
    await t.resolver.resolve('MEM:a?ttl=1m&region=us-east-1');
    expect(t.calls).toBe(1);
  });

  it('keeps values apart when an option that changes the value differs (region)', async () => {
    const t = setup({ values: { a: 'v' } });
    await t.resolver.resolve('mem:a?region=us-east-1');
    await t.resolver.resolve('mem:a?region=us-west-2');
    await t.resolver.resolve('mem:a');
    expect(t.calls).toBe(3);
  });

  it('derives as=json and as=string separately from one fetched value', async () => {
    const t = setup({ values: { a: '{"k":1}' } });
    expect(await t.resolver.resolve('mem:a', { as: 'json' })).toEqual({ k: 1 });
    expect(await t.resolver.resolve('mem:a')).toBe('{"k":1}');
    expect(await t.resolver.resolve('mem:a?as=json')).toEqual({ k: 1 });
    expect(t.calls).toBe(1);
  });

  it('hands out frozen JSON so one caller cannot change what the next gets', async () => {
    const t = setup({ values: { a: '{"k":{"n":1}}' } });
    const first = await t.resolver.resolve<{ k: { n: number } }>('mem:a', { as: 'json' });
    expect(() => {
      first.k.n = 2;
    }).toThrow(TypeError);
    expect(await t.resolver.resolve('mem:a#/k/n')).toBe(1);
  });

  it('hands out a fresh copy of bytes on every resolve', async () => {
    const t = setup();
    t.provider.set('b', new Uint8Array([1, 2, 3]));
    const first = await t.resolver.resolve('mem:b', { as: 'binary' });
    first[0] = 9;
    expect([...(await t.resolver.resolve('mem:b', { as: 'binary' }))]).toEqual([1, 2, 3]);
  });
});

describe('serve stale on error', () => {
  it('returns the last good value when a refresh fails transiently, and reports it', async () => {
    const t = setup({ values: { a: 'good' }, ttlMs: MINUTE });
    await t.resolver.resolve('mem:a');
    unavailable(t.provider);
    t.advance(MINUTE);
    const events: unknown[] = [];
    const listener = (message: unknown) => events.push(message);
    subscribe(CHANNELS.staleServed, listener);
    try {
      expect(await t.resolver.resolve('mem:a')).toBe('good');
    } finally {
      unsubscribe(CHANNELS.staleServed, listener);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ref: 'mem:a', scheme: 'mem', ageMs: MINUTE, error: { code: 'PROVIDER_ERROR' } });
    expect(t.resolver.stats().staleServed).toBe(1);
  });

  it('serves stale through 5xx-like transient provider errors and timeouts, not through not-found or access denied', async () => {
    const t = setup({ values: { a: 'good', b: 'good', c: 'good' }, ttlMs: MINUTE, timeoutMs: 50 });
    await t.resolver.resolveAll({ a: 'mem:a', b: 'mem:b', c: 'mem:c' });
    t.advance(MINUTE);
    t.provider.fail('a', (r) => new ProviderError('HTTP 503', { ref: r.ref, transient: true }));
    t.provider.fail('b', (r) => new AccessDeniedError('denied', { ref: r.ref }));
    t.provider.delete('c');
    expect(await t.resolver.resolve('mem:a')).toBe('good');
    await expect(t.resolver.resolve('mem:b')).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(t.resolver.resolve('mem:c')).rejects.toBeInstanceOf(SecretNotFoundError);
    // A value that was deleted is gone: not served later either.
    expect(t.resolver.peek('mem:c', { allowStale: true })).toBeUndefined();
  });

  it('stops serving stale maxStaleMs after expiry', async () => {
    const t = setup({ values: { a: 'good' }, ttlMs: MINUTE, maxStaleMs: 10 * MINUTE, retryBaseMs: 0 });
    await t.resolver.resolve('mem:a');
    unavailable(t.provider);
    t.advance(MINUTE + 10 * MINUTE);
    expect(await t.resolver.resolve('mem:a')).toBe('good');
    t.advance(1);
    await expect(t.resolver.resolve('mem:a')).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('serves stale when the refresh hangs past the deadline', async () => {
    const t = setup({ values: { a: 'good' }, ttlMs: MINUTE, timeoutMs: 30 });
    await t.resolver.resolve('mem:a');
    t.provider.hang = true;
    t.advance(MINUTE);
    const pending = t.resolver.resolve('mem:a');
    await t.clock.advanceAsync(30);
    expect(await pending).toBe('good');
  });

  it('picks up the new value once the service recovers', async () => {
    const t = setup({ values: { a: 'v1' }, ttlMs: MINUTE, retryBaseMs: 1000 });
    await t.resolver.resolve('mem:a');
    unavailable(t.provider);
    t.advance(MINUTE);
    expect(await t.resolver.resolve('mem:a')).toBe('v1');
    t.provider.heal();
    t.provider.set('a', 'v2');
    t.advance(1000);
    expect(await t.resolver.resolve('mem:a')).toBe('v2');
  });
});

describe('failures', () => {
  it('are never cached as values: the next resolve after the backoff fetches again', async () => {
    const t = setup({ values: {}, retryBaseMs: 1000 });
    await expect(t.resolver.resolve('mem:a')).rejects.toBeInstanceOf(SecretNotFoundError);
    t.provider.set('a', 'now it exists');
    t.advance(1000);
    expect(await t.resolver.resolve('mem:a')).toBe('now it exists');
    expect(t.calls).toBe(2);
  });

  it('back off per key: within the window no call is made; the window doubles up to retryMaxMs', async () => {
    const t = setup({ retryBaseMs: 1000, retryMaxMs: 4000 });
    unavailable(t.provider);
    const attempt = () => t.resolver.resolve('mem:a').catch((error: SecretrefError) => error.code);
    expect(await attempt()).toBe('PROVIDER_ERROR');
    expect(t.calls).toBe(1);
    t.advance(999);
    expect(await attempt()).toBe('PROVIDER_ERROR');
    expect(t.calls).toBe(1);
    const windows: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = t.calls;
      let waited = 0;
      while (t.calls === before) {
        t.advance(100);
        waited += 100;
        await attempt();
      }
      windows.push(waited);
    }
    expect(windows).toEqual([100, 2000, 4000, 4000]);
  });

  it('forceFetch skips the backoff window and the cache', async () => {
    const t = setup({ values: { a: 'v1' } });
    await t.resolver.resolve('mem:a');
    t.provider.set('a', 'v2');
    expect(await t.resolver.resolve('mem:a', { forceFetch: true })).toBe('v2');
    t.provider.delete('a');
    await expect(t.resolver.resolve('mem:a', { forceFetch: true })).rejects.toBeInstanceOf(SecretNotFoundError);
    t.provider.set('a', 'v3');
    expect(await t.resolver.resolve('mem:a', { forceFetch: true })).toBe('v3');
  });

  it('optional turns not-found into undefined, and only not-found', async () => {
    const t = setup({ values: {} });
    expect(await t.resolver.resolve('mem:missing', { optional: true })).toBeUndefined();
    expect(await t.resolver.resolve('mem:other?optional=true')).toBeUndefined();
    unavailable(t.provider);
    await expect(t.resolver.resolve('mem:third', { optional: true })).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('a provider that throws fails every reference of its batch with a typed error', async () => {
    const t = setup({ values: { a: '1', b: '2' } });
    t.provider.fetch = () => Promise.reject(new Error('socket hang up'));
    const results = await Promise.allSettled([t.resolver.resolve('mem:a'), t.resolver.resolve('mem:b')]);
    for (const [i, result] of results.entries()) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(ProviderError);
      expect(reason.ref).toBe(['mem:a', 'mem:b'][i]);
    }
  });
});

describe('deadlines', () => {
  it('turns a hang into a TimeoutError at timeoutMs', async () => {
    const t = setup({ values: { a: 'v' } });
    t.provider.hang = true;
    const pending = t.resolver.resolve('mem:a', { timeoutMs: 20 }).catch((e: unknown) => e);
    await t.clock.advanceAsync(20);
    const error = await pending;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', ref: 'mem:a', transient: true });
  });

  it('uses the resolver default and aborts the provider call through its signal', async () => {
    const t = setup({ values: { a: 'v' }, timeoutMs: 20 });
    let signal: AbortSignal | undefined;
    t.provider.fetch = (_requests, context) => {
      signal = context.signal;
      return new Promise(() => {});
    };
    const pending = t.resolver.resolve('mem:a').catch((e: unknown) => e);
    await t.clock.advanceAsync(20);
    expect(await pending).toBeInstanceOf(TimeoutError);
    expect(signal?.aborted).toBe(true);
  });

  it('settles the shared fetch even if the provider ignores its signal, so later resolves fetch again', async () => {
    const t = setup({ values: { a: 'v' }, timeoutMs: 20, retryBaseMs: 0 });
    const fetch = t.provider.fetch.bind(t.provider);
    t.provider.fetch = () => new Promise(() => {});
    const pending = t.resolver.resolve('mem:a').catch((e: unknown) => e);
    await t.clock.advanceAsync(20);
    expect(await pending).toBeInstanceOf(TimeoutError);
    t.provider.fetch = fetch;
    expect(await t.resolver.resolve('mem:a')).toBe('v');
  });

  it('an aborted signal rejects that caller with its reason; the fetch goes on for the others', async () => {
    const t = setup({ values: { a: 'v' } });
    const controller = new AbortController();
    const aborted = t.resolver.resolve('mem:a', { signal: controller.signal });
    const other = t.resolver.resolve('mem:a');
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    expect(await other).toBe('v');
    expect(t.calls).toBe(1);
  });
});

describe('found in review', () => {
  it('a caller that joins a fetch keeps it going until its own, later deadline', async () => {
    const t = setup({ values: { a: 'v' } });
    const fetch = t.provider.fetch.bind(t.provider);
    t.provider.fetch = async (requests, context) => {
      await new Promise((resolve) => t.clock.setTimer(() => resolve(undefined), 80));
      return fetch(requests, context);
    };
    const early = t.resolver.resolve('mem:a', { timeoutMs: 20 }).catch((e: unknown) => e);
    const late = t.resolver.resolve('mem:a', { timeoutMs: 2000 });
    await t.clock.advanceAsync(80);
    expect(await early).toBeInstanceOf(TimeoutError);
    expect(await late).toBe('v');
    expect(t.calls).toBe(1);
  });

  it('an error of a shared fetch names the fetched key, not the variant that started it', async () => {
    const t = setup();
    const error = (await t.resolver
      .resolveAll({ user: 'mem:gone#user', password: 'mem:gone?as=json#password' })
      .catch((e: unknown) => e)) as ResolveAllError;
    expect(error.errors.user?.ref).toBe('mem:gone');
    expect(error.errors.password?.ref).toBe('mem:gone');
    expect(t.calls).toBe(1);
  });

  it('an invalidated value is not served as stale when the refetch fails', async () => {
    const t = setup({ values: { a: 'old' }, ttlMs: MINUTE });
    await t.resolver.resolve('mem:a');
    t.advance(MINUTE);
    unavailable(t.provider);
    const pending = t.resolver.resolve('mem:a');
    t.resolver.invalidate('mem:a');
    await expect(pending).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('eviction never splits a single flight', async () => {
    const t = setup({ values: { a: '1', b: '2' }, maxEntries: 1 });
    expect(await Promise.all(['mem:a', 'mem:b', 'mem:a'].map((r) => t.resolver.resolve(r)))).toEqual(['1', '2', '1']);
    expect(t.provider.calls).toEqual([['a', 'b']]);
  });

  it('a cache hit does not parse JSON again', async () => {
    const t = setup({ values: { a: '{"k":{"n":1}}' } });
    await t.resolver.resolve('mem:a#/k/n');
    const parse = vi.spyOn(JSON, 'parse');
    try {
      for (let i = 0; i < 5; i++) expect(await t.resolver.resolve('mem:a#/k/n')).toBe(1);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});

describe('no timers', () => {
  it('leaves no timer behind, and time passing alone never fetches: refresh happens on access', async () => {
    const clock = manualClock();
    const provider = memoryProvider({ schemes: ['mem'], values: { a: 'v' } });
    const resolver = createResolver({ providers: [provider], ttlMs: MINUTE, clock });
    await resolver.resolveAll({ a: 'mem:a', b: { ref: 'mem:b', optional: true } });
    expect(clock.pending).toBe(0);
    await clock.advanceAsync(24 * 60 * MINUTE);
    expect(provider.calls).toHaveLength(1);
    expect(await resolver.resolve('mem:a')).toBe('v');
    expect(provider.calls).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });
});

describe('LRU', () => {
  it('keeps at most maxEntries values, dropping the least recently used', async () => {
    const t = setup({ values: { a: '1', b: '2', c: '3' }, maxEntries: 2 });
    await t.resolver.resolve('mem:a');
    await t.resolver.resolve('mem:b');
    await t.resolver.resolve('mem:a'); // a is now more recent than b
    await t.resolver.resolve('mem:c'); // evicts b
    expect(t.resolver.stats().entries).toBe(2);
    expect(t.resolver.peek('mem:a')).toBe('1');
    expect(t.resolver.peek('mem:b')).toBeUndefined();
    expect(t.resolver.peek('mem:c')).toBe('3');
    await t.resolver.resolve('mem:b');
    expect(t.provider.calls).toEqual([['a'], ['b'], ['c'], ['b']]);
  });

  it('counts every hit, the fast path too, as a use in the order it happened, and peek as none', async () => {
    const t = setup({ values: { a: '1', b: '2', c: '3', d: '4' }, maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await t.resolver.resolve(`mem:${key}`);
    // Hits from the second on take the fast path; last uses: b (6th), a (7th), c (8th).
    for (const key of ['a', 'b', 'a', 'a', 'c', 'b', 'a', 'c']) await t.resolver.resolve(`mem:${key}`);
    expect(t.resolver.peek('mem:b')).toBe('2'); // no use: b stays the least recently used
    await t.resolver.resolve('mem:d');
    expect(['a', 'b', 'c', 'd'].map((key) => t.resolver.peek(`mem:${key}`))).toEqual(['1', undefined, '3', '4']);
    expect(t.resolver.stats()).toMatchObject({ hits: 8, misses: 4, entries: 3 });
  });

  it('hands every hit of bytes its own copy, on the fast path too', async () => {
    const t = setup({ values: { a: Buffer.from('bytes-of-a').toString('base64') } });
    const first = (await t.resolver.resolve('mem:a?as=binary')) as Uint8Array;
    first.fill(0);
    for (let i = 0; i < 3; i++) {
      expect(Buffer.from((await t.resolver.resolve('mem:a?as=binary')) as Uint8Array).toString()).toBe('bytes-of-a');
      expect(Buffer.from(t.resolver.peek('mem:a?as=binary') as Uint8Array).toString()).toBe('bytes-of-a');
    }
  });
});

describe('peek and invalidate', () => {
  it('peek returns a fresh cached value synchronously and never fetches', async () => {
    const t = setup({ values: { a: '{"k":"v"}' }, ttlMs: MINUTE });
    expect(t.resolver.peek('mem:a')).toBeUndefined();
    await t.resolver.resolve('mem:a');
    expect(t.resolver.peek('mem:a')).toBe('{"k":"v"}');
    expect(t.resolver.peek('mem:a#k')).toBe('v');
    t.advance(MINUTE);
    expect(t.resolver.peek('mem:a')).toBeUndefined();
    expect(t.resolver.peek('mem:a', { allowStale: true })).toBe('{"k":"v"}');
    expect(t.calls).toBe(1);
  });

  it('invalidate drops one reference with all its variants, or everything', async () => {
    const t = setup({ values: { a: '{"k":1}', b: '2' } });
    await t.resolver.resolveAll({ a: 'mem:a#k', b: 'mem:b' });
    t.resolver.invalidate('mem:a');
    expect(t.resolver.peek('mem:a#k')).toBeUndefined();
    expect(t.resolver.peek('mem:b')).toBe('2');
    t.resolver.invalidate();
    expect(t.resolver.stats().entries).toBe(0);
  });

  it('a fetch that was in flight when invalidated does not repopulate the cache', async () => {
    const t = setup({ values: { a: 'old' } });
    const pending = t.resolver.resolve('mem:a');
    t.resolver.invalidate('mem:a');
    expect(await pending).toBe('old');
    expect(t.resolver.peek('mem:a')).toBeUndefined();
    t.provider.set('a', 'new');
    expect(await t.resolver.resolve('mem:a')).toBe('new');
    expect(t.calls).toBe(2);
  });
});

describe('resolveAll', () => {
  it('returns the same keys, resolving each with its own options', async () => {
    const t = setup({ values: { a: 'x', b: '{"n":1}', c: 'p,q' } });
    const result = await t.resolver.resolveAll({
      a: 'mem:a',
      b: { ref: 'mem:b', as: 'json' },
      c: { ref: 'mem:c', as: 'list' },
      d: { ref: 'mem:d', optional: true },
    });
    expect(result).toEqual({ a: 'x', b: { n: 1 }, c: ['p', 'q'], d: undefined });
    expect(t.provider.calls).toHaveLength(1);
  });

  it('rejects with one error naming every failing key and its reason', async () => {
    const t = setup({ values: { ok: 'fine' } });
    t.provider.fail('denied', (r) => new AccessDeniedError('no', { ref: r.ref }));
    const error = await t.resolver
      .resolveAll({ ok: 'mem:ok', gone: 'mem:gone', denied: 'mem:denied' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolveAllError);
    const all = error as ResolveAllError;
    expect(Object.keys(all.errors).sort()).toEqual(['denied', 'gone']);
    expect(all.errors.gone).toBeInstanceOf(SecretNotFoundError);
    expect(all.message).toContain('gone: NOT_FOUND');
    expect(all.message).toContain('denied: ACCESS_DENIED');
    expect(all.message).not.toContain('fine');
  });

  it('validates every reference before fetching anything', async () => {
    const t = setup({ values: { a: '1' } });
    const error = await t.resolver
      .resolveAll({ a: 'mem:a', bad: 'mem:a?colour=red', unknown: 'nope:x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolveAllError);
    expect((error as ResolveAllError).errors.bad).toBeInstanceOf(InvalidReferenceError);
    expect((error as ResolveAllError).errors.unknown).toBeInstanceOf(UnknownSchemeError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.calls).toBe(0);
  });
});

describe('invalid input', () => {
  it('rejects an invalid reference before any call', async () => {
    const t = setup({ values: { a: '1' } });
    await expect(t.resolver.resolve('mem:a?ttl=soon')).rejects.toBeInstanceOf(InvalidReferenceError);
    await expect(t.resolver.resolve('vault:a')).rejects.toBeInstanceOf(UnknownSchemeError);
    await expect(t.resolver.resolve(42 as unknown as string)).rejects.toBeInstanceOf(InvalidReferenceError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.calls).toBe(0);
  });

  it('rejects options that make no sense, with a typed error', async () => {
    expect(() => createResolver({ ttlMs: -1 })).toThrow(InvalidOptionError);
    expect(() => createResolver({ timeoutMs: Number.POSITIVE_INFINITY })).toThrow(/timeoutMs must be a finite number/);
    const t = setup({ values: { a: '1' } });
    await expect(t.resolver.resolve('mem:a', { timeoutMs: Number.NaN })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(t.resolver.resolve('mem:a', { timeoutMs: Number.POSITIVE_INFINITY })).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
    await expect(t.resolver.resolve('mem:a', { ttlMs: -5 })).rejects.toBeInstanceOf(InvalidOptionError);
    expect(t.calls).toBe(0);
  });
});

describe('events and stats', () => {
  const listeners: [string, (message: unknown) => void][] = [];
  afterEach(() => {
    for (const [name, listener] of listeners.splice(0)) unsubscribe(name, listener);
  });
  function record(): { name: string; message: unknown }[] {
    const events: { name: string; message: unknown }[] = [];
    for (const name of Object.values(CHANNELS)) {
      const listener = (message: unknown) => events.push({ name, message });
      subscribe(name, listener);
      listeners.push([name, listener]);
    }
    return events;
  }

  it('publishes miss, fetch, hit and error with references and timings, never values', async () => {
    const t = setup({ values: { a: 'SECRET-VALUE-123' } });
    const events = record();
    await t.resolver.resolve('mem:a');
    await t.resolver.resolve('mem:a');
    await t.resolver.resolve('mem:missing').catch(() => {});
    expect(events.map((e) => e.name)).toEqual([
      'secretref:miss',
      'secretref:fetch',
      'secretref:hit',
      'secretref:miss',
      'secretref:fetch',
      'secretref:error',
    ]);
    expect(events[0]?.message).toEqual({ ref: 'mem:a', scheme: 'mem', reason: 'cold' });
    expect(events[1]?.message).toMatchObject({ scheme: 'mem', refs: ['mem:a'], failed: 0 });
    expect((events[1]!.message as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
    expect(observable(events.map((e) => e.message))).not.toContain('SECRET-VALUE-123');
  });

  it('counts hits, misses, calls, fetched references, stale serves and errors', async () => {
    const t = setup({ values: { a: '1', b: '2' }, ttlMs: MINUTE });
    await t.resolver.resolveAll({ a: 'mem:a', b: 'mem:b' });
    await t.resolver.resolve('mem:a');
    t.advance(MINUTE);
    unavailable(t.provider);
    await t.resolver.resolve('mem:a');
    await t.resolver.resolve('mem:zzz').catch(() => {});
    expect(t.resolver.stats()).toEqual({
      hits: 1,
      misses: 4,
      calls: 3,
      fetched: 5, // mem:a's refresh refreshed mem:b, fetched with it, in the same call
      staleServed: 1,
      errors: 1,
      entries: 2, // mem:zzz only remembers its failure
      failures: 3, // mem:a's and mem:b's refresh and mem:zzz failed
      governors: [{ scheme: 'mem', region: undefined, limiting: false, ratePerS: undefined, throttled: 0 }],
    });
  });
});

describe('no value ever leaks', () => {
  it('not through inspect, JSON or spreading of the resolver', async () => {
    const t = setup({ values: { a: 'SECRET-VALUE-123' } });
    await t.resolver.resolve('mem:a');
    expect(observable(t.resolver)).not.toContain('SECRET-VALUE-123');
    expect(inspect({ ...t.resolver }, { showHidden: true, depth: 20 })).not.toContain('SECRET-VALUE-123');
    expect(JSON.stringify(t.resolver)).not.toContain('SECRET-VALUE-123');
  });

  it('not through errors of a value that is not JSON or lacks the key', async () => {
    const t = setup({ values: { a: 'SECRET-VALUE-123', b: '{"x":"SECRET-VALUE-123"}' } });
    for (const ref of ['mem:a?as=json', 'mem:a#key', 'mem:b#missing', 'mem:b#/x/y', 'mem:a?as=binary']) {
      const error = await t.resolver.resolve(ref).catch((e: unknown) => e);
      expect(error, ref).toBeInstanceOf(SecretrefError);
      expect(observable(error), ref).not.toContain('SECRET-VALUE-123');
    }
  });
});

describe('dispose', () => {
  it('drops the cache, releases providers and rejects later calls', async () => {
    const provider = memoryProvider({ schemes: ['mem'], values: { a: 'v' } });
    let released = 0;
    provider.dispose = () => {
      released++;
    };
    const resolver = createResolver({ providers: [provider] });
    await resolver.resolve('mem:a');
    resolver.dispose();
    expect(released).toBe(1);
    expect(resolver.stats().entries).toBe(0);
    await expect(resolver.resolve('mem:a')).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});

describe('retryWithFreshSecret', () => {
  const authFailure = Object.assign(new Error('password authentication failed'), { code: '28P01' });
  const isAuthFailure = (error: unknown) => (error as { code?: string }).code === '28P01';

  it('re-fetches once and retries when the function reports an auth failure', async () => {
    const t = setup({ values: { db: 'old' } });
    await t.resolver.resolve('mem:db');
    t.provider.set('db', 'new');
    const seen: string[] = [];
    const result = await t.resolver.retryWithFreshSecret(
      'mem:db',
      (password: string) => {
        seen.push(password);
        if (password === 'old') throw authFailure;
        return 'connected';
      },
      { isAuthFailure },
    );
    expect(result).toBe('connected');
    expect(seen).toEqual(['old', 'new']);
    expect(t.calls).toBe(2);
  });

  it('does not retry an error that is not an auth failure', async () => {
    const t = setup({ values: { db: 'pw' } });
    const other = new Error('connection refused');
    let runs = 0;
    const run = t.resolver.retryWithFreshSecret(
      'mem:db',
      () => {
        runs++;
        throw other;
      },
      { isAuthFailure },
    );
    await expect(run).rejects.toBe(other);
    expect(runs).toBe(1);
    expect(t.calls).toBe(1);
  });

  it('retries only once: a second auth failure reaches the caller', async () => {
    const t = setup({ values: { db: 'pw' } });
    let runs = 0;
    const run = t.resolver.retryWithFreshSecret(
      'mem:db',
      () => {
        runs++;
        throw authFailure;
      },
      { isAuthFailure },
    );
    await expect(run).rejects.toBe(authFailure);
    expect(runs).toBe(2);
    expect(t.calls).toBe(2);
  });
});

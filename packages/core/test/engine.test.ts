/**
 * The engine's promises under the conditions that broke them: batches that start after their
 * callers' deadlines, outages with more failing keys than the cache holds, timers beyond Node's
 * limit, a wall clock stepped back, megabyte-long references, dispose with fetches in flight, and
 * options checked on the cache-hit path as on the miss path.
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  CHANNELS,
  createResolver,
  DisposedError,
  type FetchContext,
  type FetchRequest,
  formatReference,
  InvalidOptionError,
  InvalidReferenceError,
  keyedDigest,
  type Provider,
  parseReference,
  ResolveAllError,
  redactText,
  SecretNotFoundError,
  SecretrefError,
  TimeoutError,
} from '@secretref/core';
import { manualClock, memoryProvider } from '@secretref/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBatcher } from '../src/batcher.ts';
import { setup, unavailable } from './helpers.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A provider that hangs until its signal's `abort` event, and listens for nothing else. */
function abortListener(values: Record<string, string>): Provider & { hang: boolean; calls: number } {
  const provider = {
    schemes: ['mem'],
    batchSize: 10,
    hang: true,
    calls: 0,
    parse: ({ body }: { body: string }) => ({ key: body }),
    fetch(requests: readonly FetchRequest[], context: FetchContext) {
      provider.calls++;
      if (!provider.hang) return Promise.resolve(requests.map((r) => ({ value: values[r.locator.key] ?? '' })));
      return new Promise<never>((_, reject) => {
        context.signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    },
  };
  return provider;
}

describe('a batch that waited behind maxConcurrency past its callers deadlines', () => {
  it('is not started, and its slot is not lost: later resolves of the provider still work', async () => {
    const clock = manualClock();
    const provider = abortListener({ a: '1', b: '2', c: '3' });
    const resolver = createResolver({ providers: [provider], clock, maxConcurrency: 1 });
    const first = resolver.resolve('mem:a', { timeoutMs: 100 }).catch((e: unknown) => e);
    await clock.advanceAsync(0); // the first batch is running
    const queued = resolver.resolve('mem:b', { timeoutMs: 50 }).catch((e: unknown) => e);
    await clock.advanceAsync(100);
    expect(await first).toBeInstanceOf(TimeoutError);
    expect(await queued).toBeInstanceOf(TimeoutError);
    expect(provider.calls).toBe(1); // mem:b's batch was never started: its caller had gone
    provider.hang = false;
    const later = resolver.resolve('mem:c', { timeoutMs: 100 });
    await clock.advanceAsync(0);
    expect(await later).toBe('3');
  });

  it('the in-memory provider rejects on a signal aborted before it listened', async () => {
    const provider = memoryProvider({ schemes: ['mem'], values: { a: '1' } });
    provider.hang = true;
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(provider.fetch([], { region: undefined, signal: controller.signal })).rejects.toThrow('gone');
  });
});

describe('a deadline that passed', () => {
  it('starts no backoff: the next caller, with more time, fetches at once (a Lambda with 4 ms left)', async () => {
    const clock = manualClock();
    const provider = memoryProvider({ schemes: ['mem'], values: { a: 'v' } });
    const resolver = createResolver({ providers: [provider], clock });
    provider.hang = true;
    const short = resolver.resolve('mem:a', { timeoutMs: 2 }).catch((e: unknown) => e);
    await clock.advanceAsync(2);
    expect(await short).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('within 2 ms') });
    provider.hang = false;
    expect(await resolver.resolve('mem:a', { timeoutMs: 3000 })).toBe('v');
    expect(provider.calls).toHaveLength(2);
    expect(resolver.stats().failures).toBe(0);
  });
});

describe('a retry straight after a timeout', () => {
  it('never joins the flight whose deadline passed: it fetches again, and the key recovers', async () => {
    const clock = manualClock();
    // Hangs until aborted, and its abort comes after the caller's own timer (both are due at 50 ms).
    const provider = abortListener({ k: 'v' });
    const resolver = createResolver({ providers: [provider], clock });
    const retried = resolver.resolve('mem:k', { timeoutMs: 50 }).catch((first: unknown) => {
      provider.hang = false;
      // In the rejection's microtask: the first batch's timer has not fired yet.
      return resolver.resolve('mem:k', { timeoutMs: 500 }).then((value) => [first, value]);
    });
    await clock.advanceAsync(50);
    await clock.advanceAsync(500);
    const [first, value] = (await retried) as [unknown, unknown];
    expect(first).toBeInstanceOf(TimeoutError);
    expect(value).toBe('v');
    expect(provider.calls).toBe(2);
  });
});

describe('what a provider does wrong while reading a reference', () => {
  const hidden = (parse: Provider['parse'], extra: Partial<Provider> = {}): Provider => ({
    schemes: ['hid'],
    display: () => '***',
    parse,
    fetch: async (requests) => requests.map(() => ({ value: 'x' })),
    ...extra,
  });
  it('is a typed error that quotes nothing it threw, published as an error event', async () => {
    const events: unknown[] = [];
    const listen = (event: unknown) => events.push(event);
    subscribe('secretref:error', listen);
    try {
      for (const provider of [
        hidden(({ body }) => ({ key: JSON.parse(body) })),
        hidden(() => null as never),
        hidden(() => ({ key: '' })),
        hidden(({ body }) => ({ key: body, region: 'r1' }), {
          isRegion: () => {
            throw new Error('isRegion S3CR3T-canary');
          },
        }),
        hidden(({ body }) => ({ key: body }), {
          display: () => {
            throw new Error('display S3CR3T-canary');
          },
        }),
        hidden(({ body }) => {
          throw new InvalidReferenceError(`bad body ${body}`);
        }),
      ]) {
        const resolver = createResolver({ providers: [provider] });
        const error = await resolver.resolve('hid:S3CR3T-canary').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidReferenceError);
        expect(String((error as Error).stack)).not.toContain('S3CR3T');
        expect((error as Error).cause).toBeUndefined();
      }
      expect(events).toHaveLength(6);
    } finally {
      unsubscribe('secretref:error', listen);
    }
  });

  it('a malformed percent-escape names the scheme, as every other reference error does', async () => {
    const resolver = createResolver({ providers: [memoryProvider({ schemes: ['mem'], values: {} })] });
    for (const ref of ['mem:x#%zz', 'mem:x?%zz=1', 'mem:x?region=%zz']) {
      await expect(resolver.resolve(ref)).rejects.toMatchObject({ code: 'INVALID_REFERENCE', scheme: 'mem' });
    }
  });
});

describe('createResolver checks every field of a provider', () => {
  const base: Provider = { schemes: ['ok'], parse: ({ body }) => ({ key: body }), fetch: async () => [] };
  it.each([
    ['no schemes', { schemes: [] }],
    ['a scheme named like a common parameter', { schemes: ['region'] }],
    ['a scheme named arn', { schemes: ['arn'] }],
    ['arnServices as a string', { arnServices: 'ssm' }],
    ['arnServices in capitals', { arnServices: ['SSM'] }],
    ['arnServices of numbers', { arnServices: [123] }],
    ['isRegion not a function', { isRegion: true }],
    ['display not a function', { display: 'x' }],
    ['dispose not a function', { dispose: 5 }],
    ['batchSize 0', { batchSize: 0 }],
    ['batchSize NaN', { batchSize: Number.NaN }],
    ['batchSize 0.5', { batchSize: 0.5 }],
    ['batchSize as a string', { batchSize: '10' }],
    ['a negative ttlMs', { ttlMs: -5 }],
    ['ttlMs NaN', { ttlMs: Number.NaN }],
    ['ttlMs as a string', { ttlMs: '5' }],
    ['a param that is not a name', { params: [42] }],
    ['a param that is a pattern', { params: ['.*'] }],
  ])("refuses %s with a typed error, counting the caller's providers", (_, fields) => {
    expect(() => createResolver({ providers: [base, { ...base, ...fields } as never] })).toThrow(
      /^\[secretref\] provider 2 of 2: /,
    );
  });

  it('a getter or proxy that throws is a typed error that quotes nothing', () => {
    const getter = Object.defineProperty({ ...base }, 'schemes', {
      get() {
        throw new Error('getter S3CR3T');
      },
    });
    const proxy = new Proxy(base, {
      get() {
        throw new Error('proxy S3CR3T');
      },
    });
    for (const provider of [getter, proxy]) {
      const error = (() => {
        try {
          createResolver({ providers: [provider] });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(String((error as Error).stack)).not.toContain('S3CR3T');
    }
  });

  it('accepts what the real providers declare: prefixes of params, Infinity as a TTL', () => {
    expect(() =>
      createResolver({ providers: [{ ...base, params: ['context.*', 'keyId'], ttlMs: Infinity, batchSize: 10 }] }),
    ).not.toThrow();
  });
});

describe('the hit path', () => {
  it('shares one promise per entry, which async hooks turned on later can still tag (no frozen promise)', async () => {
    const resolver = createResolver({ providers: [memoryProvider({ schemes: ['mem'], values: { a: '1' } })] });
    await resolver.resolve('mem:a');
    const shared = resolver.resolve('mem:a');
    expect(resolver.resolve('mem:a')).toBe(shared);
    // Node 20 writes an id onto the parent promise of every await once a hook is on (AsyncLocalStorage
    // turns one on at its first run): a frozen promise would make that throw inside Node and end the process.
    const hook = createHook({ init() {} }).enable();
    try {
      expect(await new AsyncLocalStorage().run({}, async () => await resolver.resolve('mem:a'))).toBe('1');
    } finally {
      hook.disable();
    }
  });

  it('keeps no dropped value alive: invalidate(ref) frees it before any other insertion', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const resolver = createResolver({ providers: [memoryProvider({ schemes: ['mem'], values: { j: '{"a":1}' } })] });
    const weak = await (async () => new WeakRef((await resolver.resolve('mem:j?as=json')) as object))();
    await resolver.resolve('mem:j?as=json'); // a hit, whose use the LRU has yet to learn
    resolver.invalidate('mem:j');
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(weak.deref()).toBeUndefined();
  });
});

describe('the batcher', () => {
  it('states the deadline in its timeout message, as the resolver does', async () => {
    const clock = manualClock();
    const batcher = createBatcher({ maxConcurrency: 1, clock, onCall: () => {}, random: () => 0.5 });
    const provider = abortListener({});
    const request = { locator: { key: 'a' }, ref: 'mem:a', scheme: 'mem', params: {} };
    const pending = batcher.fetch(provider, undefined, request, clock.now() + 20, 20);
    await clock.advanceAsync(20);
    const result = await pending.result;
    expect('error' in result && result.error.message).toBe('[secretref] [mem] no value for "mem:a" within 20 ms');
  });
});

describe('the failure memory lives apart from the values', () => {
  it('cold keys failing during an outage never evict the last good values of other keys', async () => {
    const t = setup({ values: { a: 'A', b: 'B' }, maxEntries: 2, ttlMs: MINUTE });
    await t.resolver.resolveAll({ a: 'mem:a', b: 'mem:b' });
    unavailable(t.provider);
    const cold = await Promise.allSettled(['mem:c', 'mem:d', 'mem:e'].map((r) => t.resolver.resolve(r)));
    expect(cold.every((c) => c.status === 'rejected')).toBe(true);
    t.advance(MINUTE);
    expect(await t.resolver.resolveAll({ a: 'mem:a', b: 'mem:b' })).toEqual({ a: 'A', b: 'B' });
    expect(t.resolver.stats()).toMatchObject({ entries: 2, failures: 5, staleServed: 2 });
  });

  it('remembers the backoff of more failing keys than maxEntries (1,500 failing keys)', async () => {
    const t = setup({ values: {}, retryBaseMs: 10_000 });
    unavailable(t.provider);
    const refs = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, `mem:k${i}`]));
    await expect(t.resolver.resolveAll(refs)).rejects.toBeInstanceOf(ResolveAllError);
    expect(t.calls).toBe(150);
    t.advance(5000); // within the backoff
    await expect(t.resolver.resolveAll(refs)).rejects.toBeInstanceOf(ResolveAllError);
    expect(t.calls).toBe(150);
    t.advance(5000); // past it
    await expect(t.resolver.resolveAll(refs)).rejects.toBeInstanceOf(ResolveAllError);
    expect(t.calls).toBe(300);
  });

  it('a last good value is served stale even when new values of its own batch evict it', async () => {
    const t = setup({ values: { a: 'A', b: 'B', c: 'C', d: 'D', e: 'E', f: 'F' }, maxEntries: 3, ttlMs: MINUTE });
    await t.resolver.resolveAll({ b: 'mem:b', c: 'mem:c', a: 'mem:a' });
    t.advance(MINUTE);
    unavailable(t.provider, 'a');
    const results = await Promise.allSettled(['mem:a', 'mem:d', 'mem:e', 'mem:f'].map((r) => t.resolver.resolve(r)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason.code))).toEqual(['A', 'D', 'E', 'F']);
    expect(t.resolver.stats().staleServed).toBe(1);
  });

  it('is itself bounded by maxFailures', async () => {
    const t = setup({ values: {}, maxFailures: 100, retryBaseMs: 10_000 });
    unavailable(t.provider);
    const refs = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, `mem:k${i}`]));
    await expect(t.resolver.resolveAll(refs)).rejects.toBeInstanceOf(ResolveAllError);
    expect(t.resolver.stats().failures).toBe(100);
  });
});

describe('timers and clocks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a timeoutMs above 2^31 - 1 ms does not fire after 1 ms (Node wraps such timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const provider = memoryProvider({ schemes: ['mem'], values: { a: '1' } });
    provider.hang = true;
    const resolver = createResolver({ providers: [provider] });
    let settled: unknown;
    const timeoutMs = 2 ** 31 + 5000;
    void resolver.resolve('mem:a', { timeoutMs }).then(
      (v) => (settled = v),
      (e: unknown) => (settled = e),
    );
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(timeoutMs);
    expect(settled).toBeInstanceOf(TimeoutError);
    resolver.dispose();
  });

  it('TTL, backoff and the stale window follow a monotonic clock, not the wall clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const provider = memoryProvider({ schemes: ['mem'], values: { a: 'v1' } });
    const resolver = createResolver({ providers: [provider], ttlMs: MINUTE, jitter: 0, retries: 0 });
    expect(await resolver.resolve('mem:a')).toBe('v1');
    vi.setSystemTime(Date.now() - 2 * HOUR); // NTP steps the wall clock back; no time passes
    provider.set('a', 'v2');
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(await resolver.resolve('mem:a')).toBe('v2'); // expired after 60 s, not after 2 h
    // A 1 s backoff lasts 1 s, whatever the wall clock does.
    unavailable(provider, 'b');
    await expect(resolver.resolve('mem:b')).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    vi.setSystemTime(Date.now() - HOUR);
    provider.heal();
    provider.set('b', 'b1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(await resolver.resolve('mem:b')).toBe('b1');
  });

  it('the manual clock steps the wall clock without moving the monotonic one', async () => {
    const t = setup({ values: { a: 'v1' }, ttlMs: MINUTE });
    await t.resolver.resolve('mem:a');
    const wall = t.clock.wallTime();
    t.clock.stepWall(-2 * HOUR);
    expect(t.clock.wallTime()).toBe(wall - 2 * HOUR);
    t.advance(MINUTE);
    await t.resolver.resolve('mem:a');
    expect(t.calls).toBe(2);
  });
});

describe('the parsed-reference cache', () => {
  it('is bounded by size as well as count: megabyte-long references do not pile up', async () => {
    const provider = memoryProvider({ schemes: ['mem'] });
    const parse = vi.fn(provider.parse);
    const resolver = createResolver({ providers: [{ ...provider, parse }] });
    const big = (i: number) => `mem:${String(i).padStart(6, '0')}${'x'.repeat(1024 * 1024)}`;
    for (let i = 0; i < 40; i++) resolver.parse(big(i));
    await resolver.resolve(big(0), { optional: true });
    await resolver.resolve(big(0), { optional: true });
    // Parsed again: evicted by size long before 10,000 references.
    expect(parse.mock.calls.length).toBeGreaterThan(40);
    // Small references stay cached.
    await resolver.resolve('mem:small', { optional: true });
    const calls = parse.mock.calls.length;
    await resolver.resolve('mem:small', { optional: true });
    expect(parse.mock.calls.length).toBe(calls);
  });
});

describe('dispose', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts fetches in flight and settles their callers with a DisposedError; no timer is left', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const provider = abortListener({});
    const resolver = createResolver({ providers: [provider], timeoutMs: 10_000 });
    const pending = resolver.resolve('mem:a').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    expect(provider.calls).toBe(1);
    resolver.dispose();
    const error = await pending;
    expect(error).toBeInstanceOf(DisposedError);
    expect(error).toMatchObject({ code: 'DISPOSED', transient: false });
    expect(vi.getTimerCount()).toBe(0);
    await expect(resolver.resolve('mem:a')).rejects.toBeInstanceOf(DisposedError);
  });

  it('settles callers queued behind maxConcurrency too, and is idempotent', async () => {
    const clock = manualClock();
    const provider = abortListener({});
    const resolver = createResolver({ providers: [provider], clock, maxConcurrency: 1 });
    const running = resolver.resolve('mem:a').catch((e: unknown) => e);
    await clock.advanceAsync(0);
    const queued = resolver.resolve('mem:b').catch((e: unknown) => e);
    await clock.advanceAsync(0);
    resolver.dispose();
    resolver.dispose();
    expect(await running).toBeInstanceOf(DisposedError);
    expect(await queued).toBeInstanceOf(DisposedError);
    expect(clock.pending).toBe(0);
  });
});

describe('options are checked on the cache-hit path as on the miss path', () => {
  const listeners: [(message: unknown) => void][] = [];
  afterEach(() => {
    for (const [listener] of listeners.splice(0)) unsubscribe(CHANNELS.error, listener);
  });

  it.each([
    ['as: yaml', { as: 'yaml' }],
    ['a negative ttlMs', { ttlMs: -1 }],
    ['an infinite timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['optional: "yes"', { optional: 'yes' }],
    ['a misspelt option', { ttl: 5 }],
    ['a signal that is not one', { signal: {} }],
  ])('%s is an InvalidOptionError, cold or cached, counted and published either way', async (_, bad) => {
    const t = setup({ values: { a: 'v' } });
    const events: unknown[] = [];
    const listener = (message: unknown) => events.push(message);
    subscribe(CHANNELS.error, listener);
    listeners.push([listener]);
    await expect(t.resolver.resolve('mem:a', bad as never)).rejects.toBeInstanceOf(InvalidOptionError);
    expect(t.calls).toBe(0);
    await t.resolver.resolve('mem:a');
    await expect(t.resolver.resolve('mem:a', bad as never)).rejects.toBeInstanceOf(InvalidOptionError);
    expect(t.resolver.stats().errors).toBe(2);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ ref: 'mem:a', scheme: 'mem', error: { code: 'INVALID_OPTION' } });
  });

  it('peek refuses an unknown as too', async () => {
    const t = setup({ values: { a: 'v' } });
    await t.resolver.resolve('mem:a');
    expect(() => t.resolver.peek('mem:a', { as: 'yaml' as never })).toThrow(InvalidOptionError);
  });

  it('a bad option never quotes a string value (it may be a secret passed by mistake)', async () => {
    const t = setup({ values: { a: 'v' } });
    const error = await t.resolver.resolve('mem:a', { as: 'hunter2' as never }).catch((e: unknown) => e);
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).message).toContain('a string of 7 characters');
  });
});

describe('bad input is a typed error, never a TypeError', () => {
  it.each([
    ['createResolver(null)', () => createResolver(null as never)],
    ['providers that are no array', () => createResolver({ providers: 5 as never })],
    ['a provider that is null', () => createResolver({ providers: [null as never] })],
    ['a provider without schemes', () => createResolver({ providers: [{} as never] })],
    ['a clock without its methods', () => createResolver({ clock: {} as never })],
    ['a random that is no function', () => createResolver({ random: 'x' as never })],
    ['peek(ref, null)', () => setup().resolver.peek('mem:a', null as never)],
    ['peek with a misspelt option', () => setup().resolver.peek('mem:a', { allowstale: true } as never)],
    ['parseReference(123)', () => parseReference(123 as never, [])],
    ['parseReference without providers', () => parseReference('mem:a', undefined as never)],
    ['formatReference(null)', () => formatReference(null as never)],
    ['redactText(5)', () => redactText(5 as never)],
    ['keyedDigest(5)', () => keyedDigest(5 as never)],
  ])('%s', (_, call) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SecretrefError);
  });

  it('retryWithFreshSecret with a function that is none fails before any call', async () => {
    const t = setup({ values: { a: 'v' } });
    await expect(
      t.resolver.retryWithFreshSecret('mem:a', 'nope' as never, { isAuthFailure: () => false }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
    expect(t.calls).toBe(0);
  });
});

describe('createResolver', () => {
  it('refuses an option it does not know (a misspelt or retired one, such as now)', () => {
    expect(() => createResolver({ now: () => 0 } as never)).toThrow(InvalidOptionError);
    expect(() => createResolver({ ttl: 5 } as never)).toThrow(/unknown option "ttl"/);
  });
});

describe('resolveAll', () => {
  it('keeps an own __proto__ key (as JSON.parse makes it) as an own key, never a prototype', async () => {
    const t = setup({ values: { a: 'A', b: 'B' } });
    const refs = JSON.parse('{"__proto__": "mem:a", "b": "mem:b"}') as Record<string, string>;
    const result = await t.resolver.resolveAll(refs);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toBe('A');
    expect(result.b).toBe('B');
    const failing = JSON.parse('{"__proto__": "mem:missing"}') as Record<string, string>;
    const error = (await t.resolver.resolveAll(failing).catch((e: unknown) => e)) as ResolveAllError;
    expect(Object.getPrototypeOf(error.errors)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(error.errors, '__proto__')?.value).toBeInstanceOf(SecretNotFoundError);
  });
});

/**
 * The resolver owns retries: a key with no value to serve is fetched again within its deadline after
 * a transient failure (docs/caching.md), on the resolver's clock, with jitter from its random source.
 */
import { createResolver, InvalidOptionError, type Provider, ProviderError, SecretNotFoundError } from '@secretref/core';
import { manualClock } from '@secretref/core/testing';
import { describe, expect, it } from 'vitest';
import { setup, unavailable } from './helpers.ts';

/** Lets the promise chains run: a fetch settles, a pause is set, a batch is flushed. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the clock 10 ms at a time until `promise` settles (at most `maxMs`). */
async function drive<T>(t: { advance(ms: number): void }, promise: Promise<T>, maxMs = 10_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => {});
  for (let ms = 0; !done && ms < maxMs; ms += 10) {
    await settle();
    t.advance(10);
  }
  return watched;
}

describe('retries of a cold key within its deadline', () => {
  it('a blip does not fail a cold start: two failures, then the value, in three calls', async () => {
    const t = setup({ values: { a: 'v' }, retries: 2, random: () => 0.5 });
    unavailable(t.provider, 'a');
    const pending = t.resolver.resolve('mem:a');
    await settle();
    expect(t.calls).toBe(1);
    t.advance(49); // the first pause: half of 100 ms
    await settle();
    expect(t.calls).toBe(1);
    t.advance(1);
    await settle();
    expect(t.calls).toBe(2);
    t.provider.heal();
    t.advance(100); // the second: half of 200 ms
    expect(await pending).toBe('v');
    expect(t.calls).toBe(3);
    expect(t.resolver.stats()).toMatchObject({ misses: 1, errors: 0 });
  });

  it('gives up after `retries` more attempts, with the last error', async () => {
    const t = setup({ values: { a: 'v' }, retries: 2, random: () => 0 });
    unavailable(t.provider, 'a');
    await expect(drive(t, t.resolver.resolve('mem:a'))).rejects.toBeInstanceOf(ProviderError);
    expect(t.calls).toBe(3);
  });

  it('dispose during a pause settles the caller at once, and leaves no timer behind', async () => {
    const t = setup({ values: { a: 'v' }, retries: 2, random: () => 0.5 });
    unavailable(t.provider, 'a');
    const pending = t.resolver.resolve('mem:a').catch((error: unknown) => error);
    await settle();
    expect(t.calls).toBe(1);
    t.resolver.dispose();
    expect(await pending).toMatchObject({ name: 'DisposedError' });
    expect(t.clock.pending).toBe(0);
    expect(t.calls).toBe(1);
  });

  it('retries: 0 makes one attempt', async () => {
    const t = setup({ values: { a: 'v' }, retries: 0, random: () => 0 });
    unavailable(t.provider, 'a');
    await expect(t.resolver.resolve('mem:a')).rejects.toBeInstanceOf(ProviderError);
    expect(t.calls).toBe(1);
  });

  it('a failure that is no blip (not found) is not retried', async () => {
    const t = setup({ values: {}, retries: 2, random: () => 0 });
    await expect(t.resolver.resolve('mem:missing')).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(t.calls).toBe(1);
  });

  it('a key with a last good value is not retried: the value is served, and the key backs off', async () => {
    const t = setup({ values: { a: 'v' }, retries: 2, random: () => 0, ttlMs: 1000 });
    expect(await t.resolver.resolve('mem:a')).toBe('v');
    t.advance(1001);
    unavailable(t.provider, 'a');
    expect(await t.resolver.resolve('mem:a')).toBe('v');
    expect(t.calls).toBe(2);
    expect(t.resolver.stats().staleServed).toBe(1);
  });

  it('takes no pause that the deadline would cut short', async () => {
    const t = setup({ values: { a: 'v' }, retries: 2, random: () => 0.99, timeoutMs: 90 });
    unavailable(t.provider, 'a');
    // The first pause would be 99 ms, past the 90 ms deadline: the failure is the answer at once.
    await expect(t.resolver.resolve('mem:a')).rejects.toBeInstanceOf(ProviderError);
    expect(t.calls).toBe(1);
  });

  it('a caller with a later deadline that joins keeps the retries going for itself', async () => {
    const t = setup({ values: { a: 'v' }, retries: 2, random: () => 0.99, timeoutMs: 90 });
    unavailable(t.provider, 'a');
    const first = t.resolver.resolve('mem:a').catch((error: unknown) => error);
    const second = t.resolver.resolve('mem:a', { timeoutMs: 5000 });
    await settle();
    t.provider.heal();
    t.advance(99);
    await settle();
    expect(await first).toMatchObject({ name: 'TimeoutError' });
    t.advance(1);
    expect(await second).toBe('v');
    expect(t.calls).toBe(2);
  });

  it('the retries of many keys share their calls', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const t = setup({ values: Object.fromEntries(keys.map((k) => [k, k])), retries: 2, random: () => 0.5 });
    unavailable(t.provider);
    const pending = Promise.all(keys.map((k) => t.resolver.resolve(`mem:${k}`)));
    await settle();
    expect(t.calls).toBe(1);
    t.provider.heal();
    t.advance(50);
    expect(await pending).toEqual(keys);
    expect(t.calls).toBe(2);
  });

  it('a retry the deadline cuts short does not hide the failure: the key backs off from it', async () => {
    let calls = 0;
    // Throttled, then silent: the retry runs into the deadline.
    const provider: Provider = {
      schemes: ['slow'],
      parse: ({ body }) => ({ key: body }),
      fetch: async (requests) => {
        calls++;
        if (calls > 1) return new Promise(() => {});
        return requests.map((r) => ({
          error: new ProviderError('unavailable', { ref: r.ref, scheme: r.scheme, transient: true }),
        }));
      },
    };
    const clock = manualClock();
    const resolver = createResolver({ providers: [provider], clock, random: () => 0.5, timeoutMs: 200 });
    await expect(drive({ advance: (ms) => clock.advance(ms) }, resolver.resolve('slow:a'))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(calls).toBe(2);
    // Within the backoff the throttle started: no call, the service's answer again.
    await expect(resolver.resolve('slow:a')).rejects.toBeInstanceOf(ProviderError);
    expect(calls).toBe(2);
  });

  it.each([-1, 1.5, 11, Number.NaN, Number.POSITIVE_INFINITY, '2'])('refuses retries: %s', (retries) => {
    expect(() => setup({ retries: retries as number })).toThrow(InvalidOptionError);
  });
});

describe('a forced fetch', () => {
  it('does not join a fetch in flight that is not forced (it may answer from a cache): it sends its own', async () => {
    const calls: boolean[] = [];
    const gates: (() => void)[] = [];
    let value = 'old';
    const provider: Provider = {
      schemes: ['gated'],
      parse: ({ body }) => ({ key: body }),
      fetch: async (requests) => {
        calls.push(requests.some((r) => r.forced === true));
        const seen = value;
        await new Promise<void>((resolve) => gates.push(resolve));
        return requests.map(() => ({ value: seen }));
      },
    };
    const resolver = createResolver({ providers: [provider] });
    const plain = resolver.resolve('gated:a');
    await settle();
    value = 'new';
    const forced = resolver.resolve('gated:a', { forceFetch: true });
    const joiner = resolver.resolve('gated:a', { forceFetch: true });
    await settle();
    for (const open of gates) open();
    expect(await plain).toBe('old');
    expect(await forced).toBe('new');
    expect(await joiner).toBe('new'); // a forced caller joins a forced flight
    expect(calls).toEqual([false, true]);
    expect(await resolver.resolve('gated:a')).toBe('new'); // the forced fetch's value is the one kept
  });
});

describe('the keys of one batch pause alike', () => {
  it('on a slow machine too (each read of the clock 2 ms later): they are retried in one batch again', async () => {
    const clock = manualClock();
    // A loaded machine: time moves between the keys' failures, which settle in one turn of the loop.
    let reads = 0;
    const slow = {
      ...clock,
      now: () => {
        reads += 2;
        return clock.now() + reads;
      },
    };
    let draws = 0;
    const batches: number[] = [];
    let failing = true;
    const provider: Provider = {
      schemes: ['mem'],
      batchSize: 10,
      parse: ({ body }) => ({ key: body }),
      async fetch(requests) {
        batches.push(requests.length);
        return requests.map((r) =>
          failing
            ? { error: new ProviderError('unavailable', { ref: r.ref, scheme: 'mem', transient: true }) }
            : { value: 'v' },
        );
      },
    };
    const resolver = createResolver({
      providers: [provider],
      clock: slow,
      retries: 1,
      random: () => (++draws % 2) / 2,
    });
    const both = Promise.all([resolver.resolve('mem:a'), resolver.resolve('mem:b')]);
    await settle();
    failing = false;
    for (let ms = 0; ms < 200; ms += 10) {
      clock.advance(10);
      await settle();
    }
    expect(await both).toEqual(['v', 'v']);
    expect(batches).toEqual([2, 2]);
  });
});

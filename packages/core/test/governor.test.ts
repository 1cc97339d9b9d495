/**
 * The throttle governor (governor.ts, in the batcher) and grouped expiry, on the injected clock: the
 * rate cut on throttling, its recovery, fairness between keys, batches that a throttled period never
 * splits, the last good value served while a refresh waits its turn, and one call per batch per TTL.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, ThrottledError, type ThrottleEvent, TimeoutError } from '@secretref/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createGovernor, GOVERNOR } from '../src/governor.ts';
import { setup, throttle } from './helpers.ts';

const MINUTE = 60_000;
const KEYS = Array.from({ length: 30 }, (_, i) => `k${i}`);
const refs = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, `mem:${k}`]));

/** Lets promise chains and the batcher's next turn run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the clock 100 ms at a time until `promise` settles (at most `maxMs`). */
async function drive<T>(t: { advance(ms: number): void }, promise: Promise<T>, maxMs = 20 * MINUTE): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => {});
  for (let ms = 0; ms < maxMs; ms += 100) {
    await settle();
    if (done) break;
    t.advance(100);
  }
  return watched;
}

const events: ThrottleEvent[] = [];
const listener = (event: unknown) => events.push(event as ThrottleEvent);
afterEach(() => {
  unsubscribe(CHANNELS.throttle, listener);
  events.length = 0;
});

/**
 * A resolver whose service throttled twice: the first call, and the quick one after it (50 ms later,
 * random 0.5). Its governor paces calls now, the next token some 4 s away.
 */
async function throttled(options: Parameters<typeof setup>[0] = {}) {
  const values = Object.fromEntries([...'abcdefghij', ...KEYS].map((k) => [k, `${k}1`]));
  const t = setup({ values, random: () => 0.5, ...options });
  throttle(t.provider);
  await expect(t.resolver.resolve('mem:a')).rejects.toBeInstanceOf(ThrottledError);
  await expect(drive(t, t.resolver.resolve('mem:a'))).rejects.toBeInstanceOf(ThrottledError);
  t.provider.heal();
  expect(t.calls).toBe(2);
  return t;
}

describe('the governor of a service', () => {
  it('cuts the rate on a throttle: calls wait their turn, for every key; the first within 100 ms', async () => {
    subscribe(CHANNELS.throttle, listener);
    const t = setup({ values: { a: 'a1', b: 'b1' }, random: () => 0.5 });
    throttle(t.provider);
    await expect(t.resolver.resolve('mem:a')).rejects.toBeInstanceOf(ThrottledError);
    t.provider.heal();
    // One call in the last second, halved: 0.5 calls/s. The first throttle may be a blip: the next
    // call goes within 100 ms (50 ms, random 0.5), the ones after it at the rate.
    expect(t.resolver.stats().governors).toEqual([
      { scheme: 'mem', region: undefined, limiting: true, ratePerS: 0.5, throttled: 1 },
    ]);
    expect(events).toEqual([{ scheme: 'mem', region: undefined, state: 'throttled', ratePerS: 0.5 }]);
    const b = t.resolver.resolve('mem:b');
    await settle();
    t.advance(49);
    await settle();
    expect(t.calls).toBe(1);
    t.advance(1);
    expect(await b).toBe('b1');
    expect(t.calls).toBe(2);
  });

  it('halves the rate again on each throttle', async () => {
    const t = setup({ values: { a: 'a1' }, random: () => 0.5, timeoutMs: 30 * MINUTE });
    throttle(t.provider);
    const rates: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      await expect(drive(t, t.resolver.resolve('mem:a'), 30 * MINUTE)).rejects.toBeInstanceOf(ThrottledError);
      rates.push(t.resolver.stats().governors[0]?.ratePerS);
    }
    // Each cut halves the rate it had grown to since the last one (it doubles in two intervals).
    expect(rates[0]).toBe(0.5);
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan((rates[i - 1] as number) * 0.75);
    expect(t.calls).toBe(5);
  });

  it('cuts once for the calls that met the same rate (three batches throttled together)', async () => {
    const t = setup({ values: Object.fromEntries(KEYS.map((k) => [k, k])), random: () => 0.5 });
    throttle(t.provider);
    await t.resolver.resolveAll(refs(KEYS)).catch(() => {});
    expect(t.calls).toBe(3);
    // Three calls in the last second, halved once.
    expect(t.resolver.stats().governors[0]).toMatchObject({ limiting: true, ratePerS: 1.5, throttled: 3 });
  });

  it('climbs back as calls succeed and, at twice its rate before the throttle, lets calls go freely again', async () => {
    subscribe(CHANNELS.throttle, listener);
    const t = await throttled();
    // Cut twice (about a quarter of a call a second); each success at least doubles it.
    const cut = t.resolver.stats().governors[0]?.ratePerS as number;
    expect(cut).toBeLessThan(0.3);
    const rates: number[] = [cut];
    // A cold key read five times a second: each waits its turn while the governor limits.
    for (let i = 0; i < 10 && t.resolver.stats().governors[0]?.limiting; i++) {
      expect(await drive(t, t.resolver.resolve(`mem:k${i}`))).toBe(`k${i}1`);
      rates.push(t.resolver.stats().governors[0]?.ratePerS ?? Number.NaN);
      t.advance(200);
    }
    expect(events.map((e) => e.state)).toEqual(['throttled', 'recovered']);
    expect(t.resolver.stats().governors[0]).toMatchObject({ limiting: false, ratePerS: undefined });
    // Doubled by each success (and more with the time since), until it no longer limits (NaN).
    const limited = rates.filter((r) => !Number.isNaN(r));
    expect(limited.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < limited.length; i++) expect(limited[i]).toBeGreaterThanOrEqual(2 * (limited[i - 1] as number));
    expect(rates.at(-1)).toBeNaN();
    // Free again: a read goes out in this turn, with no wait.
    const calls = t.calls;
    const free = t.resolver.resolve('mem:c');
    await settle();
    expect(t.calls).toBe(calls + 1);
    expect(await free).toBe('c1');
  });

  it('never splits batches: keys that arrive while it holds calls back go out together', async () => {
    const t = await throttled();
    const reads: Promise<unknown>[] = [];
    for (const k of ['b', 'c', 'd']) {
      reads.push(t.resolver.resolve(`mem:${k}`));
      await settle();
      t.advance(100);
    }
    expect(t.calls).toBe(2);
    expect(await drive(t, Promise.all(reads))).toEqual(['b1', 'c1', 'd1']);
    expect(t.provider.calls).toEqual([['a'], ['a'], ['b', 'c', 'd']]);
  });

  it('is fair between keys: they go in the order they came, none overtaken, each batch full', async () => {
    const t = await throttled({ batchSize: 2, timeoutMs: MINUTE });
    const order = ['b', 'c', 'd', 'e', 'f'];
    const reads = order.map((k) => t.resolver.resolve(`mem:${k}`));
    await settle();
    // A key that comes later waits behind them.
    const late = t.resolver.resolve('mem:g');
    await drive(t, Promise.all([...reads, late]));
    expect(t.provider.calls).toEqual([['a'], ['a'], ['b', 'c'], ['d', 'e'], ['f', 'g']]);
  });

  it('holds a cold key no longer than its deadline: a TimeoutError, and no call', async () => {
    const t = await throttled();
    const read = t.resolver.resolve('mem:b', { timeoutMs: 1000 });
    await settle();
    t.advance(1000);
    await expect(read).rejects.toBeInstanceOf(TimeoutError);
    t.advance(5000);
    await settle();
    expect(t.calls).toBe(2);
  });

  it('serves the last good value at once while the refresh waits its turn, then refreshes', async () => {
    const t = setup({ values: { a: 'a1', b: 'b1' }, random: () => 0.5, ttlMs: MINUTE });
    await t.resolver.resolve('mem:b');
    t.advance(MINUTE);
    throttle(t.provider);
    await expect(t.resolver.resolve('mem:a')).rejects.toBeInstanceOf(ThrottledError);
    await expect(drive(t, t.resolver.resolve('mem:a'))).rejects.toBeInstanceOf(ThrottledError);
    t.provider.heal();
    t.provider.set('b', 'b2');
    // Held: no wait, the value it has.
    expect(await t.resolver.resolve('mem:b')).toBe('b1');
    expect(t.resolver.stats()).toMatchObject({ staleServed: 1, calls: 3 });
    t.advance(5000);
    await settle();
    expect(t.calls).toBe(4);
    expect(await t.resolver.resolve('mem:b')).toBe('b2');
  });

  it('retries a throttled cold key when the governor lets it, with no pause of its own', async () => {
    const t = setup({ values: { a: 'a1' }, random: () => 0.5, retries: 2 });
    throttle(t.provider);
    const read = t.resolver.resolve('mem:a');
    await settle();
    expect(t.calls).toBe(1);
    // The first retry at the governor's first token (50 ms): throttled again.
    t.advance(50);
    await settle();
    expect(t.calls).toBe(2);
    t.provider.heal();
    // The second retry's pause would be 100 ms; the governor's turn is seconds away.
    t.advance(1000);
    await settle();
    expect(t.calls).toBe(2);
    expect(await drive(t, read)).toBe('a1');
    expect(t.calls).toBe(3);
  });

  it('is one per service and region: a throttled region holds back no other', async () => {
    const t = setup({ values: { a: 'a1', b: 'b1', c: 'c1' }, random: () => 0.5 });
    throttle(t.provider);
    await expect(t.resolver.resolve('mem:a?region=west')).rejects.toBeInstanceOf(ThrottledError);
    t.provider.heal();
    const west = t.resolver.resolve('mem:c?region=west');
    expect(await t.resolver.resolve('mem:b?region=east')).toBe('b1');
    expect(t.calls).toBe(2);
    t.advance(2000);
    expect(await west).toBe('c1');
    expect(t.resolver.stats().governors.map((g) => [g.region, g.limiting])).toEqual([
      ['west', true],
      ['east', false],
    ]);
  });
});

describe('grouped expiry', () => {
  it('one call per batch per TTL: a process reading its 25 values apart refreshes them in 3 calls', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `p${i}`);
    let seed = 0;
    const t = setup({
      values: Object.fromEntries(keys.map((k) => [k, k])),
      ttlMs: MINUTE,
      jitter: 0.1,
      random: () => {
        seed = (seed * 9301 + 49297) % 233280;
        return seed / 233280;
      },
    });
    await t.resolver.resolveAll(refs(keys));
    expect(t.calls).toBe(3);
    // Ten TTLs, a value read every second, one after the other.
    for (let second = 0, i = 0; second < 10 * 60; second++, i = (i + 1) % keys.length) {
      t.advance(1000);
      await t.resolver.resolve(`mem:${keys[i]}`);
      await settle();
    }
    // 3 calls at start, then 3 per expiry: once per TTL (a little less than a minute, with jitter).
    expect(t.calls % 3).toBe(0);
    expect(t.calls / 3 - 1).toBeGreaterThanOrEqual(10);
    expect(t.calls / 3 - 1).toBeLessThanOrEqual(11);
    expect(t.provider.calls.every((call) => call.length === 10 || call.length === 5)).toBe(true);
  });
});

describe('the governor alone', () => {
  it('lets calls go freely until a throttle, and says when it starts and stops limiting', () => {
    const g = createGovernor(() => 0.5);
    expect(g.delay(0)).toBe(0);
    const first = g.sent(0);
    const second = g.sent(0);
    expect(g.ended(first, 10, 'throttled')).toBe('throttled');
    // A call sent before the cut met the old rate: no second cut.
    expect(g.ended(second, 12, 'throttled')).toBeUndefined();
    // Two calls in the last second, halved: 1 call/s. The next call within 100 ms (a blip?), then
    // a token every second on average.
    expect(g.state(10)).toEqual({ limiting: true, ratePerS: 1, throttled: 2 });
    expect(g.delay(10)).toBe(50);
    g.sent(60);
    expect(g.delay(60)).toBeCloseTo(1000 / 2 ** (0.05 / 2));
    // With no throttle, the rate doubles in two intervals (2 s at 1 call/s).
    expect(g.state(2010).ratePerS).toBeCloseTo(2);
    const third = g.sent(1010);
    // A success doubles it: 2 x 2^(1.09 / 2) = 2.92 calls/s, short of 4 (twice the rate it was throttled at).
    expect(g.ended(third, 1100, 'ok')).toBeUndefined();
    expect(g.state(1100).ratePerS).toBeCloseTo(2 * 2 ** (1.09 / 2));
    // The next success passes 4: free again.
    expect(g.ended(g.sent(1200), 1300, 'ok')).toBe('recovered');
    expect(g.delay(1300)).toBe(0);
  });

  it('comes down to its floor, a call a minute on average, and no lower', () => {
    const g = createGovernor(() => 0.5);
    for (let i = 0, now = 0; i < 30; i++, now += 1000) g.ended(g.sent(now), now + 10, 'throttled');
    expect(g.state(29_010).ratePerS).toBe(GOVERNOR.minRatePerS);
  });
});

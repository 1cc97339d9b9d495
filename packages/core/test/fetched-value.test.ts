/**
 * What a provider may say of a value besides the value (`FetchedValue`): what it reads as without an
 * `as` (AppConfig's content type), the floor of its TTL (a poll interval) and its version, for events.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, createResolver, type FetchEvent, type FetchedValue, type Provider } from '@secretref/core';
import { manualClock } from '@secretref/core/testing';
import { describe, expect, it } from 'vitest';

function setup(answer: () => FetchedValue, resolverOptions: { ttlMs?: number; jitter?: number } = {}) {
  const clock = manualClock();
  let calls = 0;
  const provider: Provider = {
    schemes: ['cfg'],
    parse: ({ body }) => ({ key: body }),
    async fetch(requests) {
      calls++;
      return requests.map(() => answer());
    },
  };
  const resolver = createResolver({ providers: [provider], clock, jitter: 0, retries: 0, ...resolverOptions });
  return { resolver, clock, calls: () => calls };
}

describe('what a provider says of a fetched value', () => {
  it('`as` decides what the value reads as when the caller names none; the caller’s `as` wins', async () => {
    const { resolver } = setup(() => ({ value: '{"flag":{"enabled":true}}', as: 'json' }));
    await expect(resolver.resolve('cfg:a')).resolves.toEqual({ flag: { enabled: true } });
    await expect(resolver.resolve('cfg:a', { as: 'string' })).resolves.toBe('{"flag":{"enabled":true}}');
    await expect(resolver.resolve('cfg:a?as=string')).resolves.toBe('{"flag":{"enabled":true}}');
    await expect(resolver.resolve('cfg:a#flag')).resolves.toEqual({ enabled: true });
    // A stale answer keeps it too.
    expect(resolver.peek('cfg:a')).toEqual({ flag: { enabled: true } });
  });

  it('a fragment reads JSON, whatever the provider says the whole value reads as (bytes)', async () => {
    const { resolver } = setup(() => ({
      value: new TextEncoder().encode('{"port":5432,"name":"abcd"}'),
      as: 'binary',
    }));
    await expect(resolver.resolve('cfg:a')).resolves.toEqual(new TextEncoder().encode('{"port":5432,"name":"abcd"}'));
    await expect(resolver.resolve('cfg:a#port')).resolves.toBe(5432);
    await expect(resolver.resolve('cfg:a#name')).resolves.toBe('abcd');
  });

  it('without `as`, a string stays a string', async () => {
    const { resolver } = setup(() => ({ value: '{"a":1}' }));
    await expect(resolver.resolve('cfg:a')).resolves.toBe('{"a":1}');
  });

  it('`minTtlMs` raises a shorter TTL (jitter never takes it below); a longer TTL stays; forceFetch still fetches', async () => {
    const { resolver, clock, calls } = setup(() => ({ value: 'v', minTtlMs: 30_000 }), { ttlMs: 1_000, jitter: 0.5 });
    await resolver.resolve('cfg:a');
    clock.advance(29_999);
    await resolver.resolve('cfg:a');
    await resolver.resolve('cfg:a', { ttlMs: 10 });
    expect(calls()).toBe(1);
    clock.advance(1);
    await resolver.resolve('cfg:a');
    expect(calls()).toBe(2);
    await resolver.resolve('cfg:a', { forceFetch: true });
    expect(calls()).toBe(3);
    await resolver.resolve('cfg:b', { ttlMs: 60_000 });
    clock.advance(29_000);
    await resolver.resolve('cfg:b', { ttlMs: 60_000 });
    expect(calls()).toBe(4);
  });

  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY, '5' as unknown as number])(
    'a floor of %s is none',
    async (floor) => {
      const { resolver, clock, calls } = setup(() => ({ value: 'v', minTtlMs: floor }), { ttlMs: 1_000 });
      await resolver.resolve('cfg:a');
      clock.advance(1_000);
      await resolver.resolve('cfg:a');
      expect(calls()).toBe(2);
    },
  );

  it('the version is in the fetch event, by canonical reference', async () => {
    const { resolver } = setup(() => ({ value: 'v', version: 'v7' }));
    const events: FetchEvent[] = [];
    const listener = (event: unknown) => events.push(event as FetchEvent);
    subscribe(CHANNELS.fetch, listener);
    try {
      await resolver.resolve('cfg:a');
    } finally {
      unsubscribe(CHANNELS.fetch, listener);
    }
    expect(events.map((e) => e.versions)).toEqual([{ 'cfg:a': 'v7' }]);
  });
});

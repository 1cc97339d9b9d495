/** The test kit, as docs/guides/testing.md shows it: mocked values, failures, time and watch. */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, createResolver, resolve, type StaleServedEvent, ssmProvider, ThrottledError } from 'secretref';
import { manualClock, memoryProvider, mockSecrets } from 'secretref/testing';
import { describe, expect, it } from 'vitest';

describe('mockSecrets', () => {
  it('answers the default resolver from memory; set changes a value at once, rotate at the next refresh', async () => {
    // #region mock-rotate
    const clock = manualClock();
    const mock = mockSecrets({ 'ssm:/app/db/password': 'old' }, { clock, ttlMs: 60_000, jitter: 0 });
    try {
      expect(await resolve('ssm:/app/db/password')).toBe('old');
      mock.rotate('ssm:/app/db/password', 'new'); // at the source only: the cache still holds 'old'
      expect(await resolve('ssm:/app/db/password')).toBe('old');
      clock.advance(60_000); // the TTL passes
      expect(await resolve('ssm:/app/db/password')).toBe('new');
      mock.set('ssm:/app/db/password', 'newer'); // set also drops the cached value
      expect(await resolve('ssm:/app/db/password')).toBe('newer');
      expect(mock.calls).toHaveLength(3);
    } finally {
      mock.restore(); // the previous default resolver is back
    }
    // #endregion mock-rotate
  });
});

describe('memoryProvider', () => {
  it('injects failures: the last good value is served through a throttled refresh', async () => {
    // #region failures
    const clock = manualClock();
    const ssm = memoryProvider({ like: ssmProvider(), values: { '/app/key': 'k1' } });
    const resolver = createResolver({ providers: [ssm], clock, ttlMs: 60_000, jitter: 0 });
    const stale: StaleServedEvent[] = [];
    const onStale = (message: unknown) => stale.push(message as StaleServedEvent);
    subscribe(CHANNELS.staleServed, onStale);
    try {
      expect(await resolver.resolve('ssm:/app/key')).toBe('k1');
      ssm.fail('/app/key', (request) => new ThrottledError('Rate exceeded', request)); // or '*' for every key
      clock.advance(60_000);
      expect(await resolver.resolve('ssm:/app/key')).toBe('k1'); // the last good value
      expect(stale.map((event) => event.error.code)).toEqual(['THROTTLED']);
      ssm.heal(); // failures end; ssm.delete(body) makes a value missing, ssm.hang = true a call hang
      clock.advance(1000); // past the failure's backoff
      expect(await resolver.resolve('ssm:/app/key')).toBe('k1');
      expect(ssm.calls).toEqual([['/app/key'], ['/app/key'], ['/app/key']]);
    } finally {
      unsubscribe(CHANNELS.staleServed, onStale);
      resolver.dispose();
    }
    // #endregion failures
  });
});

describe('manualClock', () => {
  it('drives watch: advanceAsync lets the checks it starts run and set their next timer', async () => {
    // #region watch
    const clock = manualClock();
    const ssm = memoryProvider({ like: ssmProvider(), values: { '/app/db/password': 'p1' } });
    const resolver = createResolver({ providers: [ssm], clock });
    const seen: string[] = [];
    const watcher = resolver.watch('ssm:/app/db/password', (value) => void seen.push(value), { intervalMs: 30_000 });
    await watcher.ready;
    ssm.set('/app/db/password', 'p2');
    // advance() runs the timers that fall due; advanceAsync() also lets the promise chains they start
    // run, so the check happens and sets the next one.
    await clock.advanceAsync(30_000);
    expect(seen).toEqual(['p2']);
    ssm.set('/app/db/password', 'p3');
    await clock.advanceAsync(30_000);
    expect(seen).toEqual(['p2', 'p3']);
    watcher.stop();
    resolver.dispose();
    // #endregion watch
  });
});

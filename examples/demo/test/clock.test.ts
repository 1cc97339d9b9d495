/** Time in tests: a manual clock moves the cache's time (and its timers) without sleeping. */

// #region manual-clock
import { createResolver, ssmProvider } from 'secretref';
import { manualClock, memoryProvider } from 'secretref/testing';
import { expect, it } from 'vitest';

it('refreshes a value once its TTL has passed, on a clock the test moves', async () => {
  const clock = manualClock();
  const ssm = memoryProvider({ like: ssmProvider(), values: { '/app/db': 'v1' } });
  const resolver = createResolver({ clock, ttlMs: 60_000, jitter: 0, providers: [ssm] });
  expect(await resolver.resolve('ssm:/app/db')).toBe('v1');
  ssm.set('/app/db', 'v2');
  clock.stepWall(-2 * 3_600_000); // the wall clock steps back 2 h: the TTL does not care
  expect(await resolver.resolve('ssm:/app/db')).toBe('v1');
  clock.advance(60_000); // a minute passes
  expect(await resolver.resolve('ssm:/app/db')).toBe('v2');
});
// #endregion manual-clock

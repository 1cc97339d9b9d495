/** The fleet model (tools/bench/src/fleet-model): the simulated clock, and a small fleet of real resolvers on it. */
import { describe, expect, it } from 'vitest';
import { simulateFleet } from '../src/fleet-model/model.ts';
import { simClock } from '../src/fleet-model/sim-clock.ts';

describe('the simulated clock', () => {
  it('runs timers in time order (ties in the order set), skips cleared ones, and lets the event loop turn', async () => {
    const clock = simClock();
    const seen: string[] = [];
    clock.setTimer(() => seen.push('b@20'), 20);
    clock.setTimer(() => seen.push('a@10'), 10);
    clock.setTimer(() => seen.push('c@20'), 20);
    const cleared = clock.setTimer(() => seen.push('never'), 15);
    clock.setTimer(() => {
      seen.push('d@5');
      // Work a timer starts on a promise or setImmediate runs before the next instant.
      void Promise.resolve().then(() => seen.push('microtask@5'));
      setImmediate(() => seen.push('immediate@5'));
      clock.setTimer(() => seen.push(`e@${clock.now()}`), 1);
    }, 5);
    cleared.clear();
    await clock.run(100);
    expect(seen).toEqual(['d@5', 'microtask@5', 'immediate@5', 'e@6', 'a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(100);
  });
});

describe('a small fleet on the model', () => {
  const fleet = { processes: 8, quota: 2, startWindowS: 5, durationS: 120, ttlS: 30, accessMs: 1000 };

  it('is deterministic, and every process gets its values in about the calls it needs', async () => {
    const first = await simulateFleet(fleet);
    const again = await simulateFleet(fleet);
    expect(again).toEqual(first);
    expect(first.readyS.every((s) => s !== null)).toBe(true);
    expect(first.idealCalls).toBe(8 * 3);
    expect(first.offeredToReady).toBeGreaterThanOrEqual(first.idealCalls);
    // The fastest deploy: 24 calls at 2/s (a burst of 2 first) is 11 s.
    expect(first.allReadyS).toBeGreaterThanOrEqual(11);
    // Each process's calls, as its resolver counts them, add up to what the service was offered.
    expect(first.callsOf.reduce((sum, p) => sum + p.calls, 0)).toBe(first.offered);
  });

  it('refreshes each process once per TTL in 3 calls, below the quota, at most 20% throttled', async () => {
    const outcome = await simulateFleet(fleet);
    // 8 processes x 3 calls / 30 s = 0.8 calls/s; values refresh every TTL less its jitter (up to 10%),
    // plus the read that finds them expired: up to 1 / 0.9 of that, at the window's edges a little more.
    expect(outcome.steadyRps).toBeGreaterThan(0.6);
    expect(outcome.steadyRps).toBeLessThanOrEqual(0.8 * 1.2);
    // A process's 3 refresh calls go at once, and the quota's burst is 2: now and then one is throttled.
    expect(outcome.steadyThrottledShare).toBeLessThanOrEqual(0.2);
    expect(outcome.refreshS?.max).toBeLessThanOrEqual(31);
  });
});

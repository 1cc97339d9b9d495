import { describe, expect, it } from 'vitest';
import { quotaFault, tokenBucket } from '../src/quota.ts';

/** `take` at each time, as a string of `+` (taken) and `-` (over the quota). */
const takes = (bucket: ReturnType<typeof tokenBucket>, times: readonly number[]): string =>
  times.map((t) => (bucket.take(t) ? '+' : '-')).join('');

describe('tokenBucket', () => {
  it('starts full: burst takes at one instant, then none', () => {
    const bucket = tokenBucket({ ratePerS: 2, burst: 3 });
    expect(takes(bucket, [1000, 1000, 1000, 1000, 1000])).toBe('+++--');
    expect(bucket).toMatchObject({ ratePerS: 2, burst: 3 });
  });

  it('refills at ratePerS, continuously: one token every 1000 / ratePerS ms', () => {
    const bucket = tokenBucket({ ratePerS: 4, burst: 1 });
    // 4/s: a token every 250 ms; 249 ms after an empty bucket there is none yet, at 250 ms there is.
    expect(takes(bucket, [0, 249, 250, 250, 499, 500, 625, 750])).toBe('+-+--+-+');
  });

  it('sums fractional refills', () => {
    const bucket = tokenBucket({ ratePerS: 10, burst: 1 });
    expect(takes(bucket, [0, 40, 80, 100])).toBe('+--+');
  });

  it('caps the refill at burst, however long it waited', () => {
    const bucket = tokenBucket({ ratePerS: 5, burst: 2 });
    expect(takes(bucket, [0, 0, 0])).toBe('++-');
    expect(takes(bucket, [3_600_000, 3_600_000, 3_600_000])).toBe('++-');
  });

  it('refills nothing for a time before the last one', () => {
    const bucket = tokenBucket({ ratePerS: 1, burst: 1 });
    expect(takes(bucket, [5000, 1000, 5999, 6000])).toBe('+--+');
  });

  it('gives the same answers for the same times (deterministic)', () => {
    const times = Array.from({ length: 200 }, (_, i) => i * 37);
    const a = takes(tokenBucket({ ratePerS: 3, burst: 4 }), times);
    expect(takes(tokenBucket({ ratePerS: 3, burst: 4 }), times)).toBe(a);
    // 7.4 s at 3/s, plus the first 4: 4 + floor(7.363 * 3) = 26 tokens.
    expect(a.split('+').length - 1).toBe(26);
  });

  it('refuses a burst below 1 and a negative rate', () => {
    expect(() => tokenBucket({ ratePerS: 1, burst: 0 })).toThrow(RangeError);
    expect(() => tokenBucket({ ratePerS: -1, burst: 1 })).toThrow(RangeError);
  });
});

describe('quotaFault', () => {
  it('throttles a counted operation when the bucket is empty, on the injected time', () => {
    let now = 0;
    const fault = quotaFault(tokenBucket({ ratePerS: 1, burst: 1 }), {
      operations: ['GetParameters'],
      now: () => now,
    });
    expect(fault('GetParameters', 'us-east-1')).toBeUndefined();
    expect(fault('GetParameters', 'us-east-1')).toBe('throttle');
    // Other operations neither take a token nor are throttled.
    expect(fault('GetSecretValue', 'us-east-1')).toBeUndefined();
    now = 1000;
    expect(fault('GetParameters', undefined)).toBeUndefined();
    expect(fault('GetParameters', undefined)).toBe('throttle');
  });

  it('counts every operation when none are listed', () => {
    const fault = quotaFault(tokenBucket({ ratePerS: 0, burst: 2 }), { now: () => 0 });
    expect(['A', 'B', 'C'].map((op) => fault(op, undefined))).toEqual([undefined, undefined, 'throttle']);
  });
});

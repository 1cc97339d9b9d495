/**
 * An AWS quota for the fault proxy: a token bucket, as AWS describes its API rate limits (a refill
 * rate per second and a burst), and a proxy fault that throttles a call when the bucket is empty.
 * The bucket reads no clock: the caller passes the time, so a simulated fleet on a simulated clock
 * and the proxy on the real one share it.
 */
import type { Fault } from './fault-proxy.ts';

/** A token bucket on a time the caller passes. */
export interface TokenBucket {
  /** Takes one token at `nowMs` if there is one; `false` means the call is over the quota. */
  take(nowMs: number): boolean;
  /** Tokens added per second. */
  readonly ratePerS: number;
  /** Tokens the bucket holds at most (and at the start). */
  readonly burst: number;
}

/** Options of `tokenBucket`. */
export interface TokenBucketOptions {
  /** Tokens added per second, continuously (SSM's GetParameters: 40 by default per account and region). */
  readonly ratePerS: number;
  /** The most tokens the bucket holds; it starts full. */
  readonly burst: number;
}

/**
 * A token bucket that starts full with `burst` tokens and refills at `ratePerS` tokens a second,
 * capped at `burst`. Pure and deterministic: the same `take(nowMs)` sequence gives the same answers.
 * Times passed must not go backwards (an earlier time than the last one refills nothing).
 */
export function tokenBucket({ ratePerS, burst }: TokenBucketOptions): TokenBucket {
  if (!(ratePerS >= 0) || !(burst >= 1)) {
    throw new RangeError(`a token bucket needs ratePerS >= 0 and burst >= 1 (got ${ratePerS}, ${burst})`);
  }
  let tokens = burst;
  let lastMs: number | undefined;
  return {
    ratePerS,
    burst,
    take(nowMs) {
      if (lastMs !== undefined && nowMs > lastMs)
        tokens = Math.min(burst, tokens + ((nowMs - lastMs) * ratePerS) / 1000);
      if (lastMs === undefined || nowMs > lastMs) lastMs = nowMs;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/** Options of `quotaFault`. */
export interface QuotaFaultOptions {
  /** The operations the quota counts (`GetParameters`, `GetParameter`...). @default every operation */
  readonly operations?: readonly string[] | undefined;
  /** The time in ms passed to the bucket. @default performance.now() */
  readonly now?: (() => number) | undefined;
}

/**
 * A fault proxy `fault` that answers `throttle` (HTTP 400 ThrottlingException, as SSM sends it) when
 * `bucket` has no token for a counted operation, and forwards otherwise. Calls of other operations
 * neither take a token nor are throttled.
 *
 * @example proxy.fault = quotaFault(tokenBucket({ ratePerS: 40, burst: 40 }), { operations: ['GetParameters'] });
 */
export function quotaFault(
  bucket: TokenBucket,
  options: QuotaFaultOptions = {},
): (operation: string, region: string | undefined) => Fault | undefined {
  const now = options.now ?? (() => performance.now());
  const { operations } = options;
  return (operation) => {
    if (operations !== undefined && !operations.includes(operation)) return undefined;
    return bucket.take(now()) ? undefined : 'throttle';
  };
}

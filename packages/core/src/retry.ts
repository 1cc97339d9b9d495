/**
 * The resolver owns retries: providers make one attempt per call (the AWS transports do, the SDK's
 * clients are made with `maxAttempts: 1`), and a key with no last good value to serve is fetched
 * again within its deadline after a transient failure, with full-jitter exponential backoff, as the
 * SDK's standard mode would (3 attempts, 100 ms doubling: the resolver's `retries`, 2 by default). A retry joins whatever batch is forming
 * then, so retries of many keys batch together. See docs/reliability.md.
 */
import type { Batcher, Pending } from './batcher.ts';
import type { Clock } from './clock.ts';
import { type Entry, isStaleServable } from './entry.ts';
import { type SecretrefError, TimeoutError } from './errors.ts';
import type { FetchRequest, FetchResult, Provider } from './provider.ts';

/** The backoff between the attempts of a key with nothing to serve. */
const BACKOFF = { baseMs: 100, maxMs: 2000 };

/**
 * Is a failure worth another attempt within the deadline? Transient, not the deadline itself, and no
 * last good value to serve instead (that one is served, and the key backs off).
 */
export function worthRetrying(
  error: SecretrefError,
  entry: Entry | undefined,
  ttlMs: number,
  maxStaleMs: number,
  now: number,
): boolean {
  const servable = entry !== undefined && isStaleServable(entry, ttlMs, maxStaleMs, now);
  return error.transient && !(error instanceof TimeoutError) && !servable;
}

/** What a retrying fetch needs: the batcher, the clock for its pauses, a random source for its jitter. */
export interface RetryParts {
  readonly batcher: Batcher;
  readonly clock: Clock;
  readonly random: () => number;
  /** Attempts after the first (the resolver's `retries`). */
  readonly retries: number;
}

/**
 * Fetches `request` from `target`'s provider, again after a failure that `retry` says is worth it
 * (transient, and no last good value to serve), while its deadline (extended by joiners) allows.
 */
export function fetchRetrying(
  parts: RetryParts,
  target: { readonly provider: Provider; readonly region: string | undefined },
  request: FetchRequest,
  at: number,
  timeoutMs: number,
  retry: (error: SecretrefError) => boolean,
): Pending {
  const { batcher, clock, random } = parts;
  const { provider, region } = target;
  let latest = { at, timeoutMs };
  let current = batcher.fetch(provider, region, request, at, timeoutMs);
  const result = (async (): Promise<FetchResult> => {
    for (let attempt = 1; ; attempt++) {
      const outcome = await current.result;
      if ('value' in outcome || attempt > parts.retries || !retry(outcome.error)) return outcome;
      const delay = random() * Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** (attempt - 1));
      // No pause that the deadline would cut short: the failure is the answer then.
      if (clock.now() + delay >= latest.at) return outcome;
      await new Promise<void>((resolve) => clock.setTimer(resolve, delay, { unref: true }));
      current = batcher.fetch(provider, region, request, latest.at, latest.timeoutMs);
    }
  })();
  return {
    result,
    get at() {
      return latest.at;
    },
    extend(later, ms) {
      if (later > latest.at) latest = { at: later, timeoutMs: ms };
      current.extend(later, ms);
    },
  };
}

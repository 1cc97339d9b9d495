/**
 * The resolver owns retries: providers make one attempt per call (the AWS transports do, the SDK's
 * clients are made with `maxAttempts: 1`), and a key with no last good value to serve is fetched
 * again within its deadline after a transient failure, with full-jitter exponential backoff, as the
 * SDK's standard mode would (3 attempts, 100 ms doubling: the resolver's `retries`, 2 by default). A retry joins whatever batch is forming
 * then, so retries of many keys batch together. See docs/reliability.md.
 */
import type { Batcher, Pending } from './batcher.ts';
import { type Clock, perTurn } from './clock.ts';
import { type Entry, isStaleServable } from './entry.ts';
import { InvalidOptionError, type SecretrefError, ThrottledError, TimeoutError } from './errors.ts';
import { DEFAULTS, numberOption } from './options.ts';
import type { FetchRequest, FetchResult, Provider } from './provider.ts';

/** The most `retries` a resolver takes: a fetch must end, and a fleet must not pile up retries. */
const MAX_RETRIES = 10;

/** The `retries` option: a whole number from 0 to 10. */
export function retriesOption(value: unknown): number {
  const retries = numberOption('retries', value, DEFAULTS.retries, 'whole');
  if (retries > MAX_RETRIES)
    throw new InvalidOptionError(`option retries must be at most ${MAX_RETRIES}, got ${retries}`);
  return retries;
}

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

/** The failure backoff of a resolver's options (the cache's, after a failed fetch): `retryBaseMs` doubling to `retryMaxMs`. */
export function backoffOption(options: {
  readonly retryBaseMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
}): { readonly baseMs: number; readonly maxMs: number } {
  return {
    baseMs: numberOption('retryBaseMs', options.retryBaseMs, DEFAULTS.retryBaseMs),
    maxMs: numberOption('retryMaxMs', options.retryMaxMs, DEFAULTS.retryMaxMs),
  };
}

/** What a retrying fetch needs: the batcher, the clock for its pauses, a random source for its jitter. */
export interface RetryParts {
  readonly batcher: Batcher;
  readonly clock: Clock;
  readonly random: () => number;
  /** Attempts after the first (the resolver's `retries`). */
  readonly retries: number;
}

/** A resolver's retries: its parts, and the pause before an attempt. */
export interface RetryPlan extends RetryParts {
  /**
   * The pause before attempt `attempt + 1`, full jitter. One draw for the keys that fail in one turn
   * of the event loop (one batch's, however loaded the machine): they pause alike and are retried in
   * one batch again.
   */
  pause(attempt: number): number;
  /** Waits `ms` on the clock; cut short (and its timer cleared) by `dispose`. */
  wait(ms: number): Promise<void>;
  /** Ends every wait at once: the resolver is disposed, its callers settle now. */
  dispose(): void;
}

/** The retry plan of a resolver. */
export function retryPlan(parts: RetryParts): RetryPlan {
  // This turn's draw per attempt: the keys of one batch pause alike.
  const draw = perTurn<number>(() => parts.random());
  const waits = new Set<() => void>();
  return {
    ...parts,
    wait(ms) {
      return new Promise<void>((resolve) => {
        const timer = parts.clock.setTimer(() => end(), ms, { unref: true });
        const end = (): void => {
          timer.clear();
          waits.delete(end);
          resolve();
        };
        waits.add(end);
      });
    },
    dispose() {
      for (const end of [...waits]) end();
    },
    pause(attempt) {
      return draw(attempt) * Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** (attempt - 1));
    },
  };
}

/**
 * Fetches `request` from `target`'s provider, again after a failure that `retry` says is worth it
 * (transient, and no last good value to serve), while its deadline (extended by joiners) allows.
 */
export function fetchRetrying(
  parts: RetryPlan,
  target: { readonly provider: Provider; readonly region: string | undefined },
  request: FetchRequest,
  at: number,
  timeoutMs: number,
  retry: (error: SecretrefError) => boolean,
): Pending {
  const { batcher, clock } = parts;
  const { provider, region } = target;
  let latest = { at, timeoutMs };
  let current = batcher.fetch(provider, region, request, at, timeoutMs);
  const result = (async (): Promise<FetchResult> => {
    // The service's last answer: a retry that the deadline cuts short does not hide it (the key's
    // backoff starts from it; a TimeoutError would start none).
    let failure: FetchResult | undefined;
    for (let attempt = 1; ; attempt++) {
      const answer = await current.result;
      const outcome = failure && 'error' in answer && answer.error instanceof TimeoutError ? failure : answer;
      if ('value' in outcome || attempt > parts.retries || !retry(outcome.error)) return outcome;
      failure = outcome;
      // Throttled: no pause of its own, its service's governor spaces the calls of every key (the
      // batcher holds the retry until its turn).
      const throttled = outcome.error instanceof ThrottledError;
      const delay = throttled ? batcher.held(provider, region, clock.now()) : parts.pause(attempt);
      // No pause (nor turn) that the deadline would cut short: the failure is the answer then.
      if (clock.now() + delay >= latest.at) return outcome;
      if (!throttled) await parts.wait(delay);
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

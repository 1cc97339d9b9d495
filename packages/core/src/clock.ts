/**
 * The one clock of a resolver: monotonic milliseconds for every duration (TTL, backoff, the stale
 * window, deadlines, watch intervals) and wall time only where a date is meant. Timers go through
 * it too, so a test drives time and timers with `manualClock()` from `@secretref/core/testing` and
 * never sleeps.
 */

/** A timer set on a clock. */
export interface ClockTimer {
  /** Cancels the timer; a no-op once it ran. */
  clear(): void;
}

/** Time and timers, injected into `createResolver({ clock })`. */
export interface Clock {
  /**
   * Monotonic milliseconds from an arbitrary origin: never steps back when the system clock is
   * set, keeps counting through a Lambda freeze. Every duration is measured on it.
   */
  now(): number;
  /** Milliseconds since the epoch (`Date.now()`): only where a date is meant, never for durations. */
  wallTime(): number;
  /**
   * Runs `callback` once, `delayMs` from now. Any delay is accepted: a negative or NaN delay runs
   * at once, one beyond Node's timer limit (2^31 - 1 ms) is split so that it never fires early.
   * `unref`: the timer does not keep the process alive.
   */
  setTimer(callback: () => void, delayMs: number, options?: { readonly unref?: boolean | undefined }): ClockTimer;
}

/** The longest delay Node's `setTimeout` takes; longer ones fire after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** The system clock: `performance.now()`, `Date.now()` and Node's timers, clamped and re-armed. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  setTimer(callback, delayMs, options) {
    // NaN and negative delays run at once.
    let remaining = Math.max(delayMs, 0) || 0;
    let handle: ReturnType<typeof setTimeout>;
    if (remaining <= MAX_TIMER_MS) {
      handle = setTimeout(callback, remaining);
      if (options?.unref) handle.unref();
    } else {
      // Node fires a longer delay after 1 ms: wait in steps of the longest it takes.
      const arm = (): void => {
        const step = Math.min(remaining, MAX_TIMER_MS);
        remaining -= step;
        handle = setTimeout(remaining > 0 ? arm : callback, step);
        if (options?.unref) handle.unref();
      };
      arm();
    }
    return { clear: () => clearTimeout(handle) };
  },
};

// Captured at load time, as the batcher's: a test's fake timers must not hold the draws.
const nextTurn: (callback: () => void) => unknown = setImmediate;

/**
 * `draw(key)` once per key and turn of the event loop: the keys of one batch, which settle in one turn
 * however loaded the machine, get one draw (one retry pause, one cohort).
 */
export function perTurn<K, V = number>(draw: (key: K) => V): (key: K) => V {
  const draws = new Map<K, V>();
  return (key) => {
    let value = draws.get(key);
    if (value === undefined) {
      value = draw(key);
      draws.set(key, value);
      nextTurn(() => draws.delete(key));
    }
    return value;
  };
}

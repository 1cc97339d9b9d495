import type { Clock, ClockTimer } from '../clock.ts';

/** A clock that moves only when the test says so. Pass it as `createResolver({ clock })`. */
export interface ManualClock extends Clock {
  /**
   * Moves time forward by `ms` and runs the timers that fall due, in order, synchronously. Work they
   * start (a promise chain) runs later; use `advanceAsync` when it sets timers of its own.
   */
  advance(ms: number): void;
  /**
   * Moves time forward by `ms`, one due timer at a time, letting promise chains and I/O callbacks run
   * after each (as `vi.advanceTimersByTimeAsync` does), so timers they set within the span run too.
   */
  advanceAsync(ms: number): Promise<void>;
  /** Sets the wall clock forward (or back, with a negative `ms`) without time passing: an NTP step. */
  stepWall(ms: number): void;
  /** Timers set and not yet run or cleared. */
  readonly pending: number;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

// Captured at load: a test's fake timers must not stop the clock from yielding.
const yieldOnce: (callback: () => void) => unknown = setImmediate;

/** Lets microtasks, setImmediate callbacks and resolved I/O run: a few turns of the event loop. */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => yieldOnce(resolve));
}

/**
 * A manual clock starting at `startMs` (monotonic) and `wallMs` (wall time, default 2026-01-01).
 * Time passes for both faces alike; `stepWall` moves the wall clock alone.
 */
export function manualClock(options: { readonly startMs?: number; readonly wallMs?: number } = {}): ManualClock {
  let now = options.startMs ?? 1_000_000;
  let wallOffset = (options.wallMs ?? Date.UTC(2026, 0, 1)) - now;
  let seq = 0;
  const timers = new Set<Timer>();

  const next = (until: number): Timer | undefined => {
    let first: Timer | undefined;
    for (const timer of timers) {
      if (timer.at > until) continue;
      if (!first || timer.at < first.at || (timer.at === first.at && timer.seq < first.seq)) first = timer;
    }
    return first;
  };
  const run = (timer: Timer): void => {
    timers.delete(timer);
    now = Math.max(now, timer.at);
    timer.callback();
  };

  return {
    now: () => now,
    wallTime: () => now + wallOffset,
    setTimer(callback, delayMs) {
      const timer: Timer = { at: now + (Math.max(delayMs, 0) || 0), seq: seq++, callback };
      timers.add(timer);
      const handle: ClockTimer = { clear: () => void timers.delete(timer) };
      return handle;
    },
    advance(ms) {
      const until = now + ms;
      for (let timer = next(until); timer; timer = next(until)) run(timer);
      now = until;
    },
    async advanceAsync(ms) {
      const until = now + ms;
      await settle();
      for (let timer = next(until); timer; timer = next(until)) {
        run(timer);
        await settle();
      }
      now = until;
      await settle();
    },
    stepWall(ms) {
      wallOffset += ms;
    },
    get pending() {
      return timers.size;
    },
  };
}

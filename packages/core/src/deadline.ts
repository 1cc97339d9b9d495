/**
 * Deadlines: one race for the resolver (each caller's `timeoutMs`) and the batcher (a batch ends at
 * the latest deadline of the callers waiting for it). A deadline that has already passed when it
 * is set passes at once: nothing waits for an event that was sent before anyone listened.
 */
import type { Clock, ClockTimer } from './clock.ts';
import { TimeoutError } from './errors.ts';

/** A point on the clock's monotonic time that can move later, never earlier. */
export interface Deadline {
  /** Absolute, on `clock.now()`. */
  readonly at: number;
  /** Moves the deadline to `at` if that is later (a caller with a later deadline joined). */
  extend(at: number): void;
  /** Stops its timer: it never passes. */
  clear(): void;
}

/** Calls `onPass` once `at` (on `clock.now()`) has passed, following extensions. */
export function startDeadline(clock: Clock, at: number, onPass: () => void): Deadline {
  let timer: ClockTimer | undefined;
  let cleared = false;
  let latest = at;
  // On firing, look again: an extension moves the deadline without resetting the timer.
  const check = (): void => {
    timer = undefined;
    if (cleared) return;
    const due = latest - clock.now();
    if (due > 0) timer = clock.setTimer(check, due);
    else {
      cleared = true;
      onPass();
    }
  };
  check();
  return {
    get at() {
      return latest;
    },
    extend(later) {
      if (later > latest) latest = later;
    },
    clear() {
      cleared = true;
      timer?.clear();
    },
  };
}

/** The one timeout error, stating the deadline, for the resolver and the batcher alike. */
export function timeoutError(ref: string, scheme: string, timeoutMs: number): TimeoutError {
  return new TimeoutError(`no value for "${ref}" within ${timeoutMs} ms`, { ref, scheme });
}

/**
 * Waits for `work` until the deadline that `start` sets passes (a `Deadline`, or a plain timer of the
 * clock where nothing extends it; then `onTimeout()` is the result)
 * or `signal` aborts (then it rejects with the signal's reason, also when the signal was aborted
 * before the call). Clears the deadline when it settles.
 */
export function within<T>(
  work: Promise<T>,
  start: (onPass: () => void) => { clear(): void },
  onTimeout: () => T,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let done = false;
    let deadline: { clear(): void } | undefined;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      deadline?.clear();
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(signal?.reason);
    };
    // A deadline already passed settles at once, before `start` returns.
    deadline = start(() => {
      if (finish()) resolve(onTimeout());
    });
    if (done) return;
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => finish() && resolve(value),
      (error: unknown) => finish() && reject(error),
    );
  });
}

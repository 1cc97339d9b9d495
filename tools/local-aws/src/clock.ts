/**
 * A clock for tests against a real (local) AWS: real timers, so deadlines fire while a request hangs
 * on the network, and a monotonic time that a test can jump forward, as a Lambda freeze does, to
 * expire values without waiting. Structurally a secretref `Clock`.
 */
export interface JumpingClock {
  now(): number;
  wallTime(): number;
  setTimer(
    callback: () => void,
    delayMs: number,
    options?: { readonly unref?: boolean | undefined },
  ): { clear(): void };
  /** Moves time forward by `ms` at once (timers set before keep their real delays). */
  jump(ms: number): void;
}

export function jumpingClock(): JumpingClock {
  let offset = 0;
  return {
    now: () => performance.now() + offset,
    wallTime: () => Date.now() + offset,
    setTimer(callback, delayMs, options) {
      const handle = setTimeout(callback, Math.min(Math.max(delayMs, 0), 2_147_483_647));
      if (options?.unref) handle.unref();
      return { clear: () => clearTimeout(handle) };
    },
    jump(ms) {
      offset += ms;
    },
  };
}

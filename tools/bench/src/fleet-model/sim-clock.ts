/**
 * A simulated clock for the fleet model: the resolver's `Clock` interface over a timer heap. `run`
 * moves time from one due timer to the next and lets the event loop turn after each instant, so that
 * the real resolver's batches (flushed on `setImmediate`) and promise chains run as they would. A
 * cleared timer leaves the heap at once (10,000 resolvers clear many deadlines, whose callbacks hold
 * their callers' promises).
 */
import type { Clock, ClockTimer } from '@secretref/core';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  /** Its place in the heap; -1 once it ran or was cleared. */
  index: number;
}

/** A simulated clock that runs its timers in order. */
export interface SimClock extends Clock {
  /** Runs every timer due until `untilMs`, an instant at a time, turning the event loop after each. */
  run(untilMs: number): Promise<void>;
}

const earlier = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock at 0 ms, with a binary heap of timers. The timers due within `quantumMs` of each other run
 * as one instant, each at its own time, before the event loop turns: 10,000 resolvers set a timer
 * nearly every millisecond, and a turn per millisecond would cost the model most of its time.
 */
export function simClock(quantumMs = 0, turnsPerInstant = 3): SimClock {
  let now = 0;
  let seq = 0;
  const heap: Timer[] = [];
  const place = (timer: Timer, i: number): void => {
    heap[i] = timer;
    timer.index = i;
  };
  const up = (i: number): void => {
    const timer = heap[i] as Timer;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(timer, heap[parent] as Timer)) break;
      place(heap[parent] as Timer, i);
      i = parent;
    }
    place(timer, i);
  };
  const down = (i: number): void => {
    const timer = heap[i] as Timer;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && earlier(heap[r] as Timer, heap[l] as Timer) ? r : l;
      if (!earlier(heap[child] as Timer, timer)) break;
      place(heap[child] as Timer, i);
      i = child;
    }
    place(timer, i);
  };
  const remove = (timer: Timer): void => {
    const i = timer.index;
    if (i < 0) return;
    timer.index = -1;
    const last = heap.pop() as Timer;
    if (last === timer) return;
    place(last, i);
    up(i);
    down(last.index);
  };
  return {
    now: () => now,
    wallTime: () => Date.UTC(2026, 0, 1) + now,
    setTimer(callback, delayMs): ClockTimer {
      const timer: Timer = { at: now + (Math.max(delayMs, 0) || 0), seq: seq++, callback, index: heap.length };
      heap.push(timer);
      up(heap.length - 1);
      return { clear: () => remove(timer) };
    },
    async run(untilMs) {
      for (let i = 0; i < turnsPerInstant; i++) await turn();
      while (heap.length > 0 && (heap[0] as Timer).at <= untilMs) {
        const until = Math.min(untilMs, (heap[0] as Timer).at + quantumMs);
        // Every timer of this instant, then the event loop's turns (batches flush, answers settle).
        while (heap.length > 0 && (heap[0] as Timer).at <= until) {
          const timer = heap[0] as Timer;
          remove(timer);
          now = Math.max(now, timer.at);
          timer.callback();
        }
        for (let i = 0; i < turnsPerInstant; i++) await turn();
      }
      now = Math.max(now, untilMs);
    },
  };
}

/**
 * `watch`: re-resolves a reference in the background, on an unref'd timer of the resolver's clock
 * (it never keeps a process alive), and calls back when the value changed, e.g. to rebuild a
 * database pool after a rotation. Checks go through the resolver, so they share its cache,
 * single-flight, backoff and last good value. Nothing is silent: a failed check, a check answered
 * with the last good value during an outage, and a callback that threw all reach `onError`.
 */
import type { Clock, ClockTimer } from './clock.ts';
import { InvalidOptionError, SecretrefError, WatchCallbackError } from './errors.ts';
import type { ResolveOptions, Watcher, WatchOptions } from './types.ts';

/** Resolves, and reports a transient failure that was answered with the last good value. */
type Resolve = (ref: string, options: ResolveOptions, onStale?: (error: SecretrefError) => void) => Promise<unknown>;

/** Equal values: the same string, the same bytes, or the same JSON. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((byte, i) => byte === b[i]);
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

/** Starts watching; see `Resolver.watch`. */
export function startWatch<V>(
  resolve: Resolve,
  clock: Clock,
  /** The reference's TTL, and the reference as messages show it. */
  target: { readonly ttlMs: number; readonly shown: string },
  ref: string,
  onChange: (value: V, previous: V | undefined) => void | Promise<void>,
  options: WatchOptions = {},
): Watcher {
  const { intervalMs = target.ttlMs, onError, ...resolveOptions } = options;
  if (typeof intervalMs !== 'number' || Number.isNaN(intervalMs) || intervalMs < 1000) {
    throw new InvalidOptionError(`intervalMs must be at least 1000 ms, got ${String(intervalMs)}`);
  }
  if (typeof onChange !== 'function') throw new InvalidOptionError('watch needs an onChange callback');
  if (onError !== undefined && typeof onError !== 'function')
    throw new InvalidOptionError('onError must be a function');
  let stopped = false;
  let timer: ClockTimer | undefined;
  let current: V | undefined;

  const report = (error: unknown): void => {
    if (stopped || !onError || !(error instanceof SecretrefError)) return;
    try {
      onError(error);
    } catch {
      // An onError that throws must not stop the watch.
    }
  };

  const check = async (): Promise<void> => {
    let value: V;
    try {
      value = (await resolve(ref, { ...resolveOptions, ttlMs: intervalMs }, report)) as V;
    } catch (error) {
      report(error);
      return;
    }
    if (stopped || same(value, current)) return;
    try {
      await onChange(value, current);
    } catch (error) {
      // The new value is not taken as current: the next check calls back again.
      report(
        new WatchCallbackError(`the onChange callback of the watch on "${target.shown}" failed`, { cause: error }),
      );
      return;
    }
    current = value;
  };

  const schedule = (): void => {
    if (stopped || !Number.isFinite(intervalMs)) return;
    timer = clock.setTimer(
      () => {
        void check().finally(schedule);
      },
      intervalMs,
      { unref: true },
    );
  };

  const ready = resolve(ref, resolveOptions, report).then(
    (value) => {
      current = value as V;
    },
    (error: unknown) => {
      report(error);
      throw error;
    },
  );
  ready.catch(() => {}).finally(schedule);
  return {
    ready,
    stop() {
      stopped = true;
      timer?.clear();
    },
  };
}

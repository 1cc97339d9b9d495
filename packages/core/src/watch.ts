/**
 * `watch`: re-resolves a reference in the background, on an unref'd timer (it never keeps a process
 * alive), and calls back when the value changed, e.g. to rebuild a database pool after a rotation.
 * Checks go through the resolver, so they share its cache, single-flight, backoff and last good value.
 */
import { InvalidOptionError, SecretrefError } from './errors.ts';
import type { ResolveOptions } from './resolver.ts';

/** Options of `watch`. */
export interface WatchOptions extends Omit<ResolveOptions, 'forceFetch' | 'signal' | 'ttlMs'> {
  /**
   * How often to check, in ms: a check fetches again when the cached value is this old. At least
   * 1000. @default the reference's TTL (a `kms:` ciphertext never changes: no checks)
   */
  readonly intervalMs?: number | undefined;
  /** Called when a check fails and no last good value could be served; watching goes on. */
  readonly onError?: ((error: SecretrefError) => void) | undefined;
}

/** A running watch. */
export interface Watcher {
  /** Settles when the first value was read (the baseline later values are compared with). */
  readonly ready: Promise<void>;
  /** Stops the checks; no callback runs after it returns. */
  stop(): void;
}

type Resolve = (ref: string, options: ResolveOptions) => Promise<unknown>;

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
  ttlOf: (ref: string) => number,
  ref: string,
  onChange: (value: V, previous: V | undefined) => void | Promise<void>,
  options: WatchOptions = {},
): Watcher {
  const { intervalMs = ttlOf(ref), onError, ...resolveOptions } = options;
  if (typeof intervalMs !== 'number' || Number.isNaN(intervalMs) || intervalMs < 1000) {
    throw new InvalidOptionError(`intervalMs must be at least 1000 ms, got ${String(intervalMs)}`);
  }
  if (typeof onChange !== 'function') throw new InvalidOptionError('watch needs an onChange callback');
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: V | undefined;

  const report = (error: unknown): void => {
    if (stopped) return;
    if (error instanceof SecretrefError && onError) onError(error);
  };

  const check = async (): Promise<void> => {
    try {
      const value = (await resolve(ref, { ...resolveOptions, ttlMs: intervalMs })) as V;
      if (stopped || same(value, current)) return;
      const previous = current;
      current = value;
      await onChange(value, previous);
    } catch (error) {
      report(error);
    }
  };

  const schedule = (): void => {
    if (stopped || !Number.isFinite(intervalMs)) return;
    timer = setTimeout(() => {
      void check().finally(schedule);
    }, intervalMs);
    timer.unref?.();
  };

  const ready = resolve(ref, resolveOptions).then(
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
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

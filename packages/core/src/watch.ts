/**
 * `watch`: re-resolves a reference in the background, on an unref'd timer of the resolver's clock
 * (it never keeps a process alive), and calls back when the value changed, e.g. to rebuild a
 * database pool after a rotation. Checks go through the resolver, so they share its cache,
 * single-flight, backoff and last good value. Nothing is silent: a failed check, a check answered
 * with the last good value during an outage, and a callback that threw all reach `onError`.
 */
import type { Clock, ClockTimer } from './clock.ts';
import { describeThrown, InvalidOptionError, SecretrefError, WatchCallbackError } from './errors.ts';
import { channels } from './events.ts';
import { checkCallOptions, checkOptions } from './options.ts';
import { quotesAny, textsOf } from './redact.ts';
import type { ResolveOptions, Watcher, WatchOptions } from './types.ts';

/** Resolves, and reports a transient failure that was answered with the last good value. */
type Resolve = (ref: string, options: ResolveOptions, onStale?: (error: SecretrefError) => void) => Promise<unknown>;

/** The options of `watch`: those of a resolve that make sense for it, and its own. */
const WATCH_OPTIONS: ReadonlySet<string> = new Set(['as', 'optional', 'timeoutMs', 'intervalMs', 'onError']);

/** Does `message` quote the value, even in part (see `quotesAny`)? */
function quotes(message: string, value: unknown): boolean {
  const texts: string[] = [];
  textsOf(
    value,
    undefined,
    () => undefined,
    (text) => void texts.push(text),
  );
  return quotesAny(message, texts);
}

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
  /** The reference's TTL, and how messages and events show it. */
  target: { readonly ttlMs: number; readonly shown: string; readonly scheme: string },
  ref: string,
  onChange: (value: V, previous: V | undefined) => void | Promise<void>,
  options: WatchOptions = {},
  /** The resolver's watchers: this one is in it until it stops (`dispose` stops them all). */
  watchers: Set<Watcher> = new Set(),
): Watcher {
  const checked = checkOptions(options, WATCH_OPTIONS, 'watch');
  const { intervalMs = target.ttlMs, onError, ...given } = checked as WatchOptions;
  const resolveOptions = checkCallOptions(given, WATCH_OPTIONS, 'watch');
  if (typeof intervalMs !== 'number' || Number.isNaN(intervalMs) || intervalMs < 1000) {
    throw new InvalidOptionError(
      checked.intervalMs === undefined
        ? `intervalMs must be at least 1000 ms, got the reference's TTL, ${String(intervalMs)} ms; pass intervalMs to watch`
        : `intervalMs must be at least 1000 ms, got ${String(intervalMs)}`,
    );
  }
  if (typeof onChange !== 'function') throw new InvalidOptionError('watch needs an onChange callback');
  if (onError !== undefined && typeof onError !== 'function')
    throw new InvalidOptionError('onError must be a function');
  const where = { ref: target.shown, scheme: target.scheme };
  let stopped = false;
  let timer: ClockTimer | undefined;
  let current: V | undefined;
  // The onChange call in progress: a new value waits for it (and a stuck one is reported once).
  let running: Promise<void> | undefined;
  let stuckReported = false;

  // Without onError, the first failure since the last good check is a process warning: never silent.
  let warned = false;
  const report = (error: unknown): void => {
    if (stopped || !(error instanceof SecretrefError)) return;
    if (!onError) {
      if (!warned) {
        warned = true;
        process.emitWarning(`${error.message} (watch; pass onError to handle it)`, { code: 'SECRETREF_WATCH' });
      }
      return;
    }
    try {
      onError(error);
    } catch {
      // An onError that throws must not stop the watch.
    }
  };

  /** A callback failure: to onError, and as an `error` event, so that it is never silent. */
  const callbackFailed = (error: WatchCallbackError): void => {
    if (stopped) return;
    if (channels.error.hasSubscribers) channels.error.publish({ ...where, error });
    report(error);
  };

  const check = async (): Promise<void> => {
    let value: V;
    let stale = false;
    try {
      const onStale = (error: SecretrefError): void => {
        stale = true;
        report(error);
      };
      value = (await resolve(ref, { ...resolveOptions, ttlMs: intervalMs }, onStale)) as V;
    } catch (error) {
      report(error);
      return;
    }
    if (stopped) return;
    if (same(value, current)) {
      // A healthy check: the next failure warns again.
      if (!stale && !running) warned = false;
      return;
    }
    if (running) {
      if (!stuckReported) {
        stuckReported = true;
        callbackFailed(
          new WatchCallbackError(
            `the onChange callback of the watch on "${target.shown}" has not settled; a new value waits for it`,
            where,
          ),
        );
      }
      return;
    }
    const previous = current;
    running = (async () => onChange(value, previous))()
      .then(
        () => {
          current = value;
          warned = false;
        },
        (error: unknown) => {
          // The new value is not taken as current: the next check calls back with it again. The cause
          // keeps the callback's message only when it quotes nothing of the value (JSON.parse does).
          callbackFailed(
            new WatchCallbackError(
              `the onChange callback of the watch on "${target.shown}" failed (see the cause); it is called again with the new value on the next check`,
              { ...where, cause: describeThrown(error, (message) => !quotes(message, value)) },
            ),
          );
        },
      )
      .finally(() => {
        running = undefined;
        stuckReported = false;
      });
  };

  // Checks go on at their interval whatever onChange does: a callback that never settles cannot stop them.
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
  const watcher: Watcher = {
    ready,
    stop() {
      stopped = true;
      timer?.clear();
      watchers.delete(watcher);
    },
  };
  watchers.add(watcher);
  return watcher;
}

/**
 * Groups the fetches requested in one tick by provider and region, splits each group by the
 * provider's batch size, and runs the batches in parallel up to a concurrency bound. The core
 * settles every batch at the latest deadline of its callers whatever the provider does (it may
 * ignore its abort signal), never starts a batch whose callers' deadlines have all passed (it
 * waited behind `maxConcurrency`), and settles everything with a `DisposedError` on `dispose`.
 */

import { callBatch, type Item, type Running, timedOut } from './batch-call.ts';
import type { Clock, ClockTimer } from './clock.ts';
import { DisposedError, ThrottledError } from './errors.ts';
import { channels } from './events.ts';
import { createGovernor, type Governor, type GovernorState } from './governor.ts';
import type { FetchRequest, FetchResult, Provider } from './provider.ts';

// Captured at load time: a test's fake timers must not hold batches back. setImmediate runs after
// the current tick's microtasks, so references requested together (Promise.all, resolveAll) land
// in one batch.
const nextTick: (callback: () => void) => unknown = setImmediate;

interface Group {
  readonly provider: Provider;
  readonly region: string | undefined;
  pending: Item[];
  queue: Item[][];
  active: number;
  /** The gate of its calls, and the timer that runs the queue when the gate opens. */
  readonly governor: Governor;
  wake: ClockTimer | undefined;
}

/** Options of `createBatcher`. */
export interface BatcherOptions {
  /** Batches of one provider and region in flight at once. */
  readonly maxConcurrency: number;
  readonly clock: Clock;
  /** Random numbers in [0, 1): the governors' jitter. */
  readonly random: () => number;
  /** Called once per provider call, for stats. */
  readonly onCall: (size: number) => void;
}

/** A request queued in a batch. */
export interface Pending {
  /** Settles with the result; never rejects. */
  readonly result: Promise<FetchResult>;
  /** Its deadline, on the clock's monotonic time: the latest of its callers'. */
  readonly at: number;
  /** Moves the deadline later (a caller with a later deadline joined), never earlier. */
  extend(at: number, timeoutMs: number): void;
}

/** Queues fetches and runs them in batches. */
export interface Batcher {
  /** Queues one request, to be answered by `at` (on the clock's monotonic time). */
  fetch(provider: Provider, region: string | undefined, request: FetchRequest, at: number, timeoutMs: number): Pending;
  /** How long a call of `provider` in `region` must wait for its governor from `now`, in ms (0: none). */
  held(provider: Provider, region: string | undefined, now: number): number;
  /** The governors that have seen a call, for `stats()`. */
  governors(): GovernorStats[];
  /** Aborts the batches in flight and settles every request with a `DisposedError`. */
  dispose(): void;
}

/** A governor in `stats()`: its service (the provider's first scheme) and region, and its state. */
export interface GovernorStats extends GovernorState {
  readonly scheme: string;
  readonly region: string | undefined;
}

function settle(item: Item, result: FetchResult): void {
  if (item.settled) return;
  item.settled = true;
  item.resolve(result);
}

/** Splits `items` into the provider's batches: as few as its batch size allows. */
function chunk(group: Group, items: readonly Item[]): Item[][] {
  const size = Math.max(1, group.provider.batchSize ?? 1);
  const chunks: Item[][] = [];
  let current: Item[] = [];
  for (const item of items) {
    if (item.request.locator.batch === false) {
      chunks.push([item]);
      continue;
    }
    current.push(item);
    if (current.length === size) {
      chunks.push(current);
      current = [];
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** What a call's results tell its governor: throttled if any was, failed if any failed for a while (a 5xx, a timeout). */
function outcomeOf(results: readonly FetchResult[]): 'throttled' | 'ok' | 'failed' {
  if (results.some((r) => 'error' in r && r.error instanceof ThrottledError)) return 'throttled';
  return results.some((r) => 'error' in r && r.error.transient) ? 'failed' : 'ok';
}

/** Creates a batcher. One per resolver. */
export function createBatcher(options: BatcherOptions): Batcher {
  const { clock } = options;
  const groups = new Map<Provider, Map<string | undefined, Group>>();
  const running = new Set<Running>();
  let scheduled = false;
  let disposed = false;

  /** Runs the queue again when the governor lets a call go, or when the first queued deadline passes. */
  function hold(group: Group, waitMs: number, now: number): void {
    group.wake?.clear();
    let first = Number.POSITIVE_INFINITY;
    for (const queued of group.queue) for (const item of queued) first = Math.min(first, item.at);
    group.wake = clock.setTimer(
      () => {
        group.wake = undefined;
        run(group);
      },
      Math.min(waitMs, first - now),
      { unref: true },
    );
  }

  function run(group: Group): void {
    while (group.active < options.maxConcurrency && !disposed && group.queue.length > 0) {
      // Callers whose deadlines passed while their batch waited are gone: answer them, fetch the rest.
      const now = clock.now();
      group.queue = group.queue
        .map((queued) =>
          queued.filter((item) => {
            if (item.at > now) return true;
            settle(item, timedOut(item));
            return false;
          }),
        )
        .filter((queued) => queued.length > 0);
      if (group.queue.length === 0) return;
      const waitMs = group.governor.delay(now);
      if (waitMs > 0) {
        hold(group, waitMs, now);
        return;
      }
      // Held back, the queue may hold batches that are not full: never more calls than its requests need.
      if (group.governor.state(now).limiting) group.queue = chunk(group, group.queue.flat());
      const items = group.queue.shift() as Item[];
      group.active++;
      options.onCall(items.length);
      const sent = group.governor.sent(now);
      const started = now;
      const batch: Running = {
        items,
        controller: new AbortController(),
        region: group.region,
        via: [],
        clear: () => {},
      };
      void callBatch(group.provider, group.region, items, batch, clock, running).then((results) => {
        group.active--;
        let failed = 0;
        items.forEach((item, i) => {
          const result = results[i] as FetchResult;
          if ('error' in result) failed++;
          settle(item, result);
        });
        const change = group.governor.ended(sent, clock.now(), outcomeOf(results));
        if (change !== undefined && channels.throttle.hasSubscribers) {
          const { ratePerS } = group.governor.state(clock.now());
          channels.throttle.publish({
            scheme: group.provider.schemes[0],
            region: batch.region,
            state: change,
            ratePerS,
          });
        }
        if (channels.fetch.hasSubscribers) {
          // Built for a subscriber only: a fetch without one allocates nothing for the event.
          const versions: Record<string, string> = {};
          items.forEach((item, i) => {
            const result = results[i] as FetchResult;
            if ('value' in result && typeof result.version === 'string') versions[item.request.ref] = result.version;
          });
          channels.fetch.publish({
            scheme: group.provider.schemes[0],
            region: batch.region,
            refs: items.map((item) => item.request.ref),
            durationMs: clock.now() - started,
            failed,
            via: batch.via,
            versions,
          });
        }
        run(group);
      });
    }
  }

  function flush(): void {
    scheduled = false;
    for (const byRegion of groups.values()) {
      for (const group of byRegion.values()) {
        if (group.pending.length === 0) continue;
        group.queue.push(...chunk(group, group.pending));
        group.pending = [];
        run(group);
      }
    }
  }

  return {
    fetch(provider, region, request, at, timeoutMs) {
      let resolve: (result: FetchResult) => void = () => {};
      const result = new Promise<FetchResult>((r) => {
        resolve = r;
      });
      const item: Item = { request, at, timeoutMs, batch: undefined, settled: false, resolve };
      if (disposed) {
        settle(item, { error: new DisposedError(undefined, { ref: request.ref, scheme: request.scheme }) });
      } else {
        let byRegion = groups.get(provider);
        if (!byRegion) {
          byRegion = new Map();
          groups.set(provider, byRegion);
        }
        let group = byRegion.get(region);
        if (!group) {
          group = {
            provider,
            region,
            pending: [],
            queue: [],
            active: 0,
            governor: createGovernor(options.random),
            wake: undefined,
          };
          byRegion.set(region, group);
        }
        group.pending.push(item);
        if (!scheduled) {
          scheduled = true;
          nextTick(flush);
        }
      }
      return {
        result,
        get at() {
          return item.at;
        },
        extend(later, ms) {
          if (later <= item.at) return;
          item.at = later;
          item.timeoutMs = ms;
          item.batch?.extend(later);
        },
      };
    },
    held: (provider, region, now) => groups.get(provider)?.get(region)?.governor.delay(now) ?? 0,
    governors() {
      const all: GovernorStats[] = [];
      for (const [provider, byRegion] of groups) {
        for (const group of byRegion.values()) {
          all.push({
            scheme: provider.schemes[0] as string,
            region: group.region,
            ...group.governor.state(clock.now()),
          });
        }
      }
      return all;
    },
    dispose() {
      disposed = true;
      const disposedError = (item: Item): FetchResult => ({
        error: new DisposedError('the resolver was disposed while this fetch was in flight', {
          ref: item.request.ref,
          scheme: item.request.scheme,
        }),
      });
      for (const { items, controller, clear } of running) {
        for (const item of items) settle(item, disposedError(item));
        // No timer outlives the resolver: a provider that ignores the abort is simply not waited for.
        clear();
        controller.abort();
      }
      running.clear();
      for (const byRegion of groups.values()) {
        for (const group of byRegion.values()) {
          for (const item of [...group.pending, ...group.queue.flat()]) settle(item, disposedError(item));
          group.pending = [];
          group.queue = [];
          group.wake?.clear();
        }
      }
    },
  };
}

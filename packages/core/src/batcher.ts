/**
 * Groups the fetches requested in one tick by provider and region, splits each group by the
 * provider's batch size, and runs the batches in parallel up to a concurrency bound. The core
 * settles every batch at the latest deadline of its callers whatever the provider does (it may
 * ignore its abort signal), never starts a batch whose callers' deadlines have all passed (it
 * waited behind `maxConcurrency`), and settles everything with a `DisposedError` on `dispose`.
 */

import { setMaxListeners } from 'node:events';
import type { Clock } from './clock.ts';
import { type Deadline, startDeadline, timeoutError, within } from './deadline.ts';
import { DisposedError, ProviderError, SecretrefError, toSecretrefError } from './errors.ts';
import { channels } from './events.ts';
import type { FetchRequest, FetchResult, Provider } from './provider.ts';

// Captured at load time: a test's fake timers must not hold batches back. setImmediate runs after
// the current tick's microtasks, so references requested together (Promise.all, resolveAll) land
// in one batch.
const nextTick: (callback: () => void) => unknown = setImmediate;

interface Item {
  readonly request: FetchRequest;
  /** The latest deadline of its callers, on the clock's monotonic time, and that caller's timeout. */
  at: number;
  timeoutMs: number;
  /** The deadline of the batch it runs in, once started. */
  batch: Deadline | undefined;
  settled: boolean;
  readonly resolve: (result: FetchResult) => void;
}

interface Running {
  readonly items: readonly Item[];
  readonly controller: AbortController;
  /** The batch's region, or the one the default chain chose for it. */
  region: string | undefined;
  /** How the provider sent it (`reportVia`). */
  readonly via: string[];
  clear: () => void;
}

interface Group {
  readonly provider: Provider;
  readonly region: string | undefined;
  pending: Item[];
  readonly queue: Item[][];
  active: number;
}

/** Options of `createBatcher`. */
export interface BatcherOptions {
  /** Batches of one provider and region in flight at once. */
  readonly maxConcurrency: number;
  readonly clock: Clock;
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
  /** Aborts the batches in flight and settles every request with a `DisposedError`. */
  dispose(): void;
}

function settle(item: Item, result: FetchResult): void {
  if (item.settled) return;
  item.settled = true;
  item.resolve(result);
}

const timedOut = ({ request, timeoutMs }: Item): FetchResult => ({
  error: timeoutError(request.ref, request.scheme, timeoutMs),
});

function chunk(group: Group): Item[][] {
  const size = Math.max(1, group.provider.batchSize ?? 1);
  const chunks: Item[][] = [];
  let current: Item[] = [];
  for (const item of group.pending) {
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
  group.pending = [];
  return chunks;
}

/** Creates a batcher. One per resolver. */
export function createBatcher(options: BatcherOptions): Batcher {
  const { clock } = options;
  const groups = new Map<Provider, Map<string | undefined, Group>>();
  const running = new Set<Running>();
  let scheduled = false;
  let disposed = false;

  async function call(group: Group, items: Item[], batch: Running): Promise<readonly FetchResult[]> {
    const { provider, region } = group;
    const { controller } = batch;
    // Every request of a batch may pass the signal to its own SDK call (parallel fallbacks, KMS Decrypt).
    setMaxListeners(0, controller.signal);
    const timeouts = (): FetchResult[] => items.map(timedOut);
    const reportRegion = (chosen: string): void => {
      if (region === undefined) batch.region = chosen;
    };
    const reportVia = (via: string): void => {
      if (typeof via === 'string' && !batch.via.includes(via)) batch.via.push(via);
    };
    let deadline: Deadline | undefined;
    batch.clear = () => deadline?.clear();
    running.add(batch);
    try {
      // `within` settles the batch at its deadline even if the provider never answers.
      const results = await within(
        provider.fetch(
          items.map((item) => item.request),
          { region, signal: controller.signal, reportRegion, reportVia, clock },
        ),
        (pass) => {
          deadline = startDeadline(clock, Math.max(...items.map((item) => item.at)), () => {
            controller.abort();
            pass();
          });
          for (const item of items) item.batch = deadline;
          return deadline;
        },
        timeouts,
      );
      return items.map(({ request }, i): FetchResult => {
        const result = results[i];
        if (result === undefined) {
          return {
            error: new ProviderError(`the provider returned no result for "${request.ref}"`, {
              ref: request.ref,
              scheme: request.scheme,
            }),
          };
        }
        // A provider that answers an error that is no SecretrefError breaks its contract: typed here.
        if ('error' in result && !(result.error instanceof SecretrefError)) {
          return { error: toSecretrefError(result.error, request.ref, request.scheme) };
        }
        return result;
      });
    } catch (error) {
      // An SDK that honoured the abort reports its own error; the deadline is what happened.
      if (controller.signal.aborted) return timeouts();
      return items.map(({ request }) => ({ error: toSecretrefError(error, request.ref, request.scheme) }));
    } finally {
      batch.clear();
      running.delete(batch);
    }
  }

  function run(group: Group): void {
    while (group.active < options.maxConcurrency && !disposed) {
      const queued = group.queue.shift();
      if (!queued) return;
      // Callers whose deadlines passed while the batch waited are gone: answer them, fetch the rest.
      const now = clock.now();
      const items = queued.filter((item) => {
        if (item.at > now) return true;
        settle(item, timedOut(item));
        return false;
      });
      if (items.length === 0) continue;
      group.active++;
      options.onCall(items.length);
      const started = clock.now();
      const batch: Running = {
        items,
        controller: new AbortController(),
        region: group.region,
        via: [],
        clear: () => {},
      };
      void call(group, items, batch).then((results) => {
        group.active--;
        let failed = 0;
        items.forEach((item, i) => {
          const result = results[i] as FetchResult;
          if ('error' in result) failed++;
          settle(item, result);
        });
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
        group.queue.push(...chunk(group));
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
          group = { provider, region, pending: [], queue: [], active: 0 };
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
          group.queue.length = 0;
        }
      }
    },
  };
}

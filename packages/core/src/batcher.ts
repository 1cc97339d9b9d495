/**
 * Groups the fetches requested in one tick by provider and region, splits each group by the
 * provider's batch size, and runs the batches in parallel up to a concurrency bound. A batch is
 * aborted when the deadline of its last waiting caller passes (callers that join a fetch extend
 * it), and the core settles it then even if the provider ignores its abort signal.
 */

import { setMaxListeners } from 'node:events';
import { ProviderError, TimeoutError, toSecretrefError } from './errors.ts';
import { channels } from './events.ts';
import type { FetchRequest, FetchResult, Provider } from './provider.ts';

// Captured at load time: a test's fake timers must not hold batches back. setImmediate runs after
// the current tick's microtasks, so references requested together (Promise.all, resolveAll) land
// in one batch.
const nextTick: (callback: () => void) => unknown = setImmediate;

interface Item {
  readonly request: FetchRequest;
  /** Absolute, on the `performance.now()` clock. */
  deadline: number;
  readonly settle: (result: FetchResult) => void;
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
  /** Called once per provider call, for stats. */
  readonly onCall: (size: number) => void;
}

/** Queues fetches and runs them in batches. */
export interface Batcher {
  /**
   * Queues one request, to be answered by `deadline` (on the `performance.now()` clock). `result`
   * settles with the result and never rejects; `extend` moves the deadline later (a caller with a
   * later deadline joined), never earlier.
   */
  fetch(
    provider: Provider,
    region: string | undefined,
    request: FetchRequest,
    deadline: number,
  ): { readonly result: Promise<FetchResult>; extend(deadline: number): void };
}

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

/** Aborts `controller` once the latest deadline of `items` has passed, following extensions. */
function abortAtDeadline(items: readonly Item[], controller: AbortController): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = (): void => {
    const due = Math.max(...items.map((item) => item.deadline)) - performance.now();
    if (due <= 0) controller.abort();
    // Deadlines are finite (the resolver checks); clamp anyway, setTimeout wraps above 2^31 - 1 ms.
    else timer = setTimeout(check, Math.min(due, 2_147_483_647));
  };
  check();
  return () => clearTimeout(timer);
}

async function call(group: Group, items: Item[]): Promise<readonly FetchResult[]> {
  const { provider, region } = group;
  const controller = new AbortController();
  // Every request of a batch may pass the signal to its own SDK call (parallel fallbacks, KMS Decrypt).
  setMaxListeners(0, controller.signal);
  const timeouts = (): FetchResult[] =>
    items.map(({ request }) => ({
      error: new TimeoutError(`no answer for "${request.ref}" before the deadline`, {
        ref: request.ref,
        scheme: request.scheme,
      }),
    }));
  const stop = abortAtDeadline(items, controller);
  const aborted = new Promise<FetchResult[]>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve(timeouts()), { once: true });
  });
  try {
    // The race settles the batch at its deadline even if the provider ignores the signal.
    const results = await Promise.race([
      provider.fetch(
        items.map((item) => item.request),
        { region, signal: controller.signal },
      ),
      aborted,
    ]);
    return items.map(
      ({ request }, i) =>
        results[i] ?? {
          error: new ProviderError(`the provider returned no result for "${request.ref}"`, {
            ref: request.ref,
            scheme: request.scheme,
          }),
        },
    );
  } catch (error) {
    // An SDK that honoured the abort reports its own error; the deadline is what happened.
    if (controller.signal.aborted) return timeouts();
    return items.map(({ request }) => ({ error: toSecretrefError(error, request.ref, request.scheme) }));
  } finally {
    stop();
  }
}

/** Creates a batcher. One per resolver. */
export function createBatcher(options: BatcherOptions): Batcher {
  const groups = new Map<Provider, Map<string | undefined, Group>>();
  let scheduled = false;

  function run(group: Group): void {
    while (group.active < options.maxConcurrency) {
      const items = group.queue.shift();
      if (!items) return;
      group.active++;
      options.onCall(items.length);
      const started = performance.now();
      void call(group, items).then((results) => {
        group.active--;
        let failed = 0;
        items.forEach((item, i) => {
          const result = results[i] as FetchResult;
          if ('error' in result) failed++;
          item.settle(result);
        });
        if (channels.fetch.hasSubscribers) {
          channels.fetch.publish({
            scheme: group.provider.schemes[0],
            region: group.region,
            refs: items.map((item) => item.request.ref),
            durationMs: performance.now() - started,
            failed,
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
    fetch(provider, region, request, deadline) {
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
      let settle: (result: FetchResult) => void = () => {};
      const result = new Promise<FetchResult>((resolve) => {
        settle = resolve;
      });
      const item: Item = { request, deadline, settle };
      group.pending.push(item);
      if (!scheduled) {
        scheduled = true;
        nextTick(flush);
      }
      return {
        result,
        extend(later) {
          if (later > item.deadline) item.deadline = later;
        },
      };
    },
  };
}

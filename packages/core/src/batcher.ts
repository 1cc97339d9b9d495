/**
 * Groups the fetches requested in one tick by provider and region, splits each group by the
 * provider's batch size, and runs the batches in parallel up to a concurrency bound. Every batch has
 * a deadline that the core enforces even if a provider ignores its abort signal.
 */
import { ProviderError, TimeoutError, toSecretrefError } from './errors.ts';
import { channels } from './events.ts';
import type { FetchRequest, FetchResult, Provider } from './provider.ts';

// Captured at load time: a test's fake timers must not hold batches back. setImmediate runs after
// the current tick's microtasks, so references requested together (Promise.all, resolveAll, a
// module's top-level awaits) land in one batch.
const nextTick: (callback: () => void) => unknown = setImmediate;

interface Item {
  readonly request: FetchRequest;
  readonly timeoutMs: number;
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
  /** Queues one request; resolves with its result (never rejects). */
  fetch(provider: Provider, region: string | undefined, request: FetchRequest, timeoutMs: number): Promise<FetchResult>;
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

/** Runs a provider call, settling to `timedOut` if the deadline passes first. */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal, timedOut: () => T): Promise<T> {
  if (signal.aborted) return Promise.resolve(timedOut());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => resolve(timedOut());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function call(group: Group, items: Item[]): Promise<readonly FetchResult[]> {
  const { provider, region } = group;
  const scheme = provider.schemes[0] ?? '';
  const timeoutMs = Math.max(...items.map((item) => item.timeoutMs));
  const controller = new AbortController();
  const timer = Number.isFinite(timeoutMs) ? setTimeout(() => controller.abort(), timeoutMs) : undefined;
  const timeouts = (): FetchResult[] =>
    items.map(({ request }) => ({
      error: new TimeoutError(`no answer for "${request.ref}" within ${timeoutMs} ms`, {
        ref: request.ref,
        scheme: request.scheme,
      }),
    }));
  try {
    const results = await withDeadline(
      provider.fetch(
        items.map((item) => item.request),
        { region, signal: controller.signal },
      ),
      controller.signal,
      timeouts,
    );
    // An SDK that honoured the abort reports its own error; the deadline is what happened.
    if (controller.signal.aborted) return timeouts();
    return items.map(
      ({ request }, i) =>
        results[i] ?? {
          error: new ProviderError(`the provider returned no result for "${request.ref}"`, {
            ref: request.ref,
            scheme,
          }),
        },
    );
  } catch (error) {
    if (controller.signal.aborted) return timeouts();
    return items.map(({ request }) => ({ error: toSecretrefError(error, request.ref, request.scheme) }));
  } finally {
    clearTimeout(timer);
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
    fetch(provider, region, request, timeoutMs) {
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
      const target = group;
      return new Promise<FetchResult>((settle) => {
        target.pending.push({ request, timeoutMs, settle });
        if (!scheduled) {
          scheduled = true;
          nextTick(flush);
        }
      });
    },
  };
}

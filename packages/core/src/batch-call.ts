/**
 * One provider call of a batch: its requests, the batch's deadline (the latest of its callers'),
 * whatever the provider does (it may ignore its abort signal), and its results typed, one per request.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from './clock.ts';
import { type Deadline, startDeadline, timeoutError, within } from './deadline.ts';
import { ProviderError, SecretrefError, toSecretrefError } from './errors.ts';
import type { FetchRequest, FetchResult, Provider } from './provider.ts';

/** A request queued in a batch. */
export interface Item {
  readonly request: FetchRequest;
  /** The latest deadline of its callers, on the clock's monotonic time, and that caller's timeout. */
  at: number;
  timeoutMs: number;
  /** The deadline of the batch it runs in, once started. */
  batch: Deadline | undefined;
  settled: boolean;
  readonly resolve: (result: FetchResult) => void;
}

/** A batch in flight. */
export interface Running {
  readonly items: readonly Item[];
  readonly controller: AbortController;
  /** The batch's region, or the one the default chain chose for it. */
  region: string | undefined;
  /** How the provider sent it (`reportVia`). */
  readonly via: string[];
  clear: () => void;
}

/** The answer of a request whose callers' deadline passed. */
export const timedOut = ({ request, timeoutMs }: Item): FetchResult => ({
  error: timeoutError(request.ref, request.scheme, timeoutMs),
});

/** Calls `provider` with `items`, settled at the batch's deadline; the batch is in `running` meanwhile. */
export async function callBatch(
  provider: Provider,
  region: string | undefined,
  items: readonly Item[],
  batch: Running,
  clock: Clock,
  running: Set<Running>,
): Promise<readonly FetchResult[]> {
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

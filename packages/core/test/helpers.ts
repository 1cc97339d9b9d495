import { inspect } from 'node:util';
import { createResolver, ProviderError, type Resolver, type ResolverOptions, ThrottledError } from '@secretref/core';
import { type ManualClock, type MemoryProvider, manualClock, memoryProvider } from '@secretref/core/testing';

/** A resolver over one in-memory provider, its clock and its call count. */
export interface Setup {
  readonly resolver: Resolver;
  readonly provider: MemoryProvider;
  readonly clock: ManualClock;
  /** Moves the clock forward (running the timers that fall due). */
  advance(ms: number): void;
  /** Provider calls so far. */
  readonly calls: number;
}

/** A resolver over one in-memory provider (scheme `mem`), with a clock the test moves by hand. */
export function setup(options: ResolverOptions & { values?: Record<string, string>; batchSize?: number } = {}): Setup {
  const clock = manualClock();
  const { values, batchSize, ...resolverOptions } = options;
  const provider: MemoryProvider = memoryProvider({
    schemes: ['mem'],
    values: values ?? {},
    batchSize: batchSize ?? 10,
  });
  const resolver = createResolver({
    jitter: 0,
    // A failure is the answer: the retries of cold keys have tests of their own.
    retries: 0,
    ...resolverOptions,
    providers: [provider],
    clock,
  });
  return {
    resolver,
    provider,
    clock,
    advance(ms: number) {
      clock.advance(ms);
    },
    get calls() {
      return provider.calls.length;
    },
  };
}

/**
 * Makes every fetch of `body` fail as a service that is down does (a transient `ProviderError`, a 503):
 * the key backs off and its retries pause, as for every transient failure but throttling.
 */
export function unavailable(provider: MemoryProvider, body = '*'): void {
  provider.fail(
    body,
    (r) => new ProviderError('Service unavailable', { ref: r.ref, scheme: r.scheme, transient: true }),
  );
}

/** Makes every fetch of `body` throttled: the service's governor holds calls back (governor.test.ts). */
export function throttle(provider: MemoryProvider, body = '*'): void {
  provider.fail(body, (r) => new ThrottledError('Rate exceeded', { ref: r.ref, scheme: r.scheme }));
}

/** Everything observable about a value: message, stack, cause chain, inspect, JSON. */
export function observable(value: unknown): string {
  const parts: string[] = [];
  let current: unknown = value;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    parts.push(inspect(current, { showHidden: true, depth: 10, getters: true }));
    try {
      parts.push(JSON.stringify(current) ?? '');
    } catch {
      // Circular structures are fine: inspect covered them.
    }
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '', String(current));
      current = current.cause;
    } else {
      current = undefined;
    }
  }
  return parts.join('\n');
}

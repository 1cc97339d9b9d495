/**
 * The fleet model: N real resolvers (createResolver from @secretref/core, with its real batcher,
 * cache, retries and throttle governor) on one simulated clock, each one process of the fleet that
 * `pnpm bench:fleet` runs for real (fleet-run/worker.mjs): it resolves its 25 parameters at start,
 * trying again a second after a failure, then reads them all every `accessMs`. Their provider is a
 * simulated SSM: 10 names a call, a fixed latency, and one token bucket for the account's quota
 * (the one the proxy of the measured runs enforces, @secretref/local-aws's tokenBucket). Nothing of
 * the resolver is re-implemented here; only the service and the processes' loop are simulated.
 * Deterministic: seeded start offsets and random sources.
 */

import type { FetchRequest, FetchResult, Provider } from '@secretref/core';
import * as current from '@secretref/core';
import { type TokenBucket, tokenBucket } from '@secretref/local-aws';
import type { FleetSummary } from '../fleet-run/results.ts';
import { mulberry32 as seeded } from '../fleet-run/run.ts';
import { type SimClock, simClock } from './sim-clock.ts';

/** The resolver the fleet runs: this one, or an earlier release's (to show what a change did). */
export type Core = Pick<typeof current, 'createResolver' | 'ThrottledError'>;

/** One fleet: who, against what quota, for how long. */
export interface FleetConfig {
  readonly processes: number;
  /** Parameters each process needs. @default 25 */
  readonly parameters?: number;
  /** The account's quota, requests/s, and its burst. @default 40, burst = quota */
  readonly quota?: number;
  readonly burst?: number;
  /** Seconds over which the processes start (a deploy). @default 30 */
  readonly startWindowS?: number;
  /** Each process's start, ms from the first (the measured runs' offsets); else seeded, in the window. */
  readonly offsetsMs?: readonly number[];
  /** Seconds simulated from the first start. @default 1200 */
  readonly durationS?: number;
  /** The resolvers' TTL, s. @default 300 */
  readonly ttlS?: number;
  /** How often a process reads all its values. @default 1000 */
  readonly accessMs?: number;
  /** The service's latency, ms. @default 20 */
  readonly latencyMs?: number;
  readonly seed?: number;
  /** Timers due within this many ms run as one instant (sim-clock.ts). @default 0 */
  readonly quantumMs?: number;
}

/** What a fleet did, as a measured run says it too (FleetSummary). Times are seconds from the first start. */
export interface FleetOutcome extends FleetSummary {
  readonly processes: number;
  /** Each process's calls and the calls of it throttled, over the run. */
  readonly callsOf: readonly { readonly calls: number; readonly throttled: number }[];
  /** Every process's time to its values (`null`: not within the run). */
  readonly readyS: readonly (number | null)[];
  readonly perSecond: { readonly offered: readonly number[]; readonly throttled: readonly number[] };
  /** The steady state: from the first refresh round after everyone was ready to the end. */
  readonly steadyFromS: number | null;
  /** Seconds between two refreshes of a process's first value in the steady state: median and most. */
  readonly refreshS: { readonly median: number; readonly max: number } | null;
}

interface Service {
  readonly clock: SimClock;
  readonly bucket: TokenBucket;
  readonly latencyMs: number;
  readonly offered: number[];
  readonly throttled: number[];
}

/** A simulated SSM for one process: GetParameters of up to 10 names, answered after the latency. */
function simulatedSsm(core: Core, service: Service, onValue: (request: FetchRequest) => void): Provider {
  const { clock } = service;
  return {
    schemes: ['ssm'],
    batchSize: 10,
    parse: ({ body }) => ({ key: body }),
    fetch(requests): Promise<readonly FetchResult[]> {
      const second = Math.floor(clock.now() / 1000);
      service.offered[second] = (service.offered[second] ?? 0) + 1;
      // The quota counts a call when it arrives, as AWS and the proxy do.
      const granted = service.bucket.take(clock.now());
      if (!granted) service.throttled[second] = (service.throttled[second] ?? 0) + 1;
      return new Promise((resolve) => {
        clock.setTimer(() => {
          resolve(
            requests.map((r): FetchResult => {
              if (!granted)
                return { error: new core.ThrottledError('Rate exceeded', { ref: r.ref, scheme: r.scheme }) };
              onValue(r);
              return { value: `value of ${r.locator.key}` };
            }),
          );
        }, service.latencyMs);
      });
    },
  };
}

const sum = (xs: readonly (number | undefined)[], from = 0, to = xs.length): number => {
  let total = 0;
  for (let i = from; i < to; i++) total += xs[i] ?? 0;
  return total;
};

/** Runs one fleet on a simulated clock. */
export async function simulateFleet(config: FleetConfig, core: Core = current): Promise<FleetOutcome> {
  const { processes, parameters = 25, quota = 40, startWindowS = 30, durationS = 1200, ttlS = 300 } = config;
  const { accessMs = 1000, latencyMs = 20, seed = 1 } = config;
  const clock = simClock(config.quantumMs ?? 0);
  const durationMs = durationS * 1000;
  const service: Service = {
    clock,
    bucket: tokenBucket({ ratePerS: quota, burst: config.burst ?? quota }),
    latencyMs,
    offered: new Array(durationS).fill(0),
    throttled: new Array(durationS).fill(0),
  };
  const random = seeded(seed);
  const offsets = config.offsetsMs ?? Array.from({ length: processes }, () => random() * startWindowS * 1000);
  const refs = Object.fromEntries(Array.from({ length: parameters }, (_, i) => [`p${i}`, `ssm:/fleet/p${i}`]));
  const readyMs: (number | null)[] = new Array(processes).fill(null);
  // Success times of each process's first parameter: its refreshes.
  const refreshed: number[][] = Array.from({ length: processes }, () => []);
  const resolvers = offsets.map((offset, p) => {
    const provider = simulatedSsm(core, service, (r) => {
      if (r.locator.key === '/fleet/p0') refreshed[p]?.push(clock.now());
    });
    const resolver = core.createResolver({
      providers: [provider],
      clock,
      random: seeded(seed * 100_003 + p),
      ttlMs: ttlS * 1000,
      // A process of the fleet holds 25 values: bounds to match (the caches preallocate).
      maxEntries: 100,
      maxFailures: 100,
    });
    // The worker's loop: resolve until ready (a second after a failure), then read every accessMs.
    const serve = (next: number): void => {
      if (next >= durationMs) return;
      clock.setTimer(() => {
        void resolver
          .resolveAll(refs)
          .catch(() => {})
          .finally(() => serve(Math.max(next + accessMs, clock.now())));
      }, next - clock.now());
    };
    const attempt = (): void => {
      if (clock.now() >= durationMs) return;
      resolver.resolveAll(refs).then(
        () => {
          readyMs[p] = clock.now();
          serve(clock.now() + accessMs);
        },
        () => clock.setTimer(attempt, 1000),
      );
    };
    clock.setTimer(attempt, offset);
    return resolver;
  });
  await clock.run(durationMs);
  const callsOf = resolvers.map((resolver) => {
    const { calls, governors } = resolver.stats();
    return { calls, throttled: governors?.[0]?.throttled ?? 0 };
  });
  for (const resolver of resolvers) resolver.dispose();

  const readyS = readyMs.map((ms) => (ms === null ? null : ms / 1000));
  const allReady = readyMs.every((ms) => ms !== null) ? Math.max(...(readyMs as number[])) / 1000 : null;
  const readySecond = allReady === null ? durationS : Math.ceil(allReady);
  const steadyFromS = allReady === null ? null : Math.ceil(allReady + ttlS);
  const steady = steadyFromS !== null && steadyFromS < durationS;
  const steadyOffered = steady ? sum(service.offered, steadyFromS) : 0;
  const intervals: number[] = [];
  if (steady) {
    for (const times of refreshed) {
      for (let i = 1; i < times.length; i++) {
        if ((times[i - 1] as number) >= steadyFromS * 1000)
          intervals.push(((times[i] as number) - (times[i - 1] as number)) / 1000);
      }
    }
  }
  intervals.sort((a, b) => a - b);
  return {
    processes,
    callsOf,
    readyS,
    allReadyS: allReady,
    idealCalls: processes * Math.ceil(parameters / 10),
    offeredToReady: sum(service.offered, 0, readySecond),
    throttledToReady: sum(service.throttled, 0, readySecond),
    offered: sum(service.offered),
    throttled: sum(service.throttled),
    perSecond: { offered: service.offered, throttled: service.throttled },
    steadyFromS: steady ? steadyFromS : null,
    steadyRps: steady ? steadyOffered / (durationS - (steadyFromS as number)) : null,
    steadyThrottledShare:
      steady && steadyOffered > 0 ? sum(service.throttled, steadyFromS as number) / steadyOffered : null,
    refreshS:
      intervals.length === 0
        ? null
        : {
            median: intervals[Math.floor(intervals.length / 2)] as number,
            max: intervals[intervals.length - 1] as number,
          },
  };
}

/** What one run of `pnpm bench:fleet` found (run.ts records, this sums up), and its one-line summary. */

/** SSM's batch: names per GetParameters call. */
const BATCH = 10;

/** One configuration of the fleet. */
export interface FleetConfig {
  readonly processes: number;
  /** The quota's refill, calls/s. */
  readonly quota: number;
  /** The quota's burst. @default quota */
  readonly burst?: number;
  /** Processes start at offsets drawn uniformly in [0, startWindowS] s. */
  readonly startWindowS: number;
  /** The resolver's TTL, in s. */
  readonly ttlS: number;
  /** How often a worker reads every value, in ms. */
  readonly accessMs: number;
  /** The run's length from t0, in s: every worker runs until t0 + durationS (its duration less its offset). */
  readonly durationS: number;
  /** The PRNG's seed for the offsets. @default 1 */
  readonly seed?: number;
}

/** What a fleet did, measured or modelled (the fleet model's outcome has these too). */
export interface FleetSummary {
  /** When the last process became ready, in s from t0; null if some never did. */
  readonly allReadyS: number | null;
  /** The fewest SSM calls that make every process ready: N * ceil(parameters / 10). */
  readonly idealCalls: number;
  /** SSM calls offered, and throttled, until allReadyS (the whole run if never). */
  readonly offeredToReady: number;
  readonly throttledToReady: number;
  /** The same over the whole run. */
  readonly offered: number;
  readonly throttled: number;
  /** Offered calls/s in the steady state, and the share of them throttled; null if there is none. */
  readonly steadyRps: number | null;
  readonly steadyThrottledShare: number | null;
}

/** One run's results, as tools/bench/fleet-results.json holds them. */
export interface FleetRunResult extends FleetSummary {
  readonly processes: number;
  /** The quota's refill (calls/s) and burst. */
  readonly quota: number;
  readonly burst: number;
  readonly startWindowS: number;
  readonly ttlS: number;
  readonly accessMs: number;
  readonly durationS: number;
  /** Added by the proxy to every call, in ms. */
  readonly latencyMs: number;
  readonly seed: number;
  /** Each process's start offset from t0 in ms, as drawn: process i starts at offsetsMs[i] (readyS[i] is its). */
  readonly offsetsMs: number[];
  /** When each process printed `ready`, in s from t0; null if it never did. */
  readonly readyS: (number | null)[];
  /** Per second from t0: calls offered and throttled. */
  readonly perSecond: { offered: number[]; throttled: number[] };
  /**
   * Where the steady state is measured from, in whole s from t0: allReadyS + ttlS, rounded up, the
   * first refresh round after every process is ready (each process's values expire one TTL, less
   * its jitter, after it fetched them, so by then every process has refreshed once or is doing so).
   * Without allReadyS (some process never ready), startWindowS + ttlS: the earliest the fleet can be
   * refreshing at all. The window runs to durationS, while every process is alive.
   */
  readonly steadyFromS: number;
  /** The workers' `resolver.stats()` summed; `failedReads` is their failed `resolveAll`s after ready. */
  readonly workerStats: { calls: number; fetched: number; staleServed: number; errors: number; failedReads: number };
  /** Each worker's exit code (all 0 in a good run). */
  readonly exitCodes: number[];
  /** Worker start-up: Node's start and the imports (median, max), and spawn to `ready` (median, max), in ms. */
  readonly startup: { loadedMs: [number, number]; spawnToReadyMs: [number, number] | null };
  /** CPU time the workers used in all, in s (this process's and moto's not included). */
  readonly workerCpuS: number;
}

/** What runFleet recorded. */
export interface FleetRecord {
  readonly config: FleetConfig & { readonly burst: number; readonly latencyMs: number };
  readonly offsetsMs: number[];
  readonly readyMs: (number | null)[];
  /** Every SSM call the proxy was offered, in order: when (ms from t0) and whether it was throttled. */
  readonly calls: readonly { atMs: number; throttled: boolean }[];
  /** The proxy's own count of SSM calls over the run. */
  readonly proxyCalls: number;
  readonly parameters: number;
  readonly exitCodes: number[];
  readonly loadedMs: number[];
  readonly cpuMs: number[];
  readonly spawnToReadyMs: (number | null)[];
  readonly workers: readonly {
    stats: { calls: number; fetched: number; staleServed: number; errors: number };
    errors: number;
  }[];
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
function medianMax(xs: readonly number[]): [number, number] {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return [round(median, 1), round(sorted.at(-1) ?? 0, 1)];
}

export function summarize(record: FleetRecord): FleetRunResult {
  const { config, calls } = record;
  if (record.proxyCalls !== calls.length) {
    throw new Error(`[bench:fleet] the proxy saw ${record.proxyCalls} SSM calls, the quota ${calls.length}`);
  }
  const readyS = record.readyMs.map((ms) => (ms === null ? null : round(ms / 1000)));
  const allReadyMs = record.readyMs.includes(null) ? null : Math.max(...(record.readyMs as number[]));
  const toReady = calls.filter((c) => allReadyMs === null || c.atMs <= allReadyMs);
  const seconds = Math.max(config.durationS, Math.ceil((calls.at(-1)?.atMs ?? 0) / 1000));
  const perSecond = { offered: new Array<number>(seconds).fill(0), throttled: new Array<number>(seconds).fill(0) };
  for (const c of calls) {
    const s = Math.min(seconds - 1, Math.floor(c.atMs / 1000));
    perSecond.offered[s] = (perSecond.offered[s] ?? 0) + 1;
    if (c.throttled) perSecond.throttled[s] = (perSecond.throttled[s] ?? 0) + 1;
  }
  const steadyFromS = Math.ceil((allReadyMs === null ? config.startWindowS : allReadyMs / 1000) + config.ttlS);
  const steadyOffered = sum(perSecond.offered.slice(steadyFromS, config.durationS));
  const steadyThrottled = sum(perSecond.throttled.slice(steadyFromS, config.durationS));
  const steadySeconds = config.durationS - steadyFromS;
  const stats = (key: 'calls' | 'fetched' | 'staleServed' | 'errors') => sum(record.workers.map((w) => w.stats[key]));
  const spawnToReady = record.spawnToReadyMs.filter((ms): ms is number => ms !== null);
  return {
    processes: config.processes,
    quota: config.quota,
    burst: config.burst,
    startWindowS: config.startWindowS,
    ttlS: config.ttlS,
    accessMs: config.accessMs,
    durationS: config.durationS,
    latencyMs: config.latencyMs,
    seed: config.seed ?? 1,
    offsetsMs: record.offsetsMs,
    readyS,
    allReadyS: allReadyMs === null ? null : round(allReadyMs / 1000),
    idealCalls: config.processes * Math.ceil(record.parameters / BATCH),
    offeredToReady: toReady.length,
    throttledToReady: toReady.filter((c) => c.throttled).length,
    offered: calls.length,
    throttled: calls.filter((c) => c.throttled).length,
    perSecond,
    steadyFromS,
    steadyRps: steadySeconds > 0 ? round(steadyOffered / steadySeconds) : null,
    steadyThrottledShare: steadySeconds > 0 && steadyOffered > 0 ? round(steadyThrottled / steadyOffered) : null,
    workerStats: {
      calls: stats('calls'),
      fetched: stats('fetched'),
      staleServed: stats('staleServed'),
      errors: stats('errors'),
      failedReads: sum(record.workers.map((w) => w.errors)),
    },
    exitCodes: record.exitCodes,
    startup: {
      loadedMs: medianMax(record.loadedMs),
      spawnToReadyMs: spawnToReady.length > 0 ? medianMax(spawnToReady) : null,
    },
    workerCpuS: round(sum(record.cpuMs) / 1000, 1),
  };
}

const pct = (share: number | null): string => (share === null ? 'n/a' : `${(share * 100).toFixed(0)}%`);

/** One line per run, as main.ts prints it. */
export function summaryLine(r: FleetRunResult): string {
  const ready =
    r.allReadyS === null
      ? `${r.readyS.filter((s) => s !== null).length}/${r.processes} ready by the end`
      : `all ready at ${r.allReadyS.toFixed(1)} s`;
  const steady =
    r.steadyRps === null
      ? `no steady window (from ${r.steadyFromS} s)`
      : `steady from ${r.steadyFromS} s: ${r.steadyRps.toFixed(2)} calls/s, ${pct(r.steadyThrottledShare)} throttled`;
  return (
    `N=${r.processes} quota=${r.quota}/s burst=${r.burst} ttl=${r.ttlS}s window=${r.startWindowS}s: ${ready} ` +
    `(ideal ${r.idealCalls} calls; ${r.offeredToReady} offered, ${r.throttledToReady} throttled until then); ` +
    `${steady}; ${r.durationS} s: ${r.offered} offered, ${r.throttled} throttled (${pct(r.offered ? r.throttled / r.offered : null)}); ` +
    `stale served ${r.workerStats.staleServed}, failed reads ${r.workerStats.failedReads}`
  );
}

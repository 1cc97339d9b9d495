/**
 * A fleet model: N processes (Lambda instances or containers) that each need 25 SSM parameters,
 * against SSM's default quota of 40 requests/s per account and region, second by second. Compares
 * secretref (TTL 5 min with 10% jitter, 10 names per GetParameters, per-key backoff on throttling
 * with the last good value served) with Powertools' defaults (TTL 5 s, same batching) and a naive
 * per-request fetch (one GetParameter per parameter per request). Deterministic (seeded).
 */

/** The model's constants: the defaults of every option, the batch size and the backoff. */
export const FLEET_MODEL = {
  parameters: 25,
  requestsPerSecond: 1,
  startWindowS: 30,
  durationS: 1200,
  quota: 40,
  ttlS: 300,
  powertoolsTtlS: 5,
  jitter: 0.1,
  batch: 10,
  backoffBaseS: 1,
  backoffMaxS: 60,
  /** The steady state is measured from here to the end. */
  steadyFromS: 600,
} as const;

export interface FleetOptions {
  readonly processes: number;
  /** Parameters each process needs. @default 25 */
  readonly parameters?: number;
  /** Requests each process serves per second (for the naive fetch). @default 1 */
  readonly requestsPerSecond?: number;
  /** Seconds over which the fleet starts (a deploy). @default 30 */
  readonly startWindowS?: number;
  /** Seconds simulated. @default 1200 */
  readonly durationS?: number;
  /** SSM's quota, requests/s. @default 40 */
  readonly quota?: number;
  /** secretref's TTL in seconds. @default 300 */
  readonly ttlS?: number;
}

export interface FleetResult {
  /** The most requests offered to SSM in one second, and the mean over the run, during the deploy and after. */
  readonly peakColdRps: number;
  readonly meanSteadyRps: number;
  readonly peakSteadyRps: number;
  /** Share of requests throttled. */
  readonly throttledShare: number;
  /** Seconds until every process had its values (null if some never did). */
  readonly allReadyS: number | null;
}

export type Strategy = 'secretref' | 'powertools' | 'naive';

/** A small seeded PRNG (mulberry32), so that every run of the model gives the same numbers. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulate(strategy: Strategy, options: FleetOptions): FleetResult {
  const {
    processes,
    parameters = FLEET_MODEL.parameters,
    requestsPerSecond = FLEET_MODEL.requestsPerSecond,
    startWindowS = FLEET_MODEL.startWindowS,
    durationS = FLEET_MODEL.durationS,
    quota = FLEET_MODEL.quota,
  } = options;
  const secretrefTtlS = options.ttlS ?? FLEET_MODEL.ttlS;
  const rand = random(processes * 7 + strategy.length + secretrefTtlS);
  const callsPerRefresh = strategy === 'naive' ? parameters : Math.ceil(parameters / FLEET_MODEL.batch);
  const ttlS = strategy === 'secretref' ? secretrefTtlS : FLEET_MODEL.powertoolsTtlS;
  const jitter = strategy === 'secretref' ? FLEET_MODEL.jitter : 0;
  // Per process: when it next needs SSM, its consecutive failures, whether it has values.
  const due = new Float64Array(processes);
  const failures = new Uint16Array(processes);
  const ready = new Uint8Array(processes);
  for (let p = 0; p < processes; p++) due[p] = rand() * startWindowS;
  const offered = new Float64Array(durationS);
  let throttled = 0;
  let total = 0;
  let readyCount = 0;
  let allReadyS: number | null = null;
  for (let t = 0; t < durationS; t++) {
    let capacity = quota;
    // Processes due this second, in a random order (who reaches SSM first is luck).
    const now: number[] = [];
    for (let p = 0; p < processes; p++) if (due[p] !== undefined && (due[p] as number) < t + 1) now.push(p);
    for (let i = now.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [now[i], now[j]] = [now[j] as number, now[i] as number];
    }
    for (const p of now) {
      const calls = strategy === 'naive' ? callsPerRefresh * requestsPerSecond : callsPerRefresh;
      offered[t] = (offered[t] ?? 0) + calls;
      total += calls;
      const granted = Math.min(capacity, calls);
      capacity -= granted;
      throttled += calls - granted;
      if (granted === calls) {
        if (!ready[p]) {
          ready[p] = 1;
          readyCount++;
          if (readyCount === processes) allReadyS = t + 1;
        }
        failures[p] = 0;
        due[p] = strategy === 'naive' ? t + 1 : t + ttlS * (1 - rand() * jitter);
      } else if (strategy === 'naive') {
        due[p] = t + 1; // the next request fetches again
      } else {
        // Throttled: back off (1 s, doubling, at most 60 s); a last good value is served meanwhile.
        failures[p] = (failures[p] ?? 0) + 1;
        due[p] = t + Math.min(FLEET_MODEL.backoffMaxS, FLEET_MODEL.backoffBaseS * 2 ** ((failures[p] ?? 1) - 1));
      }
    }
  }
  const cold = offered.slice(0, Math.max(startWindowS, 60));
  const steady = offered.slice(FLEET_MODEL.steadyFromS);
  const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    peakColdRps: Math.max(...cold),
    meanSteadyRps: mean(steady),
    peakSteadyRps: Math.max(...steady),
    throttledShare: total === 0 ? 0 : throttled / total,
    allReadyS,
  };
}

/**
 * What `pnpm bench:fleet` models after its measured runs: each measured run again, on the model (the
 * same fleet, quota, offsets, TTL and latency), then the model alone at SSM's real quota, 40 requests/s,
 * from 10 to 1,000 processes, and at 1,000 with each change docs/scaling.md recommends.
 */
import type { CpuSamples } from '../fleet-run/cpu.ts';
import type { FleetRunResult } from '../fleet-run/results.ts';
import { type FleetConfig, type FleetOutcome, simulateFleet } from './model.ts';

/** A model outcome as fleet-results.json keeps it (the per-process detail left out). */
export type ModelSummary = Omit<FleetOutcome, 'readyS' | 'callsOf'>;

const summary = ({ readyS, callsOf, ...rest }: FleetOutcome): ModelSummary => rest;

/** How many random seeds a measured run is modelled with: its deploy's last process is luck. */
const SEEDS = 7;

/** A modelled fleet over several seeds: the median run (by time to ready), and the range of each. */
export interface ModelledRun extends ModelSummary {
  readonly seeds: number;
  readonly allReadyRange: readonly [number | null, number | null];
  readonly offeredRange: readonly [number, number];
}

/**
 * A measured run on the model: same fleet, same start offsets, the resolvers' random draws from
 * `SEEDS` seeds (the real processes drew theirs from Math.random).
 */
export async function modelOf(run: FleetRunResult): Promise<ModelledRun> {
  const outcomes: ModelSummary[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) outcomes.push(await modelOnce(run, seed));
  const late = (o: ModelSummary) => o.allReadyS ?? Number.POSITIVE_INFINITY;
  const byTime = [...outcomes].sort((a, b) => late(a) - late(b));
  const offered = outcomes.map((o) => o.offeredToReady).sort((a, b) => a - b);
  return {
    ...(byTime[Math.floor(SEEDS / 2)] as ModelSummary),
    seeds: SEEDS,
    allReadyRange: [byTime[0]?.allReadyS ?? null, byTime[SEEDS - 1]?.allReadyS ?? null],
    offeredRange: [offered[0] as number, offered[SEEDS - 1] as number],
  };
}

async function modelOnce(run: FleetRunResult, seed: number): Promise<ModelSummary> {
  return summary(
    await simulateFleet({
      processes: run.processes,
      quota: run.quota,
      burst: run.burst,
      startWindowS: run.startWindowS,
      offsetsMs: run.offsetsMs,
      durationS: run.durationS,
      ttlS: run.ttlS,
      accessMs: run.accessMs,
      latencyMs: run.latencyMs,
      seed,
    }),
  );
}

/**
 * The fleet of docs/scaling.md: 25 parameters a process, SSM's default quota, a deploy over 30 s, a
 * 5-minute TTL, 20 minutes. Each process reads its values every 10 s (the measured runs: every second;
 * a read only matters once a value expired, and 10,000 resolvers reading every second cost the model
 * 10x the time for the same answer within a few seconds of staleness).
 */
const SCALE: Required<Omit<FleetConfig, 'processes' | 'offsetsMs' | 'burst' | 'quantumMs'>> = {
  parameters: 25,
  quota: 40,
  startWindowS: 30,
  durationS: 1200,
  ttlS: 300,
  accessMs: 10_000,
  latencyMs: 20,
  seed: 1,
};

// 10,000 resolvers take the model 5 GB and more than 10 minutes: not yet (docs/scaling.md).
const SIZES: readonly number[] = [10, 100, 1000];

/** The changes docs/scaling.md recommends, each modelled at the largest size. */
const VARIANTS: readonly { readonly name: string; readonly change: (n: number) => Partial<FleetConfig> }[] = [
  { name: 'TTL 1 hour', change: () => ({ ttlS: 3600 }) },
  { name: 'the 25 values in 3 JSON parameters (1 call)', change: () => ({ parameters: 3 }) },
  { name: 'an agent per host of 10 processes', change: (n) => ({ processes: Math.ceil(n / 10) }) },
  { name: "SSM's higher throughput (1,000 requests/s)", change: () => ({ quota: 1000 }) },
];

export interface ScaleResults {
  readonly config: typeof SCALE;
  readonly sizes: readonly ModelSummary[];
  readonly variants: readonly (ModelSummary & { readonly name: string })[];
}

/** The model at each size, then the variants at the largest. `log` hears of each run. */
export async function modelScale(log: (line: string) => void = () => {}): Promise<ScaleResults> {
  const sizes: ModelSummary[] = [];
  for (const processes of SIZES) {
    const started = performance.now();
    sizes.push(summary(await simulateFleet({ ...SCALE, processes })));
    log(`  model: ${processes} processes in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const largest = SIZES[SIZES.length - 1] as number;
  const variants: (ModelSummary & { name: string })[] = [];
  for (const { name, change } of VARIANTS) {
    const started = performance.now();
    variants.push({ name, ...summary(await simulateFleet({ ...SCALE, processes: largest, ...change(largest) })) });
    log(`  model: ${name} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  return { config: SCALE, sizes, variants };
}

/** A measured run as fleet-results.json keeps it: with its wall time, the machine's CPU, and its model. */
export interface MeasuredRun extends FleetRunResult {
  readonly wallS: number;
  readonly cpu: CpuSamples;
  readonly model?: ModelledRun;
}

/** tools/bench/fleet-results.json: the measured runs (each with its model), then the model at scale. */
export interface FleetResults {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly parameters: number;
  readonly runs: readonly (MeasuredRun & { readonly model: ModelledRun })[];
  readonly scale: ScaleResults;
}

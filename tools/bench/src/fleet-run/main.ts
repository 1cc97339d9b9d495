/**
 * `pnpm bench:fleet`: fleets of real secretref processes (worker.mjs) against an SSM quota (a token
 * bucket in the fault proxy in front of moto), one run per fleet size (run.ts). Prints a line per run
 * Then the fleet model (../fleet-model: the real resolver on a simulated clock) runs each measured
 * fleet again, and SSM's real quota at 10 to 1,000 processes; it writes tools/bench/fleet-results.json
 * and renders docs/scaling.md from it. Settings, from the environment: FLEET_SIZES (10,25,50),
 * FLEET_QUOTA (calls/s and burst, 4), FLEET_TTL_S (60), FLEET_START_WINDOW_S (10), FLEET_DURATION_S
 * (180), FLEET_ACCESS_MS (1000), FLEET_SEED (1); FLEET_MEASURE=0 models the file's runs again, and
 * FLEET_SCALE=0 keeps the file's model at scale.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startMoto } from '@secretref/local-aws';
import { type FleetResults, type MeasuredRun, modelOf, modelScale } from '../fleet-model/scenarios.ts';
import { renderScaling } from '../render/scaling.ts';
import { sampleCpu } from './cpu.ts';
import { summaryLine } from './results.ts';
import { runFleet, startFleetEnv } from './run.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const RESULTS = fileURLToPath(new URL('../../fleet-results.json', import.meta.url));
// The repository's Biome (a root dev dependency), to format the results as `pnpm lint` checks them.
const BIOME = fileURLToPath(new URL('../../../../node_modules/@biomejs/biome/bin/biome', import.meta.url));
const LATENCY_MS = 20;

function numbers(name: string, fallback: string): number[] {
  const values = (process.env[name] || fallback).split(',').map(Number);
  if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`[bench:fleet] ${name} must be numbers >= 0`);
  return values;
}
const one = (name: string, fallback: number): number => numbers(name, String(fallback))[0] ?? fallback;

const sizes = numbers('FLEET_SIZES', '10,25,50');
const settings = {
  quota: one('FLEET_QUOTA', 4),
  ttlS: one('FLEET_TTL_S', 60),
  startWindowS: one('FLEET_START_WINDOW_S', 10),
  durationS: one('FLEET_DURATION_S', 180),
  accessMs: one('FLEET_ACCESS_MS', 1000),
  seed: one('FLEET_SEED', 1),
};
const log = (line: string) => console.log(line);

// An interrupt kills the workers (runFleet's abort), then closes the proxy and moto below.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`[bench:fleet] ${signal}: stopping the workers`);
    process.exitCode = 130;
    controller.abort();
  });
}

/** The measured runs: each fleet size against moto behind the quota proxy. */
async function measure(): Promise<MeasuredRun[]> {
  log(`bench:fleet: fleets of ${sizes.join(', ')} processes, ${JSON.stringify(settings)}; seeding moto`);
  const moto = await startMoto();
  const runs: MeasuredRun[] = [];
  try {
    const env = await startFleetEnv(moto.endpoint, { latencyMs: LATENCY_MS });
    try {
      for (const processes of sizes) {
        const cpu = sampleCpu();
        const started = performance.now();
        const result = await runFleet(env, { processes, ...settings }, { signal: controller.signal });
        const wallS = Number(((performance.now() - started) / 1000).toFixed(1));
        const samples = cpu.stop();
        runs.push({ ...result, wallS, cpu: samples });
        const busy = samples.peakBusy === null ? 'n/a' : `${(samples.peakBusy * 100).toFixed(0)}%`;
        log(summaryLine(result));
        log(
          `  wall ${wallS} s, peak CPU ${busy} of ${availableParallelism()} cores (1-min load ${samples.peakLoad1 ?? 'n/a'}), ` +
            `worker load ${result.startup.loadedMs[0]} ms (max ${result.startup.loadedMs[1]}), ` +
            `spawn to ready ${result.startup.spawnToReadyMs?.join(' ms, max ') ?? 'n/a'} ms, workers' CPU ${result.workerCpuS} s`,
        );
      }
    } finally {
      await env.close();
    }
  } finally {
    await moto.stop();
  }
  return runs;
}

try {
  // FLEET_MEASURE=0 models again the runs already in the file (the model changed, the machine did not).
  const previous = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as FleetResults) : undefined;
  const reuse = process.env.FLEET_MEASURE === '0' && previous !== undefined;
  const measured = reuse ? previous.runs : await measure();
  log("the model: each measured run, then SSM's quota of 40 requests/s from 10 to 1,000 processes");
  const runs = [];
  for (const run of measured) {
    const model = await modelOf(run);
    log(
      `  model of N=${run.processes} (median of ${model.seeds} seeds): all ready at ${model.allReadyS?.toFixed(1) ?? 'never'} s ` +
        `(${model.allReadyRange.join('-')}), ${model.offeredToReady} offered (${model.offeredRange.join('-')})`,
    );
    runs.push({ ...run, model });
  }
  // FLEET_SCALE=0 keeps the file's model at scale.
  const scale = process.env.FLEET_SCALE === '0' && previous?.scale ? previous.scale : await modelScale(log);
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version };
  const file: FleetResults = {
    date: reuse ? previous.date : new Date().toISOString(),
    machine: reuse ? previous.machine : machine,
    parameters: reuse ? previous.parameters : 25,
    runs,
    scale,
  };
  writeFileSync(RESULTS, `${JSON.stringify(file, null, 2)}\n`);
  try {
    execFileSync(process.execPath, [BIOME, 'format', '--write', RESULTS], { stdio: 'ignore' });
  } catch {
    log('[bench:fleet] could not format the results with Biome: run `pnpm format`');
  }
  log(`wrote tools/bench/fleet-results.json; ${(await renderScaling(file)).join(', ')}`);
} catch (error) {
  if (!controller.signal.aborted) throw error;
}

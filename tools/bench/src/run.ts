/**
 * `pnpm bench`: secretref side by side with Powertools Parameters, middy, a plain SDK loop and the
 * floor, in one run, against moto behind the latency proxy (the fleet: `pnpm bench:fleet`). Each scenario
 * (scenarios/) measures and returns data; this writes them to tools/bench/results.json and renders
 * the pages and charts from that file (render/, also `pnpm bench:render`). Targets: targets.ts.
 */
import { writeFileSync } from 'node:fs';
import { startBenchEnv } from './env.ts';
import { RESULTS_FILE, render } from './render/main.ts';
import type { Results } from './results.ts';
import { measureCold } from './scenarios/cold.ts';
import { measureHerd } from './scenarios/herd.ts';
import { measureMachine } from './scenarios/machine.ts';
import { measureScale } from './scenarios/scale.ts';
import { measureStartup } from './scenarios/startup.ts';
import { measureThrottle } from './scenarios/throttle.ts';
import { measureWarm } from './scenarios/warm.ts';

// The SDK warns on Node 20 about its releases after January 2027; the versions pinned here support it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const setup = { rounds: ROUNDS, latencyMs: 20, parameters: 25, secrets: 5 };
const log = (line: string) => console.log(line);

log('secretref bench: machine, then seeding moto');
const machine = await measureMachine(ROUNDS * 2);
const env = await startBenchEnv(setup);
try {
  log(
    `cold start: ${setup.parameters} SecureStrings + ${setup.secrets} secrets, fresh processes, unbundled and bundled`,
  );
  const cold = await measureCold(env, ROUNDS);
  log('herd');
  const herd = await measureHerd(env);
  log('warm hit');
  const warm = await measureWarm(env);
  log('throttled after expiry');
  const throttle = await measureThrottle(env);
  log('start-up: bundles and import times');
  const startup = await measureStartup();
  log('scale');
  const scale = await measureScale();
  const results: Results = {
    date: new Date().toISOString().slice(0, 10),
    machine,
    setup,
    cold,
    herd,
    warm,
    throttle,
    startup,
    scale,
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote tools/bench/results.json; ${(await render(results)).join(', ')}`);
} finally {
  await env.close();
}

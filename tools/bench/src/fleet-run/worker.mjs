// One process of `pnpm bench:fleet` (see run.ts): an app that needs 25 SSM parameters. Plain node on
// the built packages, no TypeScript loader: with tsx a process took some 0.6 s and 0.85 s of CPU to
// load, plain node 0.17 s and 0.17 s (2 cores), and 50 of them start within seconds beside moto.
//
// Settings (run.ts sets them; the endpoint and keys come from the usual AWS_* variables):
//   FLEET_REFS       JSON object of references, { p0: 'ssm:/...', ... }
//   FLEET_TTL_MS     the resolver's ttlMs
//   FLEET_ACCESS_MS  how often every value is read again, in ms (default 1000)
//   FLEET_DURATION_MS how long the process runs, from its start, in ms
// Output, one JSON line each on stdout: {"type":"ready"} once every value resolved, and at the end
// {"type":"done","stats":...,"errors":n,"attempts":n,"ready":bool,"loadedMs":ms,"cpuMs":ms}
// (cpuMs: the CPU time the process used, user and system).
import { createResolver } from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';

// Node's start and the imports, in ms since the process began (performance's time origin).
const loadedMs = performance.now();
const READY_RETRY_MS = 1000;
// The parent holds the other end of stdin: when it goes, however it went, this process goes too.
process.stdin.on('end', () => process.exit(1)).resume();

function setting(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`[fleet worker] ${name} is not set`);
  return value;
}

const refs = JSON.parse(setting('FLEET_REFS'));
const ttlMs = Number(setting('FLEET_TTL_MS'));
const accessMs = Number(setting('FLEET_ACCESS_MS', '1000'));
const endsAt = performance.now() + Number(setting('FLEET_DURATION_MS'));
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

const resolver = createResolver({ providers: [ssmProvider()], ttlMs });
const count = Object.keys(refs).length;

// Readiness: as an app would, try until every value is there, a second apart.
let attempts = 0;
let ready = false;
while (!ready && performance.now() < endsAt) {
  attempts++;
  try {
    ready = Object.keys(await resolver.resolveAll(refs)).length === count;
  } catch {
    await sleep(Math.min(READY_RETRY_MS, endsAt - performance.now()));
  }
}
if (ready) print({ type: 'ready' });

// Serving: every value read every accessMs; a value refreshes only when read after its TTL.
let errors = 0;
let next = performance.now() + accessMs;
while (ready && next < endsAt) {
  await sleep(next - performance.now());
  try {
    await resolver.resolveAll(refs);
  } catch {
    errors++;
  }
  // A read slower than the period delays the next one instead of bunching reads up.
  next = Math.max(next + accessMs, performance.now());
}
await sleep(endsAt - performance.now());
// Exit once the line is written: the resolver's timers would keep the process alive.
process.stdout.write(
  `${JSON.stringify({ type: 'done', stats: resolver.stats(), errors, attempts, ready, loadedMs, cpuMs: cpuMs() })}\n`,
  () => process.exit(0),
);

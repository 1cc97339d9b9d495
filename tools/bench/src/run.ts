/**
 * `pnpm bench`: secretref side by side with Powertools Parameters, middy and a plain SDK loop, in one
 * run, against moto behind the latency/fault proxy (20 ms per request); then the fleet model. Writes
 * docs/benchmarks.md, docs/scaling.md and their charts from what it measured.
 */

import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createResolver, systemClock } from '@secretref/core';
import { memoryProvider } from '@secretref/core/testing';
import { localAwsConfig, localAwsEnv, startFaultProxy, startMoto, startProcess } from '@secretref/local-aws';
import { ssmProvider } from '@secretref/ssm';
import { type Strategy, simulate } from './fleet.ts';
import { bundle, importMs, median, nsPerOp, nsPerOpSync, versus } from './measure.ts';
import { barChart, logLineChart } from './svg.ts';

/** Why a target can be missed, from profiling on this machine; printed only for targets the run missed. */
const WHY: Readonly<Record<string, string>> = {
  'cold start: wall time vs Powertools':
    'every contender spends most of its cold start starting Node and loading modules, the AWS SDK above all (a fresh process on this 2-core VM); secretref saves round trips (4 calls in one round trip against 8 in two), which at 20 ms each is a small share. secretref also imports each SDK client on its first fetch, so loading and the first call run one after the other.',
  'cold start: wall time vs middy':
    'as above; middy imports its SDK clients when the module loads, secretref when the first reference of a service is fetched, so the import is on the critical path once.',
  'warm `await resolve()` vs its floor':
    'the floor is what a hit cannot do without: the lookup and one clock read (about 50 to 100 ns on this VM: no vDSO), awaited. The rest is the lookup of the parsed reference, the entry and its promise of the value; a shared VM moves the ratio by some 0.1x from run to run.',
  'warm: Powertools / secretref':
    'Powertools is measured on the same machine, so its clock reads cost as much; the ratio is what remains.',
  '`peek()` vs its floor': 'as for `resolve()`, without the await.',
  'SSM-only bundle vs bare client':
    "the difference is secretref's own code (see the next row) plus lru-cache; it is bounded by a budget in the tests (packages/secretref/test/bundle.test.ts) so that it cannot grow unnoticed.",
  'own code of core + aws + ssm, minified':
    "the target was set at 27.5 KB of core + ssm, before the leak-proofing of issue 11 (answers checked for their documented shape, AWS error bodies reduced to checked fields, thrown errors described rather than kept, redaction of every form, option checks on every path), which added some 15 KB; the grammar's every CloudFormation, ECS and ARN form and explanatory error messages are the rest. The bundle test's budget holds it where it is.",
};

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (line: string) => console.log(line);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const moto = await startMoto();
const proxy = await startFaultProxy(moto.endpoint);
proxy.latencyMs = 20;
const prefix = `/bench-${Date.now().toString(36)}`;
const fixture = {
  parameters: Array.from({ length: 25 }, (_, i) => `${prefix}/p${i}`),
  secrets: Array.from({ length: 5 }, (_, i) => `bench-${Date.now().toString(36)}-s${i}`),
};
const clientConfig = { ...localAwsConfig(proxy.endpoint), maxAttempts: 1 };

try {
  log('secretref bench: seeding moto');
  const ssm = new SSMClient(localAwsConfig(moto.endpoint));
  for (const name of fixture.parameters) {
    await ssm.send(new PutParameterCommand({ Name: name, Value: `value of ${name}`, Type: 'SecureString' }));
  }
  const sm = new SecretsManagerClient(localAwsConfig(moto.endpoint));
  for (const name of fixture.secrets)
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: `value of ${name}` }));

  // 1. Cold start: a fresh process per run, contenders interleaved.
  log('cold start: 25 SecureStrings + 5 secrets in a fresh process');
  const contenders = ['secretref', 'powertools', 'middy', 'sdk'] as const;
  const cold: Record<string, { ms: number[]; calls: number; peak: number; count: number }> = {};
  const env = {
    ...process.env,
    ...localAwsEnv(proxy.endpoint),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of contenders) {
      proxy.reset();
      const child = startProcess(
        process.execPath,
        ['--import', 'tsx', join(here, 'cold.ts'), contender, JSON.stringify(fixture)],
        {
          env,
        },
      );
      const { code } = await child.exited;
      const { stdout, stderr } = child.output();
      if (code !== 0) throw new Error(`${contender} failed: ${stderr}`);
      const { ms, count } = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number; count: number };
      cold[contender] ??= { ms: [], calls: 0, peak: 0, count };
      const entry = cold[contender];
      entry.ms.push(ms);
      entry.calls = proxy.count();
      entry.peak = proxy.peakConcurrent;
    }
  }
  const coldMs = Object.fromEntries(contenders.map((c) => [c, median(cold[c]?.ms ?? [])]));

  // 2. Herd: 100 concurrent first requests for one key.
  log('herd: 100 concurrent first requests for one key');
  proxy.reset();
  const herdResolver = createResolver({ providers: [ssmProvider({ clientConfig })] });
  await Promise.all(Array.from({ length: 100 }, () => herdResolver.resolve(`ssm:${fixture.parameters[0]}`)));
  const herdSecretref = proxy.count();
  proxy.reset();
  const herdPowertools = new SSMProvider({ clientConfig });
  await Promise.all(
    Array.from({ length: 100 }, () => herdPowertools.get(fixture.parameters[0] as string, { decrypt: true })),
  );
  const herdPt = proxy.count();

  // 3. Warm hit: ns per await resolve() of a cached value, against await map.get() and Powertools.
  log('warm hit');
  const warmResolver = createResolver({ providers: [ssmProvider({ clientConfig })], ttlMs: 3_600_000 });
  const warmRef = `ssm:${fixture.parameters[1]}`;
  await warmResolver.resolve(warmRef);
  const map = new Map([[warmRef, 'value']]);
  const ptWarm = new SSMProvider({ clientConfig });
  await ptWarm.get(fixture.parameters[1] as string, { decrypt: true, maxAge: 3600 });
  // The floor of a hit that survives a Lambda freeze: the lookup and one read of the clock the
  // resolver reads (performance.now()), awaited or not.
  const clock = systemClock;
  const floor = () => {
    clock.now();
    return map.get(warmRef);
  };
  const hit = await versus(floor, () => warmResolver.resolve(warmRef));
  const peeked = await versus(floor, () => warmResolver.peek(warmRef), { sync: true });
  const warm = {
    mapGet: await nsPerOp(() => map.get(warmRef)),
    floor: hit.floorNs,
    resolve: hit.ns,
    resolveRatio: hit.ratio,
    syncFloor: peeked.floorNs,
    peek: peeked.ns,
    peekRatio: peeked.ratio,
    mapGetSync: nsPerOpSync(() => map.get(warmRef)),
    ...(await versus(
      () => warmResolver.resolve(warmRef),
      () => ptWarm.get(fixture.parameters[1] as string, { decrypt: true, maxAge: 3600 }),
    ).then(({ ns, ratio }) => ({ powertools: ns, powertoolsRatio: ratio }))),
  };

  // 4. Throttling after expiry: N reads while SSM throttles every call.
  log('throttling after expiry');
  const N = 10;
  const throttleResolver = createResolver({ providers: [ssmProvider({ clientConfig })] });
  const throttleRef = `ssm:${fixture.parameters[2]}?ttl=1s`;
  await throttleResolver.resolve(throttleRef);
  const ptThrottle = new SSMProvider({ clientConfig });
  await ptThrottle.get(fixture.parameters[2] as string, { decrypt: true, maxAge: 1 });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  proxy.fault = 'throttle';
  let servedSecretref = 0;
  let servedPt = 0;
  for (let i = 0; i < N; i++) {
    if (
      await throttleResolver.resolve(throttleRef).then(
        () => true,
        () => false,
      )
    )
      servedSecretref++;
    if (
      await ptThrottle.get(fixture.parameters[2] as string, { decrypt: true, maxAge: 1 }).then(
        () => true,
        () => false,
      )
    )
      servedPt++;
  }
  proxy.fault = undefined;

  // 5. Start-up: bundle size and import time of an SSM-only Lambda handler.
  log('start-up: bundles and import times');
  const handlers = {
    secretref: `import { createResolver, systemClock } from '@secretref/core'; import { ssmProvider } from '@secretref/ssm';
      const resolver = createResolver({ providers: [ssmProvider()] });
      export const handler = async () => resolver.resolve('ssm:/app/db');`,
    'bare SSM client': `import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
      const client = new SSMClient({});
      export const handler = async () => (await client.send(new GetParameterCommand({ Name: '/app/db', WithDecryption: true }))).Parameter?.Value;`,
    powertools: `import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
      export const handler = async () => getParameter('/app/db', { decrypt: true });`,
  };
  const bundles: Record<string, { bytes: number; importMs: number }> = {};
  for (const [name, source] of Object.entries(handlers)) {
    const { file, bytes } = await bundle(name.replaceAll(' ', '-'), source, here);
    bundles[name] = { bytes, importMs: importMs(file) };
  }
  const coreOwn = await bundle(
    'core-own',
    `export { createResolver } from '@secretref/core'; export { ssmProvider } from '@secretref/ssm';`,
    here,
    ['@aws-sdk/*', 'lru-cache'],
  );

  // 6. Scale: 1,000 distinct keys warm, and memory per cached entry.
  log('scale: 1,000 distinct keys');
  const provider = memoryProvider({ schemes: ['mem'], values: {}, batchSize: 100 });
  for (let i = 0; i < 1000; i++) provider.set(`k${i}`, `value-${i}-0123456789abcdef0123456789`);
  const scaleResolver = createResolver({ providers: [provider], ttlMs: 3_600_000 });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  await Promise.all(Array.from({ length: 1000 }, (_, i) => scaleResolver.resolve(`mem:k${i}`)));
  gc();
  const bytesPerEntry = (process.memoryUsage().heapUsed - heapBefore) / 1000;
  let k = 0;
  const perResolveNs = await nsPerOp(() => scaleResolver.resolve(`mem:k${k++ % 1000}`), 500_000);
  const resolvesPerSecond = 1e9 / perResolveNs;

  // 7. The fleet model.
  log('fleet model');
  const sizes = [10, 100, 1000, 10_000];
  const strategies: { name: string; strategy: Strategy; ttlS?: number }[] = [
    { name: 'secretref (TTL 5 min)', strategy: 'secretref' },
    { name: 'secretref (TTL 1 h)', strategy: 'secretref', ttlS: 3600 },
    { name: 'Powertools defaults (TTL 5 s)', strategy: 'powertools' },
    { name: 'naive per-request fetch', strategy: 'naive' },
  ];
  const fleet = strategies.map((s) => ({
    ...s,
    results: sizes.map((processes) => simulate(s.strategy, { processes, ...(s.ttlS ? { ttlS: s.ttlS } : {}) })),
  }));

  writeReports({
    coldMs,
    cold,
    herdSecretref,
    herdPt,
    warm,
    servedSecretref,
    servedPt,
    N,
    bundles,
    coreOwnBytes: coreOwn.bytes,
    bytesPerEntry,
    resolvesPerSecond,
    fleet,
    sizes,
  });
  log('wrote docs/benchmarks.md and docs/scaling.md');
} finally {
  await proxy.close();
  await moto.stop();
}

type Reports = {
  coldMs: Record<string, number>;
  cold: Record<string, { calls: number; peak: number; count: number }>;
  herdSecretref: number;
  herdPt: number;
  warm: {
    mapGet: number;
    floor: number;
    resolve: number;
    resolveRatio: number;
    syncFloor: number;
    peek: number;
    peekRatio: number;
    mapGetSync: number;
    powertools: number;
    powertoolsRatio: number;
  };
  servedSecretref: number;
  servedPt: number;
  N: number;
  bundles: Record<string, { bytes: number; importMs: number }>;
  coreOwnBytes: number;
  bytesPerEntry: number;
  resolvesPerSecond: number;
  fleet: { name: string; results: ReturnType<typeof simulate>[] }[];
  sizes: number[];
};

function writeReports(r: Reports): void {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const ns = (v: number) => `${v.toFixed(0)} ns`;
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const check = (ok: boolean) => (ok ? 'met' : '**not met**');
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  const date = new Date().toISOString().slice(0, 10);
  const floor = Math.ceil(25 / 10) + Math.ceil(5 / 20);
  const names: Record<string, string> = {
    secretref: 'secretref',
    powertools: 'Powertools Parameters',
    middy: 'middy (ssm + secrets-manager)',
    sdk: 'plain SDK Promise.all',
  };
  const sec = r.coldMs.secretref ?? 0;
  const targets: [string, string, boolean][] = [
    [
      'cold start: calls',
      `${r.cold.secretref?.calls} (floor ${floor}), ${r.cold.secretref?.peak} in flight together`,
      r.cold.secretref?.calls === floor && r.cold.secretref?.peak === floor,
    ],
    [
      'cold start: wall time vs Powertools',
      `${ratio(sec, r.coldMs.powertools ?? 1)} (target <= 0.6x)`,
      sec <= 0.6 * (r.coldMs.powertools ?? 0),
    ],
    [
      'cold start: wall time vs middy',
      `${ratio(sec, r.coldMs.middy ?? 1)} (target <= 0.8x)`,
      sec <= 0.8 * (r.coldMs.middy ?? 0),
    ],
    ['herd: calls', `${r.herdSecretref} (target 1)`, r.herdSecretref === 1],
    [
      'warm `await resolve()` vs its floor',
      `${r.warm.resolveRatio.toFixed(2)}x of \`await\` (clock read + \`map.get()\`) (target <= 1.2x)`,
      r.warm.resolveRatio <= 1.2,
    ],
    [
      'warm: Powertools / secretref',
      `${r.warm.powertoolsRatio.toFixed(2)}x (target >= 3x)`,
      r.warm.powertoolsRatio >= 3,
    ],
    [
      '`peek()` vs its floor',
      `${r.warm.peekRatio.toFixed(2)}x of clock read + \`map.get()\` (target <= 1.5x)`,
      r.warm.peekRatio <= 1.5,
    ],
    [
      'SSM-only bundle vs bare client',
      `+${kb((r.bundles.secretref?.bytes ?? 0) - (r.bundles['bare SSM client']?.bytes ?? 0))} (target <= +10 KB)`,
      (r.bundles.secretref?.bytes ?? 0) - (r.bundles['bare SSM client']?.bytes ?? 0) <= 10 * 1024,
    ],
    ['own code of core + aws + ssm, minified', `${kb(r.coreOwnBytes)} (target <= 30 KB)`, r.coreOwnBytes <= 30 * 1024],
    ['throttled after expiry: reads served', `${r.servedSecretref} of ${r.N} (target all)`, r.servedSecretref === r.N],
  ];
  const images = join(root, 'docs/images');
  writeFileSync(
    join(images, 'bench-cold.svg'),
    barChart(
      'Cold start: 25 SecureStrings + 5 secrets (ms, lower is better)',
      Object.keys(names).map((c) => ({
        label: names[c] as string,
        value: Math.round(r.coldMs[c] ?? 0),
        highlight: c === 'secretref',
      })),
      'ms',
    ),
  );
  writeFileSync(
    join(images, 'bench-warm.svg'),
    barChart(
      'Warm hit (ns per call, lower is better)',
      [
        { label: 'floor: await (clock + map.get)', value: Math.round(r.warm.floor) },
        { label: 'await resolve()', value: Math.round(r.warm.resolve), highlight: true },
        { label: 'floor: clock + map.get', value: Math.round(r.warm.syncFloor) },
        { label: 'peek()', value: Math.round(r.warm.peek), highlight: true },
        { label: 'Powertools get()', value: Math.round(r.warm.powertools) },
      ],
      'ns',
    ),
  );
  writeFileSync(
    join(images, 'bench-bundle.svg'),
    barChart(
      'SSM-only Lambda handler, esbuild minified (KB)',
      Object.entries(r.bundles).map(([name, b]) => ({
        label: name,
        value: Math.round(b.bytes / 102.4) / 10,
        highlight: name === 'secretref',
      })),
      'KB',
    ),
  );
  const failed = targets.filter(([, , ok]) => !ok);
  const page = `# Benchmarks

Generated by \`pnpm bench\` (tools/bench) on ${date}: ${machine}. Every number on this page comes from
that run; nothing is edited by hand. The AWS side is moto on loopback behind the project's proxy, which
adds **20 ms to every request**, so that round trips, not moto, dominate; SDK retries are off
(\`maxAttempts: 1\`) for the in-process scenarios. Medians of ${ROUNDS} runs.

## Targets

| target | measured | |
| --- | --- | --- |
${targets.map(([name, value, ok]) => `| ${name} | ${value} | ${check(ok)} |`).join('\n')}

${failed.length === 0 ? 'Every target is met.' : `Not met, and why:\n\n${failed.map(([n]) => `- **${n}**: ${WHY[n] ?? 'see the section below.'}`).join('\n')}`}

## Cold start

25 SecureStrings and 5 Secrets Manager secrets read in a fresh Node process (import of the library
included), interleaved runs.

![cold start](images/bench-cold.svg)

| contender | wall time | AWS calls | most calls in flight at once |
| --- | --- | --- | --- |
${Object.keys(names)
  .map(
    (c) =>
      `| ${names[c]} | ${ms(r.coldMs[c] ?? 0)} (${ratio(r.coldMs[c] ?? 0, sec)} of secretref) | ${r.cold[c]?.calls} | ${r.cold[c]?.peak} |`,
  )
  .join('\n')}

## Herd

100 concurrent first requests for one key: secretref **${r.herdSecretref}** call, Powertools **${r.herdPt}** calls.

## Warm hit

![warm hit](images/bench-warm.svg)

| operation | ns per call | ratio |
| --- | --- | --- |
| \`await map.get()\` | ${ns(r.warm.mapGet)} | |
| floor: \`await\` (clock read + \`map.get()\`) | ${ns(r.warm.floor)} | 1x |
| \`await resolver.resolve()\` (cached) | ${ns(r.warm.resolve)} | ${r.warm.resolveRatio.toFixed(2)}x of the floor |
| \`map.get()\` (sync) | ${ns(r.warm.mapGetSync)} | |
| floor: clock read + \`map.get()\` (sync) | ${ns(r.warm.syncFloor)} | 1x |
| \`resolver.peek()\` (sync) | ${ns(r.warm.peek)} | ${r.warm.peekRatio.toFixed(2)}x of the sync floor |
| Powertools \`provider.get()\` (cached) | ${ns(r.warm.powertools)} | ${r.warm.powertoolsRatio.toFixed(2)}x of secretref's |

A hit reads the clock once, so that a value frozen past its TTL in a Lambda is never served as fresh:
the floor is the lookup plus that read. Ratios are the median of 25 turns of the two measured one
after the other (floor and call; secretref and Powertools).

## Throttled after expiry

After the TTL passed, SSM throttled every call; ${r.N} reads each: secretref served **${r.servedSecretref}**
(the last good value), Powertools **${r.servedPt}**.

## Start-up cost

An SSM-only Lambda handler bundled with esbuild (ESM, minified, the SDK included), and the time to
import the bundle in a fresh process (median of 7).

![bundle size](images/bench-bundle.svg)

| handler | bundle | import |
| --- | --- | --- |
${Object.entries(r.bundles)
  .map(([name, b]) => `| ${name} | ${kb(b.bytes)} | ${b.importMs.toFixed(1)} ms |`)
  .join('\n')}

secretref's own code (\`@secretref/core\` + \`@secretref/aws\` + \`@secretref/ssm\`, the SDK and lru-cache left out), minified:
${kb(r.coreOwnBytes)}.

## Scale

With 1,000 distinct keys cached: ${Math.round(r.resolvesPerSecond).toLocaleString('en-US')} resolves per
second (one \`await\` each, keys in turn); about ${Math.round(r.bytesPerEntry)} bytes of heap per cached
entry (a 40-character value, its key and bookkeeping).

## Notes

- The fleet-scale view (what happens at 10,000 processes against SSM's 40 requests/s) is in
  [scaling.md](scaling.md).
- Wall times on loopback with an added 20 ms are a model of a region-local network; real AWS adds
  TLS and variance. The ratios, taken in the same run, are what the targets compare.
`;
  writeFileSync(join(root, 'docs/benchmarks.md'), page);

  // The fleet model.
  const peak = r.fleet.map((s, i) => ({
    label: s.name,
    values: s.results.map((x) => x.peakColdRps),
    color: ['#2b6cb0', '#38a169', '#dd6b20', '#c53030'][i] as string,
  }));
  const steady = r.fleet.map((s, i) => ({
    label: s.name,
    values: s.results.map((x) => Math.max(0.01, x.meanSteadyRps)),
    color: ['#2b6cb0', '#38a169', '#dd6b20', '#c53030'][i] as string,
  }));
  const quota = { label: 'SSM quota (40/s)', values: r.sizes.map(() => 40), color: '#4a5568', dashed: true };
  writeFileSync(
    join(images, 'fleet-deploy.svg'),
    logLineChart('Deploy: peak SSM requests/s while the fleet starts', r.sizes, [...peak, quota], 'requests/s'),
  );
  writeFileSync(
    join(images, 'fleet-steady.svg'),
    logLineChart('Steady state: mean SSM requests/s', r.sizes, [...steady, quota], 'requests/s'),
  );
  const row = (s: Reports['fleet'][number]) =>
    `| ${s.name} | ${s.results.map((x) => `${Math.round(x.peakColdRps)} / ${x.meanSteadyRps.toFixed(1)} / ${(x.throttledShare * 100).toFixed(0)}% / ${Number.isFinite(x.allReadyS) ? `${x.allReadyS} s` : 'not all in 20 min'}`).join(' | ')} |`;
  const scaling = `# Scaling: a fleet against SSM's quota

SSM allows **40 requests/s** per account and region by default, shared by \`GetParameter\`,
\`GetParameters\` and \`GetParametersByPath\`. A process that needs 25 parameters costs secretref 3
\`GetParameters\` calls per refresh. What does a fleet cost? A model (tools/bench/src/fleet.ts, run by
\`pnpm bench\` on ${date}), second by second over 20 minutes: N processes start within 30 s (a deploy), each
needs 25 parameters and serves 1 request/s; a throttled secretref process backs off (1 s, doubling, at
most 60 s) and keeps serving its last good value. Deterministic (seeded); the numbers below are from it.

![deploy](images/fleet-deploy.svg)

![steady state](images/fleet-steady.svg)

Each cell: peak requests/s during the deploy / mean requests/s in steady state (after 10 minutes) /
share of requests throttled / time until every process had its values.

| strategy | ${r.sizes.map((n) => `N = ${n.toLocaleString('en-US')}`).join(' | ')} |
| --- | ${r.sizes.map(() => '---').join(' | ')} |
${r.fleet.map(row).join('\n')}

## What to use at each scale

| processes | what the model shows | settings |
| --- | --- | --- |
| up to ~100 | defaults stay far below the quota at deploy and in steady state | the defaults: TTL 5 min, batching |
| ~1,000 | a deploy offers more than 40 requests/s; backoff spreads it over a couple of minutes, processes start on their first successful batch | stagger deploys (or raise the start window), TTL 1 h for values that rarely change; put the hottest values in Secrets Manager (10,000 requests/s) |
| ~10,000 | even steady state exceeds 40/s with a 5-minute TTL | TTL of an hour or more, SSM's higher-throughput setting (up to 10,000 requests/s, billed per call), or Secrets Manager; the Lambda extension does not help: it caches per instance, as secretref does |

The naive per-request fetch (25 calls per request) exceeds the quota from 2 processes on; Powertools' 5-second default TTL (3 calls every 5 s per process)
from about 70 processes.
`;
  writeFileSync(join(root, 'docs/scaling.md'), scaling);
}

/**
 * docs/scaling.md and its charts, from tools/bench/fleet-results.json alone (pure: no clock, no
 * machine): the measured fleets beside their model, the model at SSM's quota up to 1,000 processes,
 * issue 16's targets held or not, and the modelled effect of each recommended change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import type { FleetResults, ModelSummary } from '../fleet-model/scenarios.ts';
import { CONFIG, textsOutside, toSvg } from './charts.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const FLEET_RESULTS_FILE: string = join(root, 'tools/bench/fleet-results.json');

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const s = (v: number | null) => (v === null ? 'not all' : `${v.toFixed(v < 100 ? 1 : 0)} s`);
const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(0)}%`);
const x = (v: number) => `${v.toFixed(2)}x`;
const rps = (v: number | null) => (v === null ? 'n/a' : v.toFixed(v < 10 ? 2 : 1));
const ratio = (model: number | null, measured: number | null) =>
  model === null || measured === null || measured === 0 ? 'n/a' : x(model / measured);

interface Fleet {
  readonly processes: number;
  readonly quota: number;
  readonly startWindowS: number;
  readonly ttlS: number;
  readonly parameters: number;
}
/** The fastest a deploy can be: its start window, or the calls it needs at the quota. */
const idealS = (f: Fleet) => Math.max(f.startWindowS, (f.processes * Math.ceil(f.parameters / 10)) / f.quota);
/** What the fleet needs in steady state, calls/s: a refresh per batch per TTL. */
const needRps = (f: Fleet) => (f.processes * Math.ceil(f.parameters / 10)) / f.ttlS;

/** Issue 16's targets for one fleet on the model or measured. */
function targets(f: Fleet, o: ModelSummary) {
  const need = needRps(f);
  const below = need < f.quota;
  return {
    deploy: o.allReadyS !== null && o.allReadyS <= 1.25 * idealS(f),
    calls: o.offeredToReady <= 2 * o.idealCalls,
    steady: o.steadyRps !== null && o.steadyRps <= 1.1 * Math.min(need, f.quota),
    throttled: !below || (o.steadyThrottledShare ?? 1) <= 0.2,
    below,
  };
}
const mark = (ok: boolean) => (ok ? 'yes' : '**no**');

/** Five-second means of calls offered per second, for a chart line. */
function smoothed(perSecond: readonly number[], durationS: number): { second: number; offered: number }[] {
  const out: { second: number; offered: number }[] = [];
  for (let at = 0; at < durationS; at += 5) {
    const slice = perSecond.slice(at, at + 5);
    out.push({ second: at, offered: slice.reduce((a, b) => a + b, 0) / Math.max(1, slice.length) });
  }
  return out;
}

function measuredChart(f: FleetResults): TopLevelSpec {
  const rows = f.runs.flatMap((run) =>
    (['measured', 'model'] as const).flatMap((source) =>
      smoothed((source === 'model' ? run.model : run).perSecond.offered, run.durationS).map((p) => ({
        ...p,
        source: source === 'model' ? 'the model' : 'real processes',
        fleet: `${run.processes} processes`,
      })),
    ),
  );
  const quota = f.runs[0]?.quota ?? 0;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: {
      text: 'SSM calls offered per second: real processes and the model',
      subtitle: `5-second means; the quota lets ${quota} calls/s through, the rest are throttled`,
    },
    data: { values: rows },
    facet: {
      row: { field: 'fleet', type: 'nominal', sort: f.runs.map((r) => `${r.processes} processes`), title: null },
    },
    spec: {
      width: 520,
      height: 110,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: {
          field: 'second',
          type: 'quantitative',
          title: 'seconds from the first start',
          axis: { values: Array.from({ length: Math.floor((f.runs[0]?.durationS ?? 0) / 30) + 1 }, (_, i) => i * 30) },
        },
        y: { field: 'offered', type: 'quantitative', title: 'calls/s' },
        color: {
          field: 'source',
          type: 'nominal',
          scale: { domain: ['real processes', 'the model'], range: ['#2b6cb0', '#dd6b20'] },
          legend: { orient: 'bottom', title: null },
        },
        strokeDash: {
          field: 'source',
          type: 'nominal',
          scale: {
            domain: ['real processes', 'the model'],
            range: [
              [1, 0],
              [5, 3],
            ],
          },
          legend: null,
        },
      },
    },
  };
}

function scaleChart(f: FleetResults): TopLevelSpec {
  const c = f.scale.config;
  const rows = f.scale.sizes.flatMap((o) => {
    const fleet = { ...c, processes: o.processes };
    return [
      { processes: o.processes, seconds: o.allReadyS ?? c.durationS, line: 'the model: every process has its values' },
      { processes: o.processes, seconds: 1.25 * idealS(fleet), line: 'the target: 1.25x the fastest possible' },
    ];
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: {
      text: `A deploy against SSM's quota of ${c.quota} requests/s`,
      subtitle: `the model: ${c.parameters} parameters a process, starts within ${c.startWindowS} s`,
    },
    width: 460,
    height: 240,
    data: { values: rows },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'processes',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'processes in the fleet',
        axis: { values: f.scale.sizes.map((o) => o.processes), format: ',d', grid: false },
      },
      y: {
        field: 'seconds',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'seconds until every process has its values',
        axis: { values: [10, 30, 100, 300, 1000], format: ',d' },
      },
      color: {
        field: 'line',
        type: 'nominal',
        scale: { range: ['#2b6cb0', '#a0aec0'] },
        legend: { orient: 'bottom', title: null, columns: 1 },
      },
    },
  };
}

/** The charts of docs/scaling.md, by file name under docs/images. */
export function scalingCharts(f: FleetResults): Record<string, TopLevelSpec> {
  return { 'fleet-measured.svg': measuredChart(f), 'fleet-model.svg': scaleChart(f) };
}

export function scalingPage(f: FleetResults): string {
  const c = f.scale.config;
  const p = f.parameters;
  const first = f.runs[0];
  const measuredRows = f.runs.map((run) => {
    const fleet = { ...run, parameters: p };
    const m = run.model;
    const [early, late] = m.allReadyRange;
    const range = `${early === null ? 'not all' : early.toFixed(0)}-${late === null ? 'not all' : `${late.toFixed(0)} s`}`;
    return `| ${run.processes} | ${s(idealS(fleet))}, ${run.idealCalls} | ${s(run.allReadyS)} / ${s(m.allReadyS)} (${ratio(m.allReadyS, run.allReadyS)}; ${range}) | ${run.offeredToReady} / ${m.offeredToReady} (${ratio(m.offeredToReady, run.offeredToReady)}; ${m.offeredRange.join('-')}) | ${rps(needRps(fleet))} | ${rps(run.steadyRps)} / ${rps(m.steadyRps)} | ${pct(run.steadyThrottledShare)} / ${pct(m.steadyThrottledShare)} |`;
  });
  const scaleRows = f.scale.sizes.map((o) => {
    const fleet = { ...c, processes: o.processes };
    const t = targets(fleet, o);
    const refresh = o.refreshS === null ? 'n/a' : `${o.refreshS.median.toFixed(0)} s / ${o.refreshS.max.toFixed(0)} s`;
    return `| ${int(o.processes)} | ${s(1.25 * idealS(fleet))} | ${s(o.allReadyS)} (${mark(t.deploy)}) | ${int(o.offeredToReady)} = ${x(o.offeredToReady / o.idealCalls)} (${mark(t.calls)}) | ${rps(Math.min(needRps(fleet), c.quota))} | ${rps(o.steadyRps)} (${mark(t.steady)}) | ${pct(o.steadyThrottledShare)}${t.below ? ` (${mark(t.throttled)})` : ''} | ${refresh} |`;
  });
  const largest = f.scale.sizes[f.scale.sizes.length - 1] as ModelSummary;
  const variantRow = (name: string, o: ModelSummary) => {
    const refresh = o.refreshS === null ? 'n/a' : `${o.refreshS.median.toFixed(0)} s / ${o.refreshS.max.toFixed(0)} s`;
    return `| ${name} | ${s(o.allReadyS)} | ${int(o.offeredToReady)} | ${rps(o.steadyRps)} | ${pct(o.steadyThrottledShare)} | ${refresh} |`;
  };
  const allReady = [...f.runs, ...f.runs.map((r) => r.model), ...f.scale.sizes].every((o) => o.allReadyS !== null);
  const worstMeasured = Math.max(...f.runs.map((r) => (r.allReadyS ?? r.durationS) / idealS({ ...r, parameters: p })));
  const failed = f.scale.sizes.filter((o) => {
    const t = targets({ ...c, processes: o.processes }, o);
    return !(t.deploy && t.calls && t.steady && t.throttled);
  });
  return `# Scaling: a fleet against SSM's quota

SSM allows **${c.quota} requests/s** per account and region by default, shared by \`GetParameter\`,
\`GetParameters\` and \`GetParametersByPath\` and by every process of the account. A process that needs
${p} parameters costs ${Math.ceil(p / 10)} \`GetParameters\` calls (10 names a call) when it starts and again each TTL.
Two things keep a fleet of them from collapsing when it meets the quota:

- **Grouped expiry.** The values fetched together share one expiry (one jitter draw), and a refresh of any
  of them refreshes the rest, in as few calls as batches allow: a process costs ${Math.ceil(p / 10)} calls per TTL,
  however its code reads them. Refreshes happen on a read, never on a timer.
- **The throttle governor**, one per service and region in each resolver, that every call passes, first
  attempts and retries alike. Calls go freely until the service throttles one; then the next call goes
  within 100 ms (a blip costs a cold start little), and the calls after it at a rate that halves on each
  throttle, doubles on each success and doubles every two intervals without a throttle; once twice what
  it was at the first throttle, calls go freely again. Each call's turn is drawn with full jitter, so that
  the processes of a fleet spread out. A key with a last good value is served it while its refresh waits
  its turn; a cold key waits within its deadline, and a throttled retry gives the \`ThrottledError\` at once
  when the next turn lies past it. While it limits, the calls that wait are regrouped into full batches. \`stats().governors\`
  shows each one's rate; the \`secretref:throttle\` event says when one starts and stops limiting.

The figures below come from \`pnpm bench:fleet\` (${f.date.slice(0, 10)}, ${f.machine.model}, ${f.machine.cpus} cores,
Node ${f.machine.node}): real processes first, then the model, which runs the real resolver and governor
(\`createResolver\` from @secretref/core, unchanged) on a simulated clock against a simulated SSM with
the same token-bucket quota (tools/bench/src/fleet-model).

## Measured: real processes against a quota

${f.runs.length} fleets of real Node processes (tools/bench/src/fleet-run/worker.mjs), each resolving ${p} SecureString
parameters from moto, through a proxy that lets ${first?.quota ?? 0} calls/s through (a token bucket, burst ${first?.burst ?? 0}) and
throttles the rest as SSM does. The processes start at random within ${first?.startWindowS ?? 0} s, read every value every
${((first?.accessMs ?? 0) / 1000).toFixed(0)} s, try again a second after a failed start, and run ${first?.durationS ?? 0} s with a TTL of ${first?.ttlS ?? 0} s.
This machine has ${f.machine.cpus} cores: the quota, kept low, is what limits them, not their start-up. The model
ran each fleet again with the same start times, ${first?.model.seeds ?? 0} times with other random draws (the real
processes drew theirs from \`Math.random\`).

Each cell: real processes / the model's median run (its ratio to the measurement; the range of its
runs). The fastest a deploy can be is its start window or the calls it needs at the quota, whichever is
longer. When the last process of a deploy gets its values is luck more than anything: a few processes
that met throttles in a row wait at a low rate while the rest are done.

| processes | fastest, calls needed | every process ready | calls offered until then | steady need, calls/s | steady calls/s | steady throttled |
| --- | --- | --- | --- | --- | --- | --- |
${measuredRows.join('\n')}

![measured and modelled calls per second](images/fleet-measured.svg)

## The model at SSM's quota

${int(largest.processes)} processes cannot run on this machine; the model can (10,000 not yet: they take it 5 GB and
more than 10 minutes, a leaner simulation is to come). Here: ${p} parameters a process, ${c.quota} requests/s, the
fleet starting within ${c.startWindowS} s, a TTL of ${c.ttlS / 60} minutes, ${c.durationS / 60} minutes simulated; a process reads its values
every ${c.accessMs / 1000} s. The steady state runs from one TTL after the last process was ready.

| processes | target: ready within | every process ready | calls until then (x the ${Math.ceil(p / 10)} a process needs) | steady need, calls/s | steady calls/s (at most 1.1x the need) | steady throttled (at most 20% below the quota) | a value refreshes every (median / longest) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${scaleRows.join('\n')}

![the model's deploys](images/fleet-model.svg)

## The targets, and which do not hold

${
  failed.length === 0
    ? 'Every target holds in the model.'
    : `Not every target holds (**no** above), at ${failed.map((o) => int(o.processes)).join(', ')} processes:

- **Calls during a deploy.** Each process starts by sending its ${Math.ceil(p / 10)} calls at once (a cold start with no throttle
  waits for nothing), and learns how many others share the quota only from the throttles it meets: a
  process at first sends a call or two a second, its share of a crowded quota (${int(largest.processes)} processes) is a call
  every ${(largest.processes / c.quota).toFixed(0)} s or so, and each throttle halves its rate. That costs a few throttled calls per process, so a deploy that meets
  the quota offers several times the calls it needs. The calls that pass keep the quota busy${allReady ? ', and every process, measured or modelled, got its values' : ''}.
- **Time to ready.** The processes that get their first values early climb back and finish; the last few
  wait at low rates while the quota has room, for tens of seconds. The measured fleets show such a tail:
  their slowest took ${x(worstMeasured)} the fastest possible.
- **Steady state above the quota.** Where a fleet needs more calls per TTL than the quota gives (with a
  ${c.ttlS / 60}-minute TTL, from ${int((c.quota * c.ttlS) / Math.ceil(p / 10))} processes: not modelled yet), values refresh less often. They are served
  stale meanwhile, within \`maxStaleMs\` (24 hours by default), and every read is answered at once.

Left for later work: a first step after a throttle that costs fewer calls (one batch first, not all), and
the model at 10,000 processes.`
}

## What each scale needs

The model at ${int(largest.processes)} processes with each change (the first row as above):

| change | every process ready | calls until then | steady calls/s | steady throttled | a value refreshes every (median / longest) |
| --- | --- | --- | --- | --- | --- |
${[variantRow('none', largest), ...f.scale.variants.map((v) => variantRow(v.name, v))].join('\n')}

| processes | what the model shows | settings |
| --- | --- | --- |
| up to ~100 | far below the quota at deploy and in steady state | the defaults: TTL 5 min, batching |
| ~1,000 | a deploy offers more than the quota and takes a few minutes; the steady state stays below it | stagger deploys or widen the start window; a TTL of an hour for values that rarely change |
| ~10,000 | not modelled yet (10,000 resolvers take the model 5 GB and more than 10 minutes); by arithmetic the steady state alone needs ${int((10_000 * Math.ceil(p / 10)) / c.ttlS)} calls/s with a ${c.ttlS / 60}-minute TTL, more than the quota: values would refresh less often, served stale meanwhile | fewer, larger parameters (a JSON document per service: one call), a long TTL, an agent per host, SSM's higher-throughput setting (billed per call), or Secrets Manager (10,000 requests/s for \`GetSecretValue\`) |

Powertools Parameters' default TTL is 5 seconds: a process costs it ${Math.ceil(p / 10)} calls every 5 s, so 100 processes
need ${int((100 * Math.ceil(p / 10)) / 5)} calls/s and 10,000 need ${int((10_000 * Math.ceil(p / 10)) / 5)}, against ${c.quota}.
`;
}

/** Renders docs/scaling.md and its charts from `f`; returns the files written. */
export async function renderScaling(f: FleetResults): Promise<string[]> {
  const files: [string, string][] = [];
  for (const [name, spec] of Object.entries(scalingCharts(f))) {
    const outside = await textsOutside(spec);
    if (outside.length > 0) throw new Error(`${name}: text that does not fit: ${outside.join('; ')}`);
    files.push([`docs/images/${name}`, await toSvg(spec)]);
  }
  files.push(['docs/scaling.md', scalingPage(f)]);
  for (const [file, text] of files) writeFileSync(join(root, file), text);
  return files.map(([file]) => file);
}

/** The committed results. */
export const fleetResults = (): FleetResults => JSON.parse(readFileSync(FLEET_RESULTS_FILE, 'utf8')) as FleetResults;

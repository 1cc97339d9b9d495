/**
 * The bench's targets as data: what each compares, the target, the verdict and, for a target that is
 * missed, why, in terms of what the run measured. The budgets (ceilings that the bundle test
 * enforces) come from budgets.json, shared with the tests.
 */
import { readFileSync } from 'node:fs';
import type { Contender, Results } from './results.ts';
import { median } from './stats.ts';

const BUDGETS = JSON.parse(readFileSync(new URL('../budgets.json', import.meta.url), 'utf8')) as {
  readonly ownCodeBytes: number;
  readonly overBareClientBytes: number;
  readonly fetchHandlerBytes: number;
};

/** What "our own code" is: the composable SSM-only resolver, the SDK, lru.min and aws4fetch left out. */
export const OWN_CODE_SOURCE = `export { createResolver } from '@secretref/core'; export { ssmProvider } from '@secretref/ssm';`;

export interface Target {
  readonly name: string;
  readonly measured: string;
  readonly target: string;
  readonly met: boolean;
  /** Why it is missed (shown only then). */
  readonly why: string;
  /** False for a figure shown beside the targets, without a verdict. @default true */
  readonly judged?: boolean;
}

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const x = (ratio: number) => `${ratio.toFixed(2)}x`;
/** Against a budget, in bytes, so that rounding to 0.1 KB hides nothing. */
const budget = (bytes: number, limit: number) =>
  bytes <= limit
    ? `within its budget of ${kb(limit)}`
    : `**over its budget of ${kb(limit)} by ${bytes - limit} bytes**`;

/** Median wall time of a contender's cold starts. */
export const coldMs = (r: Results, form: 'unbundled' | 'bundled', c: Contender): number => median(r.cold[form][c].ms);

/**
 * The form of secretref judged: as installed, the `secretref` package (auto picks fetch); bundled, as
 * the Lambda guide ships it for the smallest bundle (the fetch providers, no SDK client in it: the
 * `secretref` package's bundle carries the three SDK clients, which Node must compile at start).
 */
const JUDGED: Readonly<Record<'unbundled' | 'bundled', Contender>> = {
  unbundled: 'secretref',
  bundled: 'secretref-fetch',
};

function coldTargets(r: Results, form: 'unbundled' | 'bundled'): Target[] {
  const ms = (c: Contender) => coldMs(r, form, c);
  const judged = JUDGED[form];
  const own = ms(judged);
  const { calls, peak } = r.cold[form][judged];
  const together = peak === calls ? 'all in flight together' : `at most ${peak} in flight together`;
  const share = `of secretref's ${own.toFixed(0)} ms, ${r.machine.nodeStartMs.toFixed(0)} ms are Node's own start (an empty script's), and its ${calls} calls of ${r.setup.latencyMs} ms each were ${together}`;
  const label = form === 'unbundled' ? 'unbundled, the secretref package' : 'bundled, the fetch providers';
  const ratio = (peer: Contender, at: number, peerLabel: string, why: string): Target => ({
    name: `cold start (${label}) vs ${peerLabel}`,
    measured: x(own / ms(peer)),
    target: `<= ${at}x`,
    met: own <= at * ms(peer),
    why,
  });
  return [
    ratio(
      'floor',
      1.25,
      'the floor',
      `the floor makes its ${r.cold[form].floor.calls} calls in ${ms('floor').toFixed(0)} ms, signed by aws4fetch over fetch, with no SDK client to load; ${share}; what is left is secretref's own code to load (the resolver, the checks of every answer and option).`,
    ),
    ratio(
      'powertools',
      0.6,
      'Powertools',
      `Powertools takes ${ms('powertools').toFixed(0)} ms with ${r.cold[form].powertools.calls} calls; ${share}. The floor itself is ${x(ms('floor') / ms('powertools'))} Powertools here, so the target asks secretref to be within ${x((0.6 * ms('powertools')) / ms('floor'))} of the floor; it is ${x(own / ms('floor'))}.`,
    ),
    ratio(
      'middy',
      0.7,
      'middy',
      `middy takes ${ms('middy').toFixed(0)} ms with ${r.cold[form].middy.calls} calls; ${share}. The floor itself is ${x(ms('floor') / ms('middy'))} middy here, so the target asks secretref to be within ${x((0.7 * ms('middy')) / ms('floor'))} of the floor; it is ${x(own / ms('floor'))}.`,
    ),
  ];
}

export function targets(r: Results): Target[] {
  const sr = r.cold.unbundled.secretref;
  const packaged = coldMs(r, 'bundled', 'secretref');
  const floorCalls = r.cold.unbundled.floor.calls;
  const over = (r.startup.bundles.secretref?.bytes ?? 0) - (r.startup.bundles['bare SSM client']?.bytes ?? 0);
  const fetchOnly = r.startup.bundles['secretref, fetch only']?.bytes ?? 0;
  return [
    {
      name: 'cold start: calls, all in flight together',
      measured: `${sr.calls} calls, ${sr.peak} in flight together`,
      target: `${floorCalls} (the floor's), all together`,
      met: sr.calls === floorCalls && sr.peak === floorCalls,
      why: 'see the cold start table.',
    },
    ...coldTargets(r, 'unbundled'),
    ...coldTargets(r, 'bundled'),
    {
      name: 'cold start (bundled, the secretref package) vs the floor',
      measured: x(packaged / coldMs(r, 'bundled', 'floor')),
      target: '(shown)',
      met: true,
      why: '',
      judged: false,
    },
    {
      name: 'herd: calls',
      measured: `${r.herd.secretref} for ${r.herd.callers} callers`,
      target: '1',
      met: r.herd.secretref === 1,
      why: 'single flight failed.',
    },
    {
      name: 'warm `await resolve()` vs its floor',
      measured: x(r.warm.resolveRatio),
      target: '<= 1.2x',
      met: r.warm.resolveRatio <= 1.2,
      why: `the floor is the lookup and one clock read (${r.machine.clockReadNs.toFixed(0)} ns here), awaited; the rest is the lookup of the parsed reference and its entry.`,
    },
    {
      name: 'warm: Powertools / secretref',
      measured: x(r.warm.powertoolsRatio),
      target: '>= 3x',
      met: r.warm.powertoolsRatio >= 3,
      why: `Powertools' cached get is ${x(r.warm.powertoolsFloorRatio)} the floor itself in the same turns, so 3x asks secretref's hit to be within ${x(r.warm.powertoolsFloorRatio / 3)} of the floor; it is ${x(r.warm.resolveRatio)}. Both read a clock on a hit (secretref performance.now(), ${r.machine.clockReadNs.toFixed(0)} ns here; Powertools Date.now()).`,
    },
    {
      name: '`peek()` vs its floor',
      measured: x(r.warm.peekRatio),
      target: '<= 1.5x',
      met: r.warm.peekRatio <= 1.5,
      why: 'as for `resolve()`, without the await.',
    },
    {
      name: 'SSM-only bundle vs the bare client',
      measured: `+${kb(over)} (${budget(over, BUDGETS.overBareClientBytes)})`,
      target: '<= +10 KB',
      met: over <= 10 * 1024,
      why: "the difference is secretref's own code (below) with its transports (fetch, the agent, credentials, endpoints, which auto picks from at run time), aws4fetch and lru.min; `ssmFetchProvider` leaves the SDK out instead (the row above). The bundle test holds it under its budget (tools/bench/budgets.json).",
    },
    {
      name: 'SSM-only handler composed for the fetch transport (`ssmFetchProvider`)',
      measured: `${kb(fetchOnly)}, no @aws-sdk/client-* module`,
      target: `<= ${kb(BUDGETS.fetchHandlerBytes)}`,
      met: fetchOnly > 0 && fetchOnly <= BUDGETS.fetchHandlerBytes,
      why: 'the bundle test holds it under the same ceiling (tools/bench/budgets.json).',
    },
    {
      name: 'own code of core + aws + ssm, minified',
      measured: `${kb(r.startup.ownCodeBytes)} (${budget(r.startup.ownCodeBytes, BUDGETS.ownCodeBytes)})`,
      target: '<= 30 KB',
      met: r.startup.ownCodeBytes <= 30 * 1024,
      why: `the target was set at 27.5 KB of core + ssm, before issue 11 checked every answer for its documented shape, reduced AWS error bodies to checked fields, described thrown errors rather than keeping them, redacted every form of a value and checked options on every path (some 15 KB); ${kb(r.startup.ownCodeStringBytes)} of it is string literals, error messages that say what to do above all. The bundle test holds it under its budget.`,
    },
    {
      name: 'throttled after expiry: reads served',
      measured: `${r.throttle.secretref} of ${r.throttle.reads}`,
      target: 'all',
      met: r.throttle.secretref === r.throttle.reads,
      why: 'the last good value was not served.',
    },
  ];
}

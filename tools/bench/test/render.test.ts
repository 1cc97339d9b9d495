import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { charts, textsOutside, toSvg, warmChart } from '../src/render/charts.ts';
import { resultProblems } from '../src/render/check.ts';
import { benchmarksPage } from '../src/render/pages.ts';
import { fleetResults, scalingCharts, scalingPage } from '../src/render/scaling.ts';
import type { Results } from '../src/results.ts';
import { targets } from '../src/targets.ts';
import { RESULTS } from './fixture.ts';

const root = new URL('../../../', import.meta.url);
const committed = JSON.parse(readFileSync(new URL('tools/bench/results.json', root), 'utf8')) as Results;
const fleet = fleetResults();

describe('charts', () => {
  for (const [name, spec] of Object.entries(charts(RESULTS))) {
    it(`${name}: every text lies inside the canvas, none cut short`, async () => {
      expect(await textsOutside(spec)).toEqual([]);
      expect(await toSvg(spec)).toMatch(/^<svg /);
    });
  }

  it('the canvas check finds a label past the edge and one cut short', async () => {
    const spec = warmChart(RESULTS);
    // The charts let Vega size the canvas to what they draw (autosize "pad"); a fixed one shows the check.
    const pushed = {
      ...spec,
      autosize: { type: 'none' },
      layer: [
        ...(spec as { layer: object[] }).layer,
        { mark: { type: 'text', dx: 2000 }, encoding: { text: { value: 'far away' } } },
      ],
    };
    expect((await textsOutside(pushed as typeof spec)).join()).toContain('far away');
    const short = { ...spec, config: { ...spec.config, axis: { labelLimit: 40 } } };
    expect((await textsOutside(short as typeof spec)).join()).toContain('cut short');
  });
});

describe('pages', () => {
  it('show every target with its verdict, and why for each one missed', () => {
    const page = benchmarksPage(RESULTS);
    for (const t of targets(RESULTS)) {
      const verdict = t.judged === false ? 'not judged' : t.met ? 'met' : '**not met**';
      expect(page).toContain(`| ${t.name} | ${t.measured} | ${t.target} | ${verdict} |`);
      if (!t.met) expect(page).toContain(`- **${t.name}**: ${t.why}`);
    }
    expect(page).not.toMatch(/undefined|NaN|Infinity/);
  });

  it('judge ratios from the measurements: the floor, the peers, the budgets', () => {
    const byName = Object.fromEntries(targets(RESULTS).map((t) => [t.name, t]));
    // 552 / 160 ms: not within 1.25x of the floor; 0.8 of it bundled is still 3.45x. Bundled, the fetch
    // providers are judged: 352 / 160 ms, 2.20x.
    expect(byName['cold start (unbundled, the secretref package) vs the floor']).toMatchObject({
      measured: '3.45x',
      met: false,
    });
    expect(byName['cold start (bundled, the fetch providers) vs the floor']).toMatchObject({
      measured: '2.20x',
      met: false,
    });
    expect(byName['cold start (bundled, the secretref package) vs the floor']).toMatchObject({
      measured: '3.45x',
      judged: false,
    });
    expect(byName['herd: calls']?.met).toBe(true);
    expect(byName['warm: Powertools / secretref']).toMatchObject({ measured: '3.20x', met: true });
    expect(byName['own code of core + aws + ssm, minified']?.measured).toBe('44.3 KB (within its budget of 69.0 KB)');
  });

  it('scaling.md has the measured fleets beside their model, and the model at each size', () => {
    const page = scalingPage(fleet);
    for (const run of fleet.runs) expect(page).toMatch(new RegExp(`^\\| ${run.processes} \\|`, 'm'));
    for (const o of fleet.scale.sizes)
      expect(page).toMatch(new RegExp(`^\\| ${o.processes.toLocaleString('en-US')} \\|`, 'm'));
    for (const v of fleet.scale.variants) expect(page).toContain(`| ${v.name} |`);
    expect(page).toContain('**40 requests/s**');
    expect(page).not.toMatch(/undefined|NaN/);
  });
});

describe('results that cannot be rendered', () => {
  it('are refused with what is wrong: NaN, zeros, negatives, missing runs and bundles', () => {
    const broken = structuredClone(RESULTS) as unknown as {
      warm: { resolve: number };
      cold: { bundled: { floor: { ms: number[] } }; unbundled: { sdk: { ms: number[]; count: number } } };
      startup: { bundles: Record<string, unknown> };
      throttle: { reads: number };
      scale: { bytesPerEntry: number };
    };
    broken.warm.resolve = Number.NaN;
    broken.cold.bundled.floor.ms = [0, 0];
    broken.cold.unbundled.sdk.ms = [];
    broken.startup.bundles = { secretref: { bytes: 1, importMs: 1 } };
    broken.throttle.reads = 0;
    broken.scale.bytesPerEntry = -1;
    delete (broken as { herd?: { secretref?: number } }).herd?.secretref;
    (broken as unknown as { warm: { resolveRatio: number } }).warm.resolveRatio = 0;
    const problems = resultProblems(broken as unknown as Results).join('\n');
    for (const expected of [
      'warm.resolve is NaN',
      'cold.bundled.floor has a run that is no time > 0',
      'cold.unbundled.sdk has no runs',
      'no "bare SSM client"',
      'throttle.reads must be at least 1',
      'scale.bytesPerEntry is -1',
      'herd.secretref is missing',
      'warm.resolveRatio is 0',
    ]) {
      expect(problems).toContain(expected);
    }
    expect(resultProblems(RESULTS)).toEqual([]);
    expect(resultProblems(committed)).toEqual([]);
  });
});

describe('the committed pages and charts', () => {
  it('have every text inside the canvas, none hidden or cut short', async () => {
    for (const spec of Object.values(charts(committed))) expect(await textsOutside(spec)).toEqual([]);
  });

  it('are what tools/bench/results.json renders to (pnpm bench:render)', async () => {
    expect(readFileSync(new URL('docs/benchmarks.md', root), 'utf8')).toBe(benchmarksPage(committed));
    for (const [name, spec] of Object.entries(charts(committed))) {
      expect(readFileSync(new URL(`docs/images/${name}`, root), 'utf8'), name).toBe(await toSvg(spec));
    }
  });

  it('are what tools/bench/fleet-results.json renders to (pnpm bench:render)', async () => {
    expect(readFileSync(new URL('docs/scaling.md', root), 'utf8')).toBe(scalingPage(fleet));
    for (const [name, spec] of Object.entries(scalingCharts(fleet))) {
      expect(await textsOutside(spec), name).toEqual([]);
      expect(readFileSync(new URL(`docs/images/${name}`, root), 'utf8'), name).toBe(await toSvg(spec));
    }
  });
});

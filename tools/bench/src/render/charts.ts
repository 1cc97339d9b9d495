/**
 * Every chart of the docs as a Vega-Lite spec, rendered to SVG by Vega in Node (no browser), and the
 * check that no text of a chart lies outside its canvas or was cut short with an ellipsis.
 */
import { createRequire } from 'node:module';
import opentype from 'opentype.js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Contender, Results } from '../results.ts';
import { coldMs } from '../targets.ts';

const HIGHLIGHT = '#2b6cb0';
const OTHER = '#a0aec0';
const FONT = 'DejaVu Sans, Verdana, sans-serif';

// Text is measured with the font the charts name first (DejaVu Sans, from npm, so that every machine
// measures alike), plus a margin for a viewer that falls back to a wider one; Vega's own estimate
// without a canvas (0.8 em a character) would leave charts half empty.
const fontFile = (name: string) => createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${name}`);
const FONTS = {
  normal: opentype.loadSync(fontFile('DejaVuSans.ttf')),
  bold: opentype.loadSync(fontFile('DejaVuSans-Bold.ttf')),
};
const MARGIN = 1.08;
type TextItem = { fontSize?: number; fontWeight?: string | number; text?: unknown };
const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
metrics.width = (item, text) => {
  const value = [text ?? item.text].flat().join(' ');
  const font = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600 ? FONTS.bold : FONTS.normal;
  return font.getAdvanceWidth(value, item.fontSize ?? 11) * MARGIN;
};

export const CONFIG = {
  font: FONT,
  background: 'white',
  padding: 12,
  // No label is cut short: the canvas check below makes sure each one fits instead.
  axis: { labelLimit: 0, labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelLimit: 480, labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 15, anchor: 'start', subtitleFontSize: 12, subtitlePadding: 6 },
  view: { stroke: null },
} as const;

export const CONTENDER_NAMES: Readonly<Record<Contender, string>> = {
  secretref: 'secretref (auto: fetch)',
  'secretref-fetch': 'secretref, fetch providers (composed)',
  'secretref-sdk': 'secretref (transport sdk)',
  powertools: 'Powertools Parameters',
  middy: 'middy (ssm + secrets-manager)',
  sdk: 'plain SDK, one call per value',
  floor: 'floor: aws4fetch over fetch',
};

/** A horizontal bar per row, its value printed at its end. */
function bars(
  title: string,
  rows: readonly { label: string; value: number; highlight?: boolean }[],
  unit: string,
  subtitle?: string,
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: subtitle ? { text: title, subtitle } : title,
    width: 420,
    height: { step: 32 },
    data: {
      values: rows.map((row) => ({
        ...row,
        text: `${unit === 'KB' ? row.value.toFixed(1) : row.value} ${unit}`,
        highlight: row.highlight ?? false,
      })),
    },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null },
      x: { field: 'value', type: 'quantitative', title: unit, axis: { grid: false, tickCount: 5 } },
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 3, height: 22 },
        encoding: {
          color: {
            field: 'highlight',
            type: 'nominal',
            scale: { domain: [true, false], range: [HIGHLIGHT, OTHER] },
            legend: null,
          },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 5, fontSize: 12 }, encoding: { text: { field: 'text' } } },
    ],
  };
}

function coldChart(r: Results): TopLevelSpec {
  const forms = ['unbundled', 'bundled with esbuild'] as const;
  const rows = (Object.keys(CONTENDER_NAMES) as Contender[]).flatMap((c) =>
    forms.map((form) => ({
      label: CONTENDER_NAMES[c],
      form,
      value: Math.round(coldMs(r, form === 'unbundled' ? 'unbundled' : 'bundled', c)),
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: {
      text: `Cold start: ${r.setup.parameters} SecureStrings + ${r.setup.secrets} secrets (ms from process start, lower is better)`,
      subtitle: `median of ${r.setup.rounds} runs; ${r.setup.latencyMs} ms added to every request; Node's own start: ${r.machine.nodeStartMs.toFixed(0)} ms`,
    },
    width: 420,
    data: { values: rows.map((row) => ({ ...row, text: `${row.value} ms` })) },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null },
      yOffset: { field: 'form', type: 'nominal', sort: [...forms] },
      x: { field: 'value', type: 'quantitative', title: 'ms', axis: { grid: false, tickCount: 5 } },
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 3 },
        encoding: {
          color: {
            field: 'form',
            type: 'nominal',
            sort: [...forms],
            scale: { range: [HIGHLIGHT, '#90cdf4'] },
            legend: { orient: 'bottom', title: null },
          },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 5, fontSize: 11 }, encoding: { text: { field: 'text' } } },
    ],
  };
}

export function warmChart(r: Results): TopLevelSpec {
  const w = r.warm;
  return bars(
    'Warm hit (ns per call, lower is better)',
    [
      { label: 'floor: await (clock read + map.get)', value: Math.round(w.floor) },
      { label: 'await resolve()', value: Math.round(w.resolve), highlight: true },
      { label: 'floor: clock read + map.get (sync)', value: Math.round(w.syncFloor) },
      { label: 'peek() (sync)', value: Math.round(w.peek), highlight: true },
      { label: 'Powertools get() (cached)', value: Math.round(w.powertools) },
    ],
    'ns',
    `medians of ${w.turns} paired turns; a clock read costs ${r.machine.clockReadNs.toFixed(0)} ns here`,
  );
}

function bundleChart(r: Results): TopLevelSpec {
  return bars(
    'SSM-only Lambda handler, esbuild minified (KB, smaller is better)',
    Object.entries(r.startup.bundles).map(([name, b]) => ({
      label: name,
      value: Math.round(b.bytes / 102.4) / 10,
      highlight: name.startsWith('secretref'),
    })),
    'KB',
  );
}

/** The life of a cached value (docs/caching.md): no measurement, the rules drawn to scale. */
function cacheLifecycleChart(): TopLevelSpec {
  const stale = 1.7;
  const end = 2;
  const lanes = [
    'fresh: every resolve is a hit, no call',
    'expired: the next resolve refreshes, one call for all callers',
    'refreshes fail transiently: the last good value is served',
    'still failing after maxStaleMs: the error is thrown',
  ];
  const phases = [
    { lane: lanes[0], from: 0, to: 0.9, phase: 'fresh' },
    { lane: lanes[0], from: 0.9, to: 1, phase: 'jitter: expires in the last 10% of the TTL' },
    { lane: lanes[1], from: 0.9, to: end, phase: 'refresh on the next resolve' },
    { lane: lanes[2], from: 0.9, to: stale, phase: 'last good value served' },
    { lane: lanes[3], from: stale, to: end, phase: 'error thrown' },
  ];
  const ticks: Record<string, string> = { 0: '0', 1: 'TTL', [stale]: 'expiry + maxStaleMs' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: {
      text: 'The life of a cached value',
      subtitle: [
        'Transient: throttled, 5xx, timed out. Not found and access denied are never masked:',
        'they drop the cached value and are thrown at once.',
      ],
    },
    width: 420,
    height: { step: 30 },
    data: { values: phases },
    mark: { type: 'bar', height: 22, cornerRadius: 3 },
    encoding: {
      y: { field: 'lane', type: 'nominal', sort: lanes, title: null, axis: { labelFontSize: 12 } },
      x: {
        field: 'from',
        type: 'quantitative',
        scale: { domain: [0, end] },
        title: 'time since the value was fetched',
        axis: {
          values: Object.keys(ticks).map(Number),
          labelExpr: `${JSON.stringify(ticks)}[datum.value] || ''`,
          grid: false,
        },
      },
      x2: { field: 'to' },
      color: {
        field: 'phase',
        type: 'nominal',
        sort: phases.map((p) => p.phase),
        scale: { range: ['#2e7d32', '#9ccc65', '#1565c0', '#ef6c00', '#c62828'] },
        legend: { orient: 'bottom', title: null, columns: 2 },
      },
    },
  };
}

/** Renders a spec to SVG. */
export async function toSvg(spec: TopLevelSpec): Promise<string> {
  // Clip and gradient ids count up across renders: each chart starts from the same ones.
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}

interface SceneNode {
  marktype?: string;
  items?: SceneNode[];
  x?: number;
  y?: number;
  text?: unknown;
  limit?: number;
  opacity?: number;
  bounds?: { x1: number; y1: number; x2: number; y2: number };
}

/**
 * The texts of a chart that lie (partly) outside its canvas or end in an ellipsis, with Vega's own
 * measure of each text's bounds. Empty when every text fits.
 */
export async function textsOutside(spec: TopLevelSpec): Promise<string[]> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  const svg = await view.toSVG();
  const [width, height] = (svg.match(/viewBox="0 0 ([\d.]+) ([\d.]+)"/)?.slice(1) ?? []).map(Number);
  const [ox, oy] = view.origin();
  const pad = view.padding() as { left: number; top: number };
  const bad: string[] = [];
  const walk = (node: SceneNode, dx: number, dy: number) => {
    if (node.marktype === undefined) {
      for (const mark of node.items ?? []) walk(mark, dx, dy);
      return;
    }
    for (const item of node.items ?? []) {
      if (node.marktype === 'group') walk(item, dx + (item.x ?? 0), dy + (item.y ?? 0));
      if (node.marktype !== 'text' || item.bounds === undefined) continue;
      const text = [item.text].flat().join(' ');
      if (text === '') continue;
      const b = item.bounds;
      const [x1, y1, x2, y2] = [b.x1 + dx, b.y1 + dy, b.x2 + dx, b.y2 + dy];
      const cut = (item.limit ?? 0) > 0 && metrics.width(item, text) > (item.limit ?? 0);
      // Vega hides labels that would overlap (opacity 0): a hidden tick label is one a reader misses.
      if (item.opacity === 0) {
        bad.push(`"${text}" hidden (it would overlap another label)`);
        continue;
      }
      if (x1 < 0 || y1 < 0 || x2 > (width ?? 0) || y2 > (height ?? 0) || cut || text.includes('…')) {
        bad.push(
          `"${text}"${cut ? ' cut short' : ''} at ${x1.toFixed(0)},${y1.toFixed(0)}..${x2.toFixed(0)},${y2.toFixed(0)} of ${width}x${height}`,
        );
      }
    }
  };
  walk((view.scenegraph() as unknown as { root: SceneNode }).root, ox + pad.left, oy + pad.top);
  if (svg.includes('…')) bad.push('a text cut short with an ellipsis');
  view.finalize();
  return bad;
}

/** Every chart of the docs, by file name under docs/images. */
export function charts(r: Results): Record<string, TopLevelSpec> {
  return {
    'bench-cold.svg': coldChart(r),
    'bench-warm.svg': warmChart(r),
    'bench-bundle.svg': bundleChart(r),
    'cache-lifecycle.svg': cacheLifecycleChart(),
  };
}

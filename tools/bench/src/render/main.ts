/**
 * `pnpm bench:render`: docs/benchmarks.md and its charts from tools/bench/results.json, and
 * docs/scaling.md and its charts from tools/bench/fleet-results.json, alone (no moto, no measurement).
 * `pnpm bench` and `pnpm bench:fleet` measure, then render their own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Results } from '../results.ts';
import { charts, textsOutside, toSvg } from './charts.ts';
import { resultProblems } from './check.ts';
import { benchmarksPage } from './pages.ts';
import { fleetResults, renderScaling } from './scaling.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const RESULTS_FILE = join(root, 'tools/bench/results.json');

export async function render(results: Results): Promise<string[]> {
  const problems = resultProblems(results);
  if (problems.length > 0) throw new Error(`results.json cannot be rendered:\n  ${problems.join('\n  ')}`);
  // Everything is made first, then written: a failure leaves every page and chart as it was.
  const files: [string, string][] = [];
  for (const [name, spec] of Object.entries(charts(results))) {
    const outside = await textsOutside(spec);
    if (outside.length > 0) throw new Error(`${name}: text that does not fit: ${outside.join('; ')}`);
    files.push([`docs/images/${name}`, await toSvg(spec)]);
  }
  files.push(['docs/benchmarks.md', benchmarksPage(results)]);
  for (const [file, text] of files) writeFileSync(join(root, file), text);
  return files.map(([file]) => file);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = await render(JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results);
  written.push(...(await renderScaling(fleetResults())));
  console.log(`wrote ${written.join(', ')}`);
}

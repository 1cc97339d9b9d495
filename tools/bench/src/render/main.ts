/**
 * `pnpm bench:render`: docs/benchmarks.md, docs/scaling.md and every chart under docs/images, from
 * tools/bench/results.json alone (no moto, no measurement). `pnpm bench` measures, then calls this.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Results } from '../results.ts';
import { charts, textsOutside, toSvg } from './charts.ts';
import { benchmarksPage, scalingPage } from './pages.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const RESULTS_FILE = join(root, 'tools/bench/results.json');

export async function render(results: Results): Promise<string[]> {
  const written: string[] = [];
  for (const [name, spec] of Object.entries(charts(results))) {
    const outside = await textsOutside(spec);
    if (outside.length > 0) throw new Error(`${name}: text outside the canvas: ${outside.join('; ')}`);
    writeFileSync(join(root, 'docs/images', name), await toSvg(spec));
    written.push(`docs/images/${name}`);
  }
  writeFileSync(join(root, 'docs/benchmarks.md'), benchmarksPage(results));
  writeFileSync(join(root, 'docs/scaling.md'), scalingPage(results));
  return [...written, 'docs/benchmarks.md', 'docs/scaling.md'];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = await render(JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results);
  console.log(`wrote ${written.join(', ')}`);
}

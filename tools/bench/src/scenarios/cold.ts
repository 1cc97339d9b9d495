/**
 * Cold start: every contender in a fresh `node` process (plain JavaScript, no TypeScript loader),
 * unbundled (as installed) and bundled with esbuild (as Lambda users ship it), timed from process
 * start (Node's own start, every import and the calls). Runs are interleaved, every contender and
 * form once per round, so that a drift of the machine hits all alike.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '@secretref/local-aws';
import type { BenchEnv } from '../env.ts';
import { bundle } from '../measure.ts';
import { CONTENDERS, type ColdRuns, type Contender, type Results } from '../results.ts';

const contenders = join(dirname(fileURLToPath(import.meta.url)), '../contenders');

async function runOnce(env: BenchEnv, file: string): Promise<{ ms: number; count: number }> {
  env.proxy.reset();
  const child = startProcess(process.execPath, [file, JSON.stringify(env.fixture)], { env: env.childEnv });
  const { code } = await child.exited;
  const { stdout, stderr } = child.output();
  if (code !== 0) throw new Error(`${file} failed: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number; count: number };
}

export async function measureCold(env: BenchEnv, rounds: number): Promise<Results['cold']> {
  const files = {
    unbundled: Object.fromEntries(CONTENDERS.map((c) => [c, join(contenders, `${c}.mjs`)])),
    bundled: {} as Record<string, string>,
  };
  for (const c of CONTENDERS) {
    files.bundled[c] = (await bundle(`cold-${c}`, `import './${c}.mjs';`, contenders)).file;
  }
  const runs = { unbundled: {} as Record<string, ColdRuns>, bundled: {} as Record<string, ColdRuns> };
  for (let round = 0; round < rounds; round++) {
    for (const form of ['unbundled', 'bundled'] as const) {
      for (const c of CONTENDERS) {
        const { ms, count } = await runOnce(env, files[form][c] as string);
        const previous = runs[form][c];
        runs[form][c] = {
          ms: [...(previous?.ms ?? []), ms],
          calls: env.proxy.count(),
          peak: env.proxy.peakConcurrent,
          count,
        };
      }
    }
  }
  return runs as Results['cold'] & Record<string, Record<Contender, ColdRuns>>;
}

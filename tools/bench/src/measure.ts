/** Measurement helpers: medians, timing loops, bundles and import times. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Nanoseconds per call of `fn`, the median of `rounds` rounds of `iterations` calls. */
export async function nsPerOp(fn: () => unknown, iterations = 200_000, rounds = 5): Promise<number> {
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    results.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return median(results);
}

/** The same for a synchronous function (no `await` in the loop). */
export function nsPerOpSync(fn: () => unknown, iterations = 1_000_000, rounds = 5): number {
  const results: number[] = [];
  let sink: unknown;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = fn();
    results.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  void sink;
  return median(results);
}

/** Turns of a paired measurement. */
export const TURNS = 25;

/**
 * `fn` against its `floor`, measured in turns (`floor`, then `fn`, `rounds` times, the first 3 turns
 * warming up): nanoseconds per call of each (medians), and the median of the per-turn ratios, which a
 * shared machine's drift moves little since both sides of a turn see the same machine.
 */
export async function versus(
  floor: () => unknown,
  fn: () => unknown,
  options: { readonly sync?: boolean; readonly iterations?: number; readonly rounds?: number } = {},
): Promise<{ floorNs: number; ns: number; ratio: number }> {
  const { sync = false, rounds = TURNS } = options;
  const iterations = options.iterations ?? (sync ? 100_000 : 20_000);
  // Each turn starts on a collected heap, so that neither side pays for the other's garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  const turn = async (f: () => unknown) => {
    gc?.();
    return sync ? nsPerOpSync(f, iterations, 1) : nsPerOp(f, iterations, 1);
  };
  const floors: number[] = [];
  const times: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds + 3; r++) {
    const a = await turn(floor);
    const b = await turn(fn);
    if (r < 3) continue;
    floors.push(a);
    times.push(b);
    ratios.push(b / a);
  }
  return { floorNs: median(floors), ns: median(times), ratio: median(ratios) };
}

const work = mkdtempSync(join(tmpdir(), 'secretref-bench-'));

/** Bundles `source` as a Lambda user would (esbuild, ESM, minified, everything in); returns the file and its size. */
export async function bundle(
  name: string,
  source: string,
  resolveDir: string,
  external: string[] = [],
): Promise<{ file: string; bytes: number }> {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    write: false,
    banner: { js: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const file = join(work, `${name}.mjs`);
  writeFileSync(file, code);
  return { file, bytes: code.length };
}

/** Milliseconds to import `file` in a fresh node process, the median of `runs`. */
export const IMPORT_RUNS = 7;
export function importMs(file: string, runs = IMPORT_RUNS): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    times.push(Number(out.trim().split('\n').pop()));
  }
  return median(times);
}

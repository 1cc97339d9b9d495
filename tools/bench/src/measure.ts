/** Measurement helpers: medians, timing loops, bundles and import times. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { median } from './stats.ts';

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
 * Functions measured in turns (each once per turn, each turn starting with the next function, `rounds`
 * turns after 3 to warm up), each measurement on a collected heap so that none pays for another's garbage: nanoseconds per call of each (the
 * median of its turns), and `ratio(a, b)`, the median over turns of `b`'s time over `a`'s, which a
 * shared machine's drift moves little since both sides of a turn see the same machine.
 */
export async function inTurns(
  fns: readonly (() => unknown)[],
  options: { readonly sync?: boolean; readonly iterations?: number; readonly rounds?: number } = {},
): Promise<{ ns: number[]; ratio(a: number, b: number): number }> {
  const { sync = false, rounds = TURNS } = options;
  // Turns of some 25 ms: long enough that a blip of a shared machine is a small part of one.
  const iterations = options.iterations ?? (sync ? 500_000 : 100_000);
  const gc = (globalThis as { gc?: () => void }).gc;
  const times: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds + 3; r++) {
    // Each turn starts with another function, so that none is always the first after a collection.
    for (let k = 0; k < fns.length; k++) {
      const i = (r + k) % fns.length;
      const fn = fns[i] as () => unknown;
      gc?.();
      // Untimed calls first: what a collection costs the next calls is paid outside the measurement.
      if (sync) nsPerOpSync(fn, iterations / 10, 1);
      else await nsPerOp(fn, iterations / 10, 1);
      const ns = sync ? nsPerOpSync(fn, iterations, 1) : await nsPerOp(fn, iterations, 1);
      if (r >= 3) times[i]?.push(ns);
    }
  }
  return {
    ns: times.map(median),
    ratio: (a, b) => median((times[b] ?? []).map((t, turn) => t / (times[a]?.[turn] ?? Number.NaN))),
  };
}

const work = mkdtempSync(join(tmpdir(), 'secretref-bench-'));
// The bundles are the run's own: gone when it ends.
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
process.once('SIGINT', () => process.exit(130));

/** Bundles `source` as a Lambda user would (esbuild, ESM, minified, everything in); returns the file and its size. */
export async function bundle(
  name: string,
  source: string,
  resolveDir: string,
  external: string[] = [],
  // The require an ESM bundle needs for the SDK's CommonJS parts (not for code measured alone).
  banner = true,
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
    ...(banner
      ? { banner: { js: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);" } }
      : {}),
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

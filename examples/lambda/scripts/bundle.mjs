#!/usr/bin/env node
// Bundles the ESM handler (src/handler.ts) as a Lambda user would: esbuild, minified, everything in
// one file, the AWS SDK included (a bundled SDK starts faster than the runtime's). Writes
// dist/handler.mjs.
//
// With --report, also bundles the middy and the CommonJS-style handlers and prints a table: each
// bundle's size and its import time in fresh node processes (the median of several), which is what a
// cold start pays before the first invocation. Importing dist/handler.mjs runs its INIT (top-level
// await), so it needs AWS credentials and a region (AWS_ENDPOINT_URL for a local AWS) and the
// parameters under PARAMETER_PREFIX; the other two resolve on their first invocation only.
//
//   node scripts/bundle.mjs            # dist/handler.mjs
//   node scripts/bundle.mjs --report   # the three bundles, sizes and import times
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Fresh processes per import-time measurement. */
export const RUNS = 5;

// #region bundle
// What a Lambda user's build does: one minified ESM file for Node 20, the AWS SDK inside.
const lambdaBuild = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The SDK's ES module builds: smaller than the CommonJS ones esbuild picks by default for node.
  mainFields: ['module', 'main'],
  // esbuild's ESM output needs `require` for the dependencies that are still CommonJS.
  banner: { js: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);" },
};
// #endregion bundle

/**
 * Bundles `entry` into `outfile` (both relative to examples/lambda) and returns the absolute path of
 * the bundle. `conditions` are extra export conditions: the tests pass `@secretref/source` to bundle
 * the packages' sources rather than their builds (plus `module`, which esbuild drops from its
 * defaults once any condition is given).
 */
export async function bundle(entry = 'src/handler.ts', outfile = 'dist/handler.mjs', { conditions } = {}) {
  const file = join(root, outfile);
  await build({
    ...lambdaBuild,
    ...(conditions ? { conditions: [...conditions, 'module'] } : {}),
    entryPoints: [join(root, entry)],
    outfile: file,
    logLevel: 'warning',
  });
  return file;
}

/**
 * Milliseconds to import `file` (module load plus any top-level await, i.e. INIT) in a fresh node
 * process, the median of `runs`. Throws if the import fails (the error is on the child's stderr).
 */
export function importTime(file, { runs = RUNS, env = process.env } = {}) {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    times.push(Number(out.trim().split('\n').pop()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** The bundles the report measures. */
export const BUNDLES = [
  { entry: 'src/handler.ts', outfile: 'dist/handler.mjs', what: '@secretref/core + ssm *' },
  { entry: 'src/handler-fetch.ts', outfile: 'dist/handler-fetch.mjs', what: '@secretref/core + ssm, fetch only' },
  { entry: 'src/handler-middy.ts', outfile: 'dist/handler-middy.mjs', what: '@secretref/core + ssm + @middy/core' },
  { entry: 'src/handler-cjs-style.ts', outfile: 'dist/handler-cjs-style.mjs', what: 'secretref (every provider)' },
];

/**
 * Bundles and measures every entry of `BUNDLES`: `{ file, what, bytes, importMs }` each, `importMs`
 * being `undefined` when the import failed (`error` then holds the child's stderr).
 */
export async function report({ conditions, runs = RUNS, env = process.env } = {}) {
  const rows = [];
  for (const { entry, outfile, what } of BUNDLES) {
    const file = await bundle(entry, outfile, { conditions });
    const row = { file: relative(root, file), what, bytes: statSync(file).size, importMs: undefined };
    try {
      row.importMs = importTime(file, { runs, env });
    } catch (error) {
      // From the error's first line on: node quotes the failing source line first (a whole minified
      // bundle), and the SDK may print a warning.
      const lines = String(error.stderr ?? error.message).split('\n');
      const at = Math.max(
        0,
        lines.findIndex((line) => /Error\]?: /.test(line)),
      );
      row.error = lines
        .slice(at, at + 4)
        .join('\n')
        .trimEnd();
    }
    rows.push(row);
  }
  return rows;
}

/** The report as a text table. */
export function formatReport(rows, runs = RUNS) {
  const table = [
    ['bundle', 'contents', 'bytes', 'KB', `import ms (median of ${runs})`],
    ...rows.map((row) => [
      row.file,
      row.what,
      String(row.bytes),
      (row.bytes / 1024).toFixed(1),
      row.importMs === undefined ? 'failed (below)' : row.importMs.toFixed(1),
    ]),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((cells) => cells[column].length)));
  const right = new Set([2, 3, 4]);
  const lines = table.map((cells) =>
    cells
      .map((cell, column) => (right.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  lines.push('* its import includes INIT: top-level await resolving its secrets; the others resolve when invoked');
  for (const row of rows.filter((r) => r.error)) {
    lines.push('', `${row.file} did not import (INIT needs AWS credentials, a region and the parameters):`);
    lines.push(row.error);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--report')) {
    process.stdout.write(formatReport(await report()));
  } else {
    const file = await bundle();
    const bytes = statSync(file).size;
    console.log(`${relative(root, file)}  ${bytes} bytes (${(bytes / 1024).toFixed(1)} KB)`);
  }
}

#!/usr/bin/env node
// Bundles the ESM handler (src/handler.ts) as a Lambda user would: esbuild, minified, everything in
// one file, the AWS SDK included (a bundled SDK starts faster than the runtime's). Writes
// dist/handler.mjs. With --report, prints the bundle size and the import time of the bundle in fresh
// node processes (the median of several): what a cold start pays before the handler runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// #region bundle
export async function bundle(entry = 'src/handler.ts', outfile = 'dist/handler.mjs') {
  mkdirSync(join(root, 'dist'), { recursive: true });
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, outfile),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // esbuild's ESM output needs `require` for the SDK's CommonJS dependencies.
    banner: { js: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return join(root, outfile);
}
// #endregion bundle

/** Milliseconds to import `file` (which runs its INIT) in a fresh node process, the median of `runs`. */
export function importTime(file, runs = 5, env = process.env) {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
    times.push(Number(out.trim().split('\n').pop()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = await bundle();
  const bytes = statSync(file).size;
  console.log(`dist/handler.mjs  ${bytes} bytes (${(bytes / 1024).toFixed(1)} KB)`);
  if (process.argv.includes('--report')) {
    // Importing runs INIT, which resolves the secrets: it needs an AWS (or a local one) holding them.
    if (!process.env.AWS_ENDPOINT_URL && !process.env.AWS_REGION) {
      console.log('import time: set AWS_REGION (and AWS_ENDPOINT_URL for a local AWS) to measure import + INIT');
    } else {
      console.log(`import + INIT (median of 5 fresh processes)  ${importTime(file).toFixed(1)} ms`);
    }
  }
}

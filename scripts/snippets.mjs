#!/usr/bin/env node
// Keeps the code in the docs identical to the examples that really run. A docs block
//   <!-- snippet: examples/demo/src/main.ts#resolve-all -->
//   ```ts
//   ...
//   ```
// must equal the lines between `// #region resolve-all` and `// #endregion resolve-all` in that
// file (dedented). Tables of defaults are written from the code too (below). `node
// scripts/snippets.mjs` checks; `--write` updates the docs.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const write = process.argv.includes('--write');
const MARKER = /<!-- snippet: ([^#\s]+)#([\w-]+) -->\n```(\w*)\n([\s\S]*?)```/g;

function markdownFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(dir, entry.name))
      : entry.name.endsWith('.md')
        ? [join(dir, entry.name)]
        : [],
  );
}

function region(file, name) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  const end = lines.findIndex((line) => line.trim() === `// #endregion ${name}`);
  if (start === -1 || end <= start) throw new Error(`${file} has no region "${name}"`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return `${body.map((l) => l.slice(indent)).join('\n')}\n`;
}

let stale = 0;

// Tables of defaults: a table after `<!-- defaults -->` has an option (`ttlMs`) in its first column
// and that option's default in its second. The second column is written from `DEFAULTS` in
// packages/core/src/options.ts, and each `@default` of those options in packages/core/src/types.ts
// must say the same number: the defaults are written once, in code.
const DEFAULTS_TABLE = /<!-- defaults -->\n((?:\|.*\|\n)+)/g;

function readDefaults() {
  const source = readFileSync(join(root, 'packages/core/src/options.ts'), 'utf8');
  const literal = /export const DEFAULTS[\s\S]*?= Object\.freeze\(\{([\s\S]*?)\}\);/.exec(source);
  if (!literal) throw new Error('packages/core/src/options.ts: no `DEFAULTS = Object.freeze({...})`');
  const defaults = new Map();
  for (const line of literal[1].split('\n')) {
    if (!line.trim()) continue;
    const entry = /^\s*(\w+): ([\d_.]+),$/.exec(line);
    if (!entry) throw new Error(`packages/core/src/options.ts: DEFAULTS holds "${line.trim()}", not a number`);
    defaults.set(entry[1], Number(entry[2].replaceAll('_', '')));
  }
  return defaults;
}

/** `300000` (5 min) for a duration in ms, `1000` for any other number. */
function shown(name, value) {
  if (!name.endsWith('Ms')) return `\`${value}\``;
  for (const [size, unit] of [
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ]) {
    if (value >= size && value % size === 0) return `\`${value}\` (${value / size} ${unit})`;
  }
  return `\`${value}\` ms`;
}

function cells(row) {
  return row
    .slice(1, -1)
    .split('|')
    .map((cell) => cell.trim());
}

function formatTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(3, ...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map((row, r) =>
      r === 1
        ? `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`
        : `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`,
    )
    .join('\n');
}

const defaults = readDefaults();
function withDefaults(doc, text) {
  return text.replace(DEFAULTS_TABLE, (block, table) => {
    const rows = table.trimEnd().split('\n').map(cells);
    for (const row of rows.slice(2)) {
      const name = /^`(\w+)`$/.exec(row[0])?.[1];
      if (name !== undefined && defaults.has(name)) row[1] = shown(name, defaults.get(name));
    }
    const wanted = `<!-- defaults -->\n${formatTable(rows)}\n`;
    if (wanted !== block) {
      stale++;
      console.error(`${doc}: a table of defaults differs from DEFAULTS in packages/core/src/options.ts`);
    }
    return wanted;
  });
}

{
  const file = readFileSync(join(root, 'packages/core/src/types.ts'), 'utf8');
  const types = /export interface ResolverOptions \{[\s\S]*?\n\}/.exec(file)?.[0] ?? '';
  for (const [name, value] of defaults) {
    const doc = new RegExp(`@default (\\S+)[^\\n]*\\n\\s*readonly ${name}\\?`).exec(types);
    if (!doc || Number(doc[1]) !== value) {
      stale++;
      console.error(`packages/core/src/types.ts: the @default of ${name} is not ${value}, as DEFAULTS says`);
    }
  }
}

for (const doc of ['README.md', ...markdownFiles('docs')]) {
  const text = readFileSync(join(root, doc), 'utf8');
  const updated = withDefaults(doc, text).replace(MARKER, (block, file, name, lang, code) => {
    const wanted = region(file, name);
    if (code === wanted) return block;
    stale++;
    console.error(`${doc}: the snippet ${file}#${name} differs from the example`);
    return `<!-- snippet: ${file}#${name} -->\n\`\`\`${lang}\n${wanted}\`\`\``;
  });
  if (write && updated !== text) writeFileSync(join(root, doc), updated);
}
if (stale > 0 && !write) {
  console.error('run `node scripts/snippets.mjs --write` to update them');
  process.exit(1);
}

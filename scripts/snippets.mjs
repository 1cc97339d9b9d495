#!/usr/bin/env node
// Keeps the code in the docs identical to the examples that really run. A docs block
//   <!-- snippet: examples/demo/src/main.ts#resolve-all -->
//   ```ts
//   ...
//   ```
// must equal the lines between `// #region resolve-all` and `// #endregion resolve-all` in that
// file (dedented). `node scripts/snippets.mjs` checks; `--write` updates the docs.
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
for (const doc of ['README.md', ...markdownFiles('docs')]) {
  const text = readFileSync(join(root, doc), 'utf8');
  const updated = text.replace(MARKER, (block, file, name, lang, code) => {
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

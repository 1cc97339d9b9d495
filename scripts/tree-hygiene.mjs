#!/usr/bin/env node
// Fails on what should never be committed: tracked empty files (but .gitkeep), temporary or merge
// leftovers (_tmp_*, *.orig, *.rej, *~), a module under packages/*/src over 300 lines (split it by
// what it does), and import cycles in the packages and tools (madge).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
const problems = [];
const MAX_LINES = 300;
for (const file of tracked) {
  const name = file.split('/').pop() ?? file;
  if (/_tmp_|\.orig$|\.rej$|~$/.test(name)) problems.push(`${file}: a temporary or merge leftover`);
  let size;
  try {
    size = statSync(join(root, file)).size;
  } catch {
    continue; // deleted in the working tree
  }
  if (size === 0 && name !== '.gitkeep') problems.push(`${file}: an empty file`);
  if (/^packages\/[^/]+\/src\/.*\.ts$/.test(file)) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n').length - 1;
    if (lines > MAX_LINES) problems.push(`${file}: ${lines} lines, over ${MAX_LINES}`);
  }
}
// The README's layout: every folder of packages/, tools/ and examples/ is in it, every file it names
// exists, and every module of packages/core/src is named (the core is what a newcomer reads first).
{
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## How the code is laid out\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) problems.push('README.md: no "How the code is laid out" block');
  else {
    const dirs = new Set(
      tracked.map((file) => /^((?:packages|tools|examples)\/[^/]+)\//.exec(file)?.[1]).filter(Boolean),
    );
    let section = '';
    const named = new Set();
    for (const line of block.split('\n')) {
      const top = /^(packages|tools|examples|docs|scripts)\/(\S*)/.exec(line);
      if (top) section = top[2] ? `${top[1]}/${top[2].replace(/\/$/, '')}` : top[1];
      const inPackages = /^ {2}([\w-]+)\/\s/.exec(line);
      if (inPackages && section.startsWith('packages')) section = `packages/${inPackages[1]}`;
      if (section.includes('/')) named.add(section);
      for (const [file] of line.matchAll(/[\w./-]+\.(?:ts|mjs)\b/g)) {
        const path = file.includes('/') ? `${section}/${file}` : `${section}/src/${file}`;
        const found =
          tracked.some((t) => t === path) || tracked.some((t) => t.startsWith(`${section}/`) && t.endsWith(`/${file}`));
        if (section.includes('/') && !found)
          problems.push(`README.md layout: ${file} (under ${section}) is not in the tree`);
        named.add(path);
      }
    }
    for (const dir of dirs) if (!named.has(dir)) problems.push(`README.md layout: ${dir} is missing from it`);
    for (const file of tracked.filter((t) => /^packages\/core\/src\/[\w-]+\.ts$/.test(t) && !t.endsWith('/index.ts'))) {
      if (![...named].some((n) => n === file)) problems.push(`README.md layout: ${file} is not named in it`);
    }
  }
}
const graph = await madge(
  ['packages', 'tools'].map((dir) => join(root, dir)),
  { fileExtensions: ['ts'], excludeRegExp: [/node_modules/, /\/dist\//, /\/test\//] },
);
for (const cycle of graph.circular()) problems.push(`import cycle: ${cycle.join(' -> ')}`);
if (problems.length > 0) {
  console.error(`tree hygiene:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`tree hygiene: ${tracked.length} tracked files, no empty or temporary file, no import cycle`);

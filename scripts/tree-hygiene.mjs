#!/usr/bin/env node
// Fails on what should never be committed: tracked empty files (but .gitkeep), temporary or merge
// leftovers (_tmp_*, *.orig, *.rej, *~), and import cycles in the packages and tools (madge).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
const problems = [];
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

#!/usr/bin/env node
// Runs a root task (`test:all`, `demo:run`) on a fresh machine: checks Node, finds the pinned pnpm
// (or runs it through npx), installs the dependencies from the lockfile, then runs the task.
// `npm test` and `npm run demo` call this, so Node 20+ (and Python 3 with moto) is all it takes.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM = '12.4.2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const task = process.argv[2];
if (!task) {
  console.error('usage: node scripts/run.mjs <task>');
  process.exit(2);
}
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`secretref needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

const windows = process.platform === 'win32';
const version = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: windows });
const pnpm = version.status === 0 && version.stdout.trim() === PNPM ? ['pnpm'] : ['npx', '--yes', `pnpm@${PNPM}`];

function run(args) {
  const [command, ...rest] = [...pnpm, ...args];
  const result = spawnSync(command, rest, {
    cwd: root,
    stdio: 'inherit',
    shell: windows,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(['install', '--frozen-lockfile']);
run(['run', task]);

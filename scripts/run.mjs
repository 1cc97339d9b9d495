#!/usr/bin/env node
// Runs a root task (`test:all`, `demo:run`) on a fresh machine: checks Node, finds the pinned pnpm
// (or installs it into .tools/), installs the dependencies from the lockfile, then runs the task.
// `npm test` and `npm run demo` call this, so Node 20+ (and Python 3 with moto) is all it takes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
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
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const version = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: windows });
if (version.status !== 0 || version.stdout.trim() !== PNPM) {
  // No pnpm, or another version: install the pinned one into .tools/ (no global change; its install
  // script links the platform binary, so it is allowed to run) and put it
  // first on PATH, so that scripts calling `pnpm`, and publint, find it too.
  const prefix = join(root, '.tools', 'pnpm');
  const bin = join(prefix, 'node_modules', '.bin');
  const installed = spawnSync(join(bin, windows ? 'pnpm.cmd' : 'pnpm'), ['--version'], {
    encoding: 'utf8',
    shell: windows,
  });
  if (installed.status !== 0 || installed.stdout.trim() !== PNPM) {
    console.log(`installing pnpm ${PNPM} into .tools/pnpm`);
    mkdirSync(prefix, { recursive: true });
    // npm 11 runs install scripts only for packages allowed in the project's .npmrc.
    writeFileSync(join(prefix, '.npmrc'), 'allow-scripts=pnpm\n');
    const npm = spawnSync(
      'npm',
      ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `pnpm@${PNPM}`],
      {
        stdio: 'inherit',
        shell: windows,
      },
    );
    if (npm.status !== 0) process.exit(npm.status ?? 1);
  }
  env.PATH = `${bin}${delimiter}${env.PATH ?? ''}`;
}

function run(args) {
  const result = spawnSync('pnpm', args, { cwd: root, stdio: 'inherit', shell: windows, env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(['install', '--frozen-lockfile']);
run(['run', task]);

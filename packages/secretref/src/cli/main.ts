#!/usr/bin/env node
/** The `secretref` command. Everything it does is in `run`, which tests drive as a real process. */
import { run } from './run.ts';

process.exitCode = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

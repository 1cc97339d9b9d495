/**
 * `secretref exec [--mask] -- <cmd> [args...]`: resolves the references in the environment (as
 * `loadEnv`), runs the command with them, forwards signals, and exits with the command's exit code.
 */
import { spawn } from 'node:child_process';
import { createResolver, resolveEnvWith } from '@secretref/core';
import { awsProviders } from '../default.ts';
import { describeError, EXIT, type Io, parseCommandArgs, UsageError } from './io.ts';
import { MIN_MASKED_LENGTH, maskersFor } from './mask.ts';

const USAGE = `Usage: secretref exec [--mask] -- <command> [args...]

Resolves every reference in the environment (ssm:/app/db, {{resolve:...}}, secret ARNs, templates
with {{ reference }} parts), then runs the command with the resolved values. Signals (SIGINT,
SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2) are forwarded to it; secretref exits with its exit
code, or with its signal. If any reference fails, the command is not run.

Options:
  --mask      replace the resolved values (${MIN_MASKED_LENGTH} characters or longer) in the command's stdout and
              stderr with *****; also the strings and numbers inside a JSON value, the text
              a base64 (as=binary) value decodes to, and each of them JSON-escaped (as
              JavaScript, Python and Go write it), JSON-escaped twice, as a Python repr, in
              base64 and hex, URL-encoded, and a number grouped (123,456)
  -h, --help  this help

Exit codes: the command's; 1 a reference failed; 2 usage; 127 the command could not be started.
`;

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/** Runs `secretref exec`; returns the exit code (or never returns, when the child died of a signal). */
export async function execCommand(args: readonly string[], io: Io): Promise<number> {
  // Everything from the command word on is the command's, as if -- stood before it: in
  // `secretref exec node app.js --mask`, --mask is node's argument, not secretref's option.
  const first = args.findIndex((arg) => arg === '--' || !arg.startsWith('-'));
  const own = first === -1 || args[first] === '--' ? [...args] : [...args.slice(0, first), '--', ...args.slice(first)];
  const { values, positionals } = parseCommandArgs('exec', {
    args: own,
    options: { mask: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const [command, ...commandArgs] = positionals;
  if (command === undefined) throw new UsageError('exec needs a command: secretref exec -- <command> [args...]');
  // The command's own resolver, disposed once the environment is resolved: the process's default one
  // is left alone.
  const resolver = createResolver({ providers: awsProviders() });
  let resolution: Awaited<ReturnType<typeof resolveEnvWith>>;
  try {
    resolution = await resolveEnvWith(resolver, { env: io.env });
  } finally {
    resolver.dispose();
  }
  const failed = Object.entries(resolution.errors).sort(([a], [b]) => (a < b ? -1 : 1));
  if (failed.length > 0) {
    // One prefix, the CLI's; then per variable its code, its scheme and what is wrong.
    const lines = failed.map(([name, error]) => `  ${name}: ${error.code} ${describeError(error)}`);
    const total = Object.keys(resolution.references).length;
    io.stderr.write(
      `secretref exec: ${failed.length} of ${total} variable${total === 1 ? '' : 's'} could not be resolved; the command was not run:\n${lines.join('\n')}\n`,
    );
    return EXIT.failure;
  }
  const env: Record<string, string | undefined> = { ...io.env, ...resolution.values };
  for (const name of resolution.unset) delete env[name];
  const mask = values.mask === true;
  // An environment cannot hold a NUL: spawn would refuse it, quoting the value in its error.
  const nul = Object.keys(resolution.values).find((name) => resolution.values[name]?.includes('\0'));
  if (nul !== undefined) {
    io.stderr.write(
      `secretref exec: ${nul} resolved to a value with a NUL character, which an environment cannot hold; the command was not run\n`,
    );
    return EXIT.failure;
  }
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(command, commandArgs, {
      env,
      stdio: ['inherit', mask ? 'pipe' : 'inherit', mask ? 'pipe' : 'inherit'],
    });
  } catch (error) {
    // Its message may quote the environment: the code alone.
    const code = (error as { code?: unknown } | null)?.code;
    io.stderr.write(`secretref exec: cannot run "${command}": ${typeof code === 'string' ? code : 'spawn failed'}\n`);
    return 127;
  }
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
  };
  const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const flushed: Promise<void>[] = [];
  if (mask) {
    // Each reference's value as the environment holds it; the masker adds the forms it is printed in.
    const secrets = Object.values(resolution.references).flatMap((refs) =>
      refs.flatMap(({ value }) => (value === undefined ? [] : [value])),
    );
    const createMasker = maskersFor(secrets);
    for (const [from, to] of [
      [child.stdout, io.stdout],
      [child.stderr, io.stderr],
    ] as const) {
      if (!from) continue;
      const masked = from.pipe(createMasker());
      masked.pipe(to as NodeJS.WritableStream, { end: false });
      flushed.push(new Promise((resolve) => masked.on('end', resolve)));
    }
  }
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: Error }>(
    (resolve) => {
      child.on('error', (error) => resolve({ error }));
      child.on('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  await Promise.all(flushed);
  for (const [signal, handler] of handlers) process.off(signal, handler);
  if ('error' in outcome) {
    io.stderr.write(
      `secretref exec: cannot run "${command}": ${(outcome.error as NodeJS.ErrnoException).code ?? outcome.error.message}\n`,
    );
    return 127;
  }
  if (outcome.signal) {
    // Die of the same signal, so that whoever started secretref sees what happened to the command.
    process.kill(process.pid, outcome.signal);
    return 128;
  }
  return outcome.code ?? EXIT.failure;
}

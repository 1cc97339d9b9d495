/** The `secretref` command line: dispatches to a command, maps errors to exit codes. */
import { InvalidOptionError, InvalidReferenceError, UnknownSchemeError } from '@secretref/core';
import { VERSION } from '../version.ts';
import { checkCommand } from './check.ts';
import { encryptCommand } from './encrypt.ts';
import { execCommand } from './exec.ts';
import { getCommand } from './get.ts';
import { describeError, EXIT, type Io, UsageError } from './io.ts';

const USAGE = `Usage: secretref <command> [options]

Commands:
  get       resolve one reference and print its value
  exec      resolve the references in the environment and run a command with them
  check     resolve every reference in the environment and print a table of ok / failures
  encrypt   encrypt a value with AWS KMS and print a kms: reference

Options:
  -v, --version  print the version of secretref
  -h, --help     this help

Run "secretref <command> --help" for a command's options.
Exit codes: 0 ok, 1 failure, 2 usage.
`;

// A Map, not an object: `secretref constructor` or `secretref __proto__` must not find what every
// object inherits.
const COMMANDS: ReadonlyMap<string, (args: readonly string[], io: Io) => Promise<number>> = new Map([
  ['get', getCommand],
  ['exec', execCommand],
  ['check', checkCommand],
  ['encrypt', encryptCommand],
]);

/** Runs the command line `args` (without `node` and the script); returns the exit code. */
export async function run(args: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    // Quoted only when it looks like a command word: a value pasted in the wrong place is not echoed.
    const shown = /^[a-z][a-z-]{0,15}$/.test(name) ? ` "${name}"` : '';
    io.stderr.write(`secretref: unknown command${shown}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    // A parseArgs error (ERR_PARSE_ARGS_*) that no command turned into its own (parseCommandArgs does):
    // Node's message quotes the argument, which may be a secret pasted in the wrong place.
    const parseArgsError = String((error as { code?: unknown } | null)?.code).startsWith('ERR_PARSE_ARGS');
    if (
      parseArgsError ||
      error instanceof UsageError ||
      error instanceof InvalidOptionError ||
      error instanceof InvalidReferenceError ||
      error instanceof UnknownSchemeError
    ) {
      const message = parseArgsError ? 'its arguments could not be read' : describeError(error);
      io.stderr.write(`secretref ${name}: ${message}\nRun "secretref ${name} --help" for its options.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`secretref ${name}: ${describeError(error)}\n`);
    return EXIT.failure;
  }
}

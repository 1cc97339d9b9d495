/** `secretref get <ref> [--json]`: prints one value, and nothing else, to stdout. */
import { createResolver } from '@secretref/core';
import { awsProviders } from '../default.ts';
import { EXIT, type Io, parseCommandArgs, UsageError } from './io.ts';

const USAGE = `Usage: secretref get <reference> [--json]

Resolves one reference and prints its value with a trailing newline: nothing else goes to stdout.
A JSON value (a #key of an object, as=json, an SSM path) is printed as JSON; bytes (as=binary) are
written as they are, without a newline. An optional reference (?optional=true) to a value that does
not exist prints nothing and exits 0, so that X=$(secretref get 'ssm:/app/flag?optional=true') is empty.

Options:
  --json      print the value as JSON (a string in quotes)
  -h, --help  this help

Exit codes: 0 ok, 1 resolution failure (message on stderr), 2 usage or an invalid reference.
`;

/** Runs `secretref get`; returns the exit code. */
export async function getCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('get', {
    args: [...args],
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  // Counted, never quoted: an extra argument may be a value pasted in the wrong place.
  if (positionals.length !== 1)
    throw new UsageError(`get takes exactly one reference (it was given ${positionals.length || 'none'})`);
  // The command's own resolver, disposed when it is done: the process's default one is left alone.
  const resolver = createResolver({ providers: awsProviders() });
  try {
    const value: unknown = await resolver.resolve(positionals[0] as string);
    // An optional reference to a missing value: no output at all, neither "undefined" nor an empty line.
    if (value === undefined) return EXIT.ok;
    if (value instanceof Uint8Array && !values.json) {
      io.stdout.write(value);
    } else if (values.json || typeof value !== 'string') {
      io.stdout.write(
        `${JSON.stringify(value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value)}\n`,
      );
    } else {
      io.stdout.write(`${value}\n`);
    }
    return EXIT.ok;
  } finally {
    resolver.dispose();
  }
}

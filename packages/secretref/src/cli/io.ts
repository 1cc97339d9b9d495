import { type ParseArgsConfig, parseArgs } from 'node:util';
import { SecretrefError, UnknownSchemeError } from '@secretref/core';

/** What a command reads and writes: the process's streams, or a test's. */
export interface Io {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Record<string, string | undefined>;
}

/** Exit codes of every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A usage error: the message and the command's usage go to stderr, and the exit code is 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * An error as the CLI prints it after its own `secretref <command>: ` prefix: `[scheme] detail` for a
 * secretref error (its message without the `[secretref] ` prefix), the message of anything else.
 */
export function describeError(error: unknown): string {
  if (error instanceof SecretrefError) {
    // An UnknownSchemeError's scheme is the one nobody handles: its detail says so already.
    return error.scheme === undefined || error instanceof UnknownSchemeError
      ? error.detail
      : `[${error.scheme}] ${error.detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Reads a stream to the end. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}

/** What a command says about its arguments when they are wrong (see `parseCommandArgs`). */
export interface ArgumentHints {
  /** Added to "<command> takes no arguments": where the input goes instead. */
  readonly noArguments?: string;
}

/**
 * `parseArgs(config)`, with the errors of its own: Node's messages quote the argument (`Unexpected
 * argument 'MyS3CR3T'`), and an argument may be a secret pasted in the wrong place. An argument is
 * named by its position, an option by its name (only when it looks like one), never a value.
 */
export function parseCommandArgs<const T extends ParseArgsConfig & { args: string[]; strict: true }>(
  command: string,
  config: T,
  hints: ArgumentHints = {},
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    // No cause: the original error's message is what must not be printed.
    throw new UsageError(argumentError(command, config, code, hints));
  }
}

// --- Internal helpers ---

/** An unknown option is quoted when it is written as a whole argument and looks like an option's name. */
const OPTION_NAME = /^--?[a-z][a-z-]{0,23}$/;

/** The message for parseArgs' error `code`, found again in the tokens of a lenient parse. */
function argumentError(command: string, config: ParseArgsConfig, code: string, hints: ArgumentHints): string {
  const args = config.args ?? [];
  const options = config.options ?? {};
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option-terminator') break;
    const position = token.index + 1;
    if (token.kind === 'positional') {
      if (code !== 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') continue;
      const hint = hints.noArguments === undefined ? '' : ` (${hints.noArguments})`;
      return `${command} takes no arguments: argument ${position} is neither an option nor its value${hint}`;
    }
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    const wrong =
      option === undefined
        ? code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' &&
          (option.type === 'boolean'
            ? token.value !== undefined
            : token.value === undefined || (!token.inlineValue && token.value.startsWith('-')));
    if (!wrong) continue;
    if (option === undefined) {
      const written = args[token.index]?.split('=', 1)[0];
      return written === token.rawName && OPTION_NAME.test(written)
        ? `unknown option "${written}"`
        : `argument ${position} is an unknown option`;
    }
    // Our own option's name, as its usage spells it, whatever was written (-k or --key).
    const name = `--${token.name}`;
    if (option.type === 'boolean') return `${name} takes no value`;
    return token.value === undefined
      ? `${name} needs a value: ${name} <value>`
      : `${name} needs a value: ${name} <value> (one that starts with "-" as ${name}=<value>)`;
  }
  return 'its arguments could not be read';
}

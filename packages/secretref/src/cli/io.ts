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

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

/** Reads a stream to the end. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}

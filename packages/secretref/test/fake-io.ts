/** The CLI's `Io` for in-process tests: no stdin, stdout and stderr collected as text. */
import { Readable, Writable } from 'node:stream';
import type { Io } from '../src/cli/io.ts';
import { run } from '../src/cli/run.ts';

export function fakeIo(env: Record<string, string | undefined> = {}): {
  io: Io;
  out: { stdout: string; stderr: string };
} {
  const out = { stdout: '', stderr: '' };
  const sink = (name: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        out[name] += String(chunk);
        callback();
      },
    });
  const io: Io = { stdin: Readable.from([]), stdout: sink('stdout'), stderr: sink('stderr'), env };
  return { io, out };
}

/** Runs the `secretref` command line in this process: its exit code and what it printed. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = fakeIo(env);
  const code = await run(args, io);
  return { code, ...out };
}

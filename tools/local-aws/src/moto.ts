/**
 * Starts moto (an AWS emulator) in server mode on a free loopback port and stops it again.
 * One port serves SSM, Secrets Manager and KMS; see ../shared/LOCAL-AWS.md for where moto
 * differs from AWS.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A running moto server. */
export interface Moto {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Wipes all state (every service, every region). */
  reset(): Promise<void>;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** The hint printed when moto is missing. */
export const MOTO_HINT: string =
  "moto is not installed for python3. Install it with: pip install 'moto[server]' (Python >= 3.10), " +
  'or point MOTO_PYTHON at a Python that has it.';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function reset(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    return response.status === 200;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * The Python to run moto with: `MOTO_PYTHON`, else the first `python3` on PATH that has moto.
 * Tools that put their own directories first on PATH (pnpm through npx prepends node's) can shadow
 * the Python that has it, so every `python3` on PATH is tried.
 */
function findPython(): string {
  const candidates = process.env.MOTO_PYTHON
    ? [process.env.MOTO_PYTHON]
    : ['python3', ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'python3'))];
  let stderr = '';
  for (const python of new Set(candidates)) {
    const check = spawnSync(python, ['-c', 'import moto.server'], { encoding: 'utf8' });
    if (check.status === 0) return python;
    stderr ||= check.stderr ?? '';
  }
  throw new Error(`${MOTO_HINT}\n${stderr}`.trim());
}

/** Options of `startMoto`. */
interface MotoOptions {
  /** @default a free port */
  readonly port?: number | undefined;
  /** How long to wait for moto to answer, in ms. @default 30000 */
  readonly timeoutMs?: number | undefined;
  /**
   * Variables added to moto's environment (which is this process's otherwise), such as
   * `INITIAL_NO_AUTH_ACTION_COUNT` to enforce IAM after that many requests. @default {}
   */
  readonly env?: Readonly<Record<string, string>> | undefined;
}

/** Starts moto and waits until it answers; throws with an install hint if moto is missing. */
export async function startMoto(options: MotoOptions = {}): Promise<Moto> {
  const python = findPython();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await reset(endpoint))) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode}:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not answer on ${endpoint} in time:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    async reset() {
      if (!(await reset(endpoint))) throw new Error('moto reset failed');
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

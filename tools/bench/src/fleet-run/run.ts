/**
 * One run of `pnpm bench:fleet`: N real worker processes (worker.mjs, one resolver each) started over
 * a window, against moto behind the fault proxy, whose SSM answers are rationed by a token bucket (an
 * SSM quota). Records when each process became ready and, call by call, what the proxy was offered
 * and what it throttled. main.ts runs the configurations; the smoke test runs a tiny one.
 */
import { fileURLToPath } from 'node:url';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  type FaultProxy,
  localAwsConfig,
  localAwsEnv,
  quotaFault,
  type StartedProcess,
  startFaultProxy,
  startProcess,
  tokenBucket,
} from '@secretref/local-aws';
import { type FleetConfig, type FleetRunResult, summarize } from './results.ts';

/** The operations the quota counts: every read the SSM provider makes. */
export const SSM_READS: readonly string[] = ['GetParameters', 'GetParameter', 'GetParametersByPath'];
const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
/** How long past its duration a worker may take to exit before the run fails. */
const EXIT_GRACE_MS = 30_000;

/** moto seeded with the parameters, the proxy in front of it, and a worker's environment. */
export interface FleetEnv {
  readonly proxy: FaultProxy;
  /** The parameters' names. */
  readonly parameters: readonly string[];
  /** A worker's environment: as env.ts builds a child contender's (no AWS_CA_BUNDLE), through the proxy. */
  readonly childEnv: NodeJS.ProcessEnv;
  /** Closes the proxy (moto is the caller's). */
  close(): Promise<void>;
}

/** Seeds `parameters` SecureStrings into moto (directly, not through the proxy) and starts the proxy. */
export async function startFleetEnv(
  motoEndpoint: string,
  options: { readonly parameters?: number; readonly latencyMs?: number } = {},
): Promise<FleetEnv> {
  const run = Date.now().toString(36);
  const parameters = Array.from({ length: options.parameters ?? 25 }, (_, i) => `/fleet-${run}/p${i}`);
  const ssm = new SSMClient(localAwsConfig(motoEndpoint));
  for (const name of parameters) {
    await ssm.send(new PutParameterCommand({ Name: name, Value: `value of ${name}`, Type: 'SecureString' }));
  }
  ssm.destroy();
  const proxy = await startFaultProxy(motoEndpoint);
  proxy.latencyMs = options.latencyMs ?? 20;
  return {
    proxy,
    parameters,
    childEnv: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'AWS_CA_BUNDLE')),
      ...localAwsEnv(proxy.endpoint),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    close: () => proxy.close(),
  };
}

/** A small seeded PRNG (mulberry32), as the fleet model uses: the same seed, the same offsets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a worker printed last: its `done` line. */
interface Done {
  readonly stats: { calls: number; fetched: number; staleServed: number; errors: number };
  readonly errors: number;
  readonly ready: boolean;
  readonly loadedMs: number;
  readonly cpuMs: number;
}

/** Options of `runFleet`. */
export interface RunFleetOptions {
  /** Aborting kills every worker (SIGKILL) and rejects. */
  readonly signal?: AbortSignal | undefined;
  /** Called with each worker's pid as it is spawned. */
  readonly onSpawn?: ((pid: number) => void) | undefined;
}

/**
 * Runs one configuration: spawns the workers at their offsets from t0, counts the SSM calls the proxy
 * is offered and throttles (a fresh bucket), waits for every worker to exit and sums up. Every worker
 * still running when it ends (an error, an abort, this process exiting) is killed.
 */
export async function runFleet(
  env: FleetEnv,
  config: FleetConfig,
  options: RunFleetOptions = {},
): Promise<FleetRunResult> {
  const { processes, durationS } = config;
  const burst = config.burst ?? config.quota;
  const random = mulberry32(config.seed ?? 1);
  const offsetsMs = Array.from({ length: processes }, () => Math.round(random() * config.startWindowS * 1000));
  const refs = Object.fromEntries(env.parameters.map((name, i) => [`p${i}`, `ssm:${name}`]));

  // Call by call: when (ms from t0) and whether it was throttled.
  const calls: { atMs: number; throttled: boolean }[] = [];
  const quota = quotaFault(tokenBucket({ ratePerS: config.quota, burst }), { operations: SSM_READS });
  env.proxy.reset();
  // t0: offset 0 of the schedule (the first process starts at its own offset after it); every time
  // recorded (spawns, ready lines, calls) is counted from here.
  const t0 = performance.now();
  env.proxy.fault = (operation, region) => {
    const fault = quota(operation, region);
    if (SSM_READS.includes(operation)) calls.push({ atMs: performance.now() - t0, throttled: fault === 'throttle' });
    return fault;
  };

  const workers: (StartedProcess | undefined)[] = [];
  const readyMs: (number | null)[] = offsetsMs.map(() => null);
  const spawnedMs: number[] = offsetsMs.map(() => 0);
  const timers: NodeJS.Timeout[] = [];
  const killAll = (): void => {
    for (const timer of timers) clearTimeout(timer);
    for (const w of workers) if (w && w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(new Error('[bench:fleet] the run was aborted'));
    if (options.signal?.aborted) fail();
    options.signal?.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => {});

  try {
    const exits = offsetsMs.map(
      (offsetMs, i) =>
        new Promise<{ code: number | null; signal: NodeJS.Signals | null; done: Done | undefined }>((resolve) => {
          timers.push(
            setTimeout(() => {
              spawnedMs[i] = performance.now() - t0;
              const worker = startProcess(process.execPath, [WORKER], {
                env: {
                  ...env.childEnv,
                  FLEET_REFS: JSON.stringify(refs),
                  FLEET_TTL_MS: String(config.ttlS * 1000),
                  FLEET_ACCESS_MS: String(config.accessMs),
                  FLEET_DURATION_MS: String(Math.max(0, durationS * 1000 - offsetMs)),
                },
              });
              workers[i] = worker;
              if (worker.child.pid !== undefined) options.onSpawn?.(worker.child.pid);
              let buffered = '';
              worker.child.stdout.on('data', (chunk: Buffer) => {
                buffered += chunk.toString();
                const lines = buffered.split('\n');
                buffered = lines.pop() ?? '';
                if (lines.some((line) => line.includes('"type":"ready"'))) readyMs[i] ??= performance.now() - t0;
              });
              void worker.exited.then(({ code, signal }) => {
                const last = worker.output().stdout.trim().split('\n').pop() ?? '';
                const done = last.includes('"type":"done"') ? (JSON.parse(last) as Done) : undefined;
                resolve({ code, signal, done });
              });
            }, offsetMs),
          );
        }),
    );
    const deadline = new Promise<never>((_, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`[bench:fleet] workers still running ${EXIT_GRACE_MS} ms after the run's end`)),
        durationS * 1000 + EXIT_GRACE_MS,
      );
      timer.unref();
      timers.push(timer);
    });
    const ended = await Promise.race([Promise.all(exits), aborted, deadline]);
    const failed = ended.findIndex((e) => e.code !== 0 || e.done === undefined);
    if (failed >= 0) {
      const stderr = workers[failed]?.output().stderr.trim().slice(-2000);
      throw new Error(
        `[bench:fleet] worker ${failed} exited with ${ended[failed]?.code ?? ended[failed]?.signal}: ${stderr}`,
      );
    }
    const dones = ended.map((e) => e.done as Done);
    return summarize({
      config: { ...config, burst, latencyMs: env.proxy.latencyMs },
      offsetsMs,
      readyMs,
      calls,
      proxyCalls: SSM_READS.reduce((n, op) => n + env.proxy.count(op), 0),
      parameters: env.parameters.length,
      exitCodes: ended.map((e) => e.code ?? -1),
      loadedMs: dones.map((d) => d.loadedMs),
      cpuMs: dones.map((d) => d.cpuMs),
      spawnToReadyMs: readyMs.map((ms, i) => (ms === null ? null : ms - (spawnedMs[i] ?? 0))),
      workers: dones,
    });
  } finally {
    killAll();
    process.off('exit', killAll);
    env.proxy.fault = undefined;
  }
}

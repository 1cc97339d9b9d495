// A tiny `pnpm bench:fleet` run: real worker processes on the built packages (`pnpm build` first, as
// `pnpm test` does), moto behind the quota proxy. Only facts that hold on any machine are asserted.
import { type Moto, startMoto } from '@secretref/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetRunResult } from '../src/fleet-run/results.ts';
import { type FleetEnv, mulberry32, runFleet, SSM_READS, startFleetEnv } from '../src/fleet-run/run.ts';

const config = { processes: 3, quota: 2, startWindowS: 1, ttlS: 4, accessMs: 1000, durationS: 10, seed: 7 };
let moto: Moto;
let env: FleetEnv;
let result: FleetRunResult;
const pids: number[] = [];

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  moto = await startMoto();
  env = await startFleetEnv(moto.endpoint, { latencyMs: 20 });
  result = await runFleet(env, config, { onSpawn: (pid) => pids.push(pid) });
}, 60_000);

afterAll(async () => {
  await env?.close();
  await moto?.stop();
});

describe('runFleet', () => {
  it('makes every process ready, and every one exits 0 and is gone', () => {
    expect(result.readyS).toHaveLength(3);
    expect(result.readyS.every((s) => s !== null && s > 0 && s < config.durationS)).toBe(true);
    expect(result.allReadyS).toBe(Math.max(...(result.readyS as number[])));
    expect(result.exitCodes).toEqual([0, 0, 0]);
    expect(pids).toHaveLength(3);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('counts what the proxy saw: at least the ideal calls, each one once', () => {
    expect(result.idealCalls).toBe(9);
    expect(result.offered).toBeGreaterThanOrEqual(result.idealCalls);
    expect(result.offeredToReady).toBeGreaterThanOrEqual(result.idealCalls);
    expect(result.offered).toBe(SSM_READS.reduce((n, op) => n + env.proxy.count(op), 0));
    expect(result.perSecond.offered.reduce((a, b) => a + b, 0)).toBe(result.offered);
    expect(result.perSecond.throttled.reduce((a, b) => a + b, 0)).toBe(result.throttled);
    // One provider call is one request (the SDK's retries are off; the resolver's are calls too).
    expect(result.workerStats.calls).toBe(result.offered);
    // Served calls bring values: at least the 25 of each process's first round.
    expect(result.workerStats.fetched).toBeGreaterThanOrEqual(3 * 25);
  });

  it('starts the processes at the seeded offsets, within the window', () => {
    const random = mulberry32(config.seed);
    expect(result.offsetsMs).toEqual([0, 1, 2].map(() => Math.round(random() * 1000)));
    expect(result.offsetsMs.every((ms) => ms >= 0 && ms <= 1000)).toBe(true);
    expect(result.steadyFromS).toBe(Math.ceil((result.allReadyS ?? 0) + config.ttlS));
  });
});

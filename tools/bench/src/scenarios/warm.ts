/**
 * Warm hit: ns per call of a cached value, in turns (see `inTurns`): `await resolve()` against `await`
 * of a clock read plus `map.get()` (its floor) and Powertools' cached `get()` against `await resolve()`,
 * all in the same turns; `peek()` against the same floor without the await.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { createResolver, systemClock } from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';
import type { BenchEnv } from '../env.ts';
import { inTurns, nsPerOp, nsPerOpSync, TURNS } from '../measure.ts';
import type { Results } from '../results.ts';

export async function measureWarm(env: BenchEnv): Promise<Results['warm']> {
  const name = env.fixture.parameters[1] as string;
  const resolver = createResolver({ providers: [ssmProvider({ clientConfig: env.clientConfig })], ttlMs: 3_600_000 });
  const ref = `ssm:${name}`;
  await resolver.resolve(ref);
  const map = new Map([[ref, 'value']]);
  const powertools = new SSMProvider({ clientConfig: env.clientConfig });
  await powertools.get(name, { decrypt: true, maxAge: 3600 });
  // The floor of a hit that survives a Lambda freeze: the lookup and one read of the clock the
  // resolver reads, awaited or not.
  const floor = () => {
    systemClock.now();
    return map.get(ref);
  };
  // One set of turns for the awaited calls, one for the synchronous ones: every number of a set is
  // from the same turns, and each ratio is taken turn by turn.
  const awaited = await inTurns([
    floor,
    () => resolver.resolve(ref),
    () => powertools.get(name, { decrypt: true, maxAge: 3600 }),
  ]);
  const sync = await inTurns([floor, () => resolver.peek(ref)], { sync: true });
  return {
    turns: TURNS,
    mapGet: await nsPerOp(() => map.get(ref)),
    floor: awaited.ns[0] as number,
    resolve: awaited.ns[1] as number,
    resolveRatio: awaited.ratio(0, 1),
    mapGetSync: nsPerOpSync(() => map.get(ref)),
    syncFloor: sync.ns[0] as number,
    peek: sync.ns[1] as number,
    peekRatio: sync.ratio(0, 1),
    powertools: awaited.ns[2] as number,
    powertoolsRatio: awaited.ratio(1, 2),
    powertoolsFloorRatio: awaited.ratio(0, 2),
  };
}

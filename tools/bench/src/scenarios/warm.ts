/**
 * Warm hit: ns per call of a cached value, each against its floor in paired turns (see `versus`):
 * `await resolve()` against `await` of a clock read plus `map.get()`, `peek()` against the same
 * without the await, and Powertools' cached `get()` against `await resolve()`.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { createResolver, systemClock } from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';
import type { BenchEnv } from '../env.ts';
import { nsPerOp, nsPerOpSync, TURNS, versus } from '../measure.ts';
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
  const hit = await versus(floor, () => resolver.resolve(ref));
  const peeked = await versus(floor, () => resolver.peek(ref), { sync: true });
  const pt = await versus(
    () => resolver.resolve(ref),
    () => powertools.get(name, { decrypt: true, maxAge: 3600 }),
  );
  return {
    turns: TURNS,
    mapGet: await nsPerOp(() => map.get(ref)),
    floor: hit.floorNs,
    resolve: hit.ns,
    resolveRatio: hit.ratio,
    mapGetSync: nsPerOpSync(() => map.get(ref)),
    syncFloor: peeked.floorNs,
    peek: peeked.ns,
    peekRatio: peeked.ratio,
    powertools: pt.ns,
    powertoolsRatio: pt.ratio,
  };
}

/** Throttled after expiry: reads of an expired value while SSM throttles every call. */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { createResolver } from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';
import type { BenchEnv } from '../env.ts';
import type { Results } from '../results.ts';

const served = (read: Promise<unknown>) =>
  read.then(
    () => 1,
    () => 0,
  );

export async function measureThrottle(env: BenchEnv, reads = 10): Promise<Results['throttle']> {
  const name = env.fixture.parameters[2] as string;
  const resolver = createResolver({ providers: [ssmProvider({ clientConfig: env.clientConfig })] });
  const ref = `ssm:${name}?ttl=1s`;
  await resolver.resolve(ref);
  const powertools = new SSMProvider({ clientConfig: env.clientConfig });
  await powertools.get(name, { decrypt: true, maxAge: 1 });
  // Both TTLs pass (the libraries read the real clock; this is the bench, not a test).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  env.proxy.fault = 'throttle';
  let secretref = 0;
  let pt = 0;
  for (let i = 0; i < reads; i++) {
    secretref += await served(resolver.resolve(ref));
    pt += await served(powertools.get(name, { decrypt: true, maxAge: 1 }));
  }
  env.proxy.fault = undefined;
  return { reads, secretref, powertools: pt };
}

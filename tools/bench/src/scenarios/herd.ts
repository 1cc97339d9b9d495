/** Herd: many concurrent first requests for one key, and the calls each library makes for them. */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { createResolver } from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';
import type { BenchEnv } from '../env.ts';
import type { Results } from '../results.ts';

export async function measureHerd(env: BenchEnv, callers = 100): Promise<Results['herd']> {
  const name = env.fixture.parameters[0] as string;
  env.proxy.reset();
  const resolver = createResolver({ providers: [ssmProvider({ clientConfig: env.clientConfig })] });
  await Promise.all(Array.from({ length: callers }, () => resolver.resolve(`ssm:${name}`)));
  const secretref = env.proxy.count();
  env.proxy.reset();
  const powertools = new SSMProvider({ clientConfig: env.clientConfig });
  await Promise.all(Array.from({ length: callers }, () => powertools.get(name, { decrypt: true })));
  return { callers, secretref, powertools: env.proxy.count() };
}

/**
 * An ESM Lambda handler, size-conscious: only the core, the AWS layer and the SSM provider are bundled. Secrets are
 * resolved during INIT with top-level await (when Lambda gives the most CPU), then refreshed before an
 * invocation only when their TTL passed, with a deadline from the invocation's remaining time.
 */
// #region handler
import { secretsHandlerWith } from '@secretref/aws';
import { createResolver } from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';

const prefix = process.env.PARAMETER_PREFIX ?? '/orders';
const refs = {
  dbPassword: `ssm:${prefix}/db-password`,
  apiKey: `ssm:${prefix}/api-key`,
  signingKey: `ssm:${prefix}/signing-key`,
} as const;

const resolver = createResolver({ providers: [ssmProvider()] });
await resolver.resolveAll(refs); // INIT: one GetParameters call; a bad reference fails the cold start

export const handler = secretsHandlerWith(resolver, refs, async (event: { orderId?: string }, _context, secrets) => {
  // Use the secrets here (connect, sign...); never return or log them.
  return { orderId: event.orderId ?? null, ready: Object.values(secrets).every((value) => value.length > 0) };
});
// #endregion handler

/** For the example's tests: the resolver's counters (calls, hits). */
export const stats = () => resolver.stats();

/**
 * The smallest ESM Lambda handler: the SSM provider without the SDK (`ssmFetchProvider`), its calls
 * signed by aws4fetch over fetch with the function's credentials from the environment. No
 * `@aws-sdk/client-*` module in the bundle, so none to load at INIT (docs/providers/transports.md).
 */
// #region handler
import { secretsHandlerWith } from '@secretref/aws';
import { createResolver } from '@secretref/core';
import { ssmFetchProvider } from '@secretref/ssm';

const prefix = process.env.PARAMETER_PREFIX ?? '/orders';
const refs = { dbPassword: `ssm:${prefix}/db-password`, apiKey: `ssm:${prefix}/api-key` } as const;

const resolver = createResolver({ providers: [ssmFetchProvider()] });
await resolver.resolveAll(refs); // INIT: one signed GetParameters call over fetch

export const handler = secretsHandlerWith(resolver, refs, async (event: { orderId?: string }, _context, secrets) => {
  return { orderId: event.orderId ?? null, ready: Object.values(secrets).every((value) => value.length > 0) };
});
// #endregion handler

/** For the example's tests: the resolver's counters (calls, hits). */
export const stats = () => resolver.stats();

/** The same handler for people already on middy: secretref as a middleware. */
// #region middy
import middy from '@middy/core';
import { secretsMiddlewareWith } from '@secretref/aws';
import { createResolver } from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';
import type { Context } from 'aws-lambda';

const prefix = process.env.PARAMETER_PREFIX ?? '/orders';
const resolver = createResolver({ providers: [ssmProvider()] });

const baseHandler = async (event: { orderId?: string }, context: Context & { apiKey?: string }) => {
  // The middleware put the values on the context (and in request.internal, for middy's getInternal).
  return { orderId: event.orderId ?? null, ready: (context.apiKey ?? '').length > 0 };
};

export const handler = middy(baseHandler).use(secretsMiddlewareWith(resolver, { apiKey: `ssm:${prefix}/api-key` }));
// #endregion middy

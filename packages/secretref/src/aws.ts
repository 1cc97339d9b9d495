/**
 * What `secretref` re-exports of `@secretref/aws`: the Lambda pieces, the transport choice and the
 * agent's fallback channel (docs/providers/transports.md).
 */
export {
  AGENT_FALLBACK_CHANNEL,
  type AgentFallbackEvent,
  type AgentFallbackReason,
  type LambdaContextLike,
  type LambdaSecretsOptions,
  lambdaEncryptionContext,
  type MiddyRequestLike,
  type SecretsMiddlewareOptions,
  secretsHandlerWith,
  secretsMiddlewareWith,
  type TransportChoice,
  type TransportChoiceMade,
} from '@secretref/aws';

/**
 * @secretref/aws: what the AWS providers (SSM, Secrets Manager, KMS, AppConfig) share, kept out of the core: the
 * transports that send their calls (the SDK client, signed `fetch`, AWS's local agent; see
 * docs/providers/transports.md), one lazily created SDK client per region with the signature-expired
 * resend, the mapping of AWS errors to
 * typed errors (nothing of an error body kept), one ARN parser and the region rule, and the Lambda
 * helpers (a handler wrapper, the middy middleware, the Lambda encryption context).
 *
 * @module @secretref/aws
 */
export { type Arn, arnInRegion, isAwsRegion, parseArn } from './arn.ts';
export { type AwsClient, type AwsClientOptions, type AwsClientPool, awsClientPool } from './clients.ts';
export { type AwsErrorContext, type AwsErrorNames, awsFailure, fromAwsError } from './errors.ts';
export {
  type LambdaContextLike,
  type LambdaSecretsOptions,
  lambdaEncryptionContext,
  type MiddyRequestLike,
  type SecretsMiddlewareOptions,
  secretsHandlerWith,
  secretsMiddlewareWith,
} from './lambda.ts';
export {
  AGENT_FALLBACK_CHANNEL,
  AGENT_SKIP_MS,
  AGENT_TIMEOUT_MS,
  type AgentFallbackEvent,
  type AgentFallbackReason,
  agentTransport,
} from './transports/agent.ts';
export { type AwsCredentials, type GivenCredentials, hasEnvCredentials } from './transports/credentials.ts';
export { awsEndpoint, type EndpointService } from './transports/endpoints.ts';
export { abortError, type FetchTransportOptions, fetchTransport, MAX_ANSWER_BYTES } from './transports/fetch.ts';
export { sdkPool, sdkTransport } from './transports/sdk.ts';
export {
  awsTransport,
  chooseTransport,
  fetchUnsuitable,
  type TransportChoiceMade,
  type TransportOptions,
  type TransportParts,
} from './transports/select.ts';
export type {
  AgentBatch,
  AgentOutcome,
  AgentRoute,
  AwsApi,
  AwsEnv,
  AwsService,
  AwsTransport,
  RestOperation,
  SdkBinding,
  SendOptions,
  TransportChoice,
  TransportName,
} from './transports/types.ts';

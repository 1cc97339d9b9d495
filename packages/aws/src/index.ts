/**
 * @secretref/aws: what the AWS providers (SSM, Secrets Manager, KMS) share, kept out of the core: one
 * lazily created SDK client per region with the signature-expired resend, the mapping of AWS errors to
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

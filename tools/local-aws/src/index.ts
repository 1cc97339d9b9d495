/** A local AWS for tests, the demo and the benchmarks. */
import './provided.ts';

export { type AgentOptions, type LocalAgent, startAgent } from './agent/start.ts';
export {
  type AgentRequest,
  type AppConfigAgentOptions,
  type LocalAppConfigAgent,
  startAppConfigAgent,
} from './appconfig/agent.ts';
export type { DataPlaneCall, DataPlaneOperation } from './appconfig/data-plane.ts';
export { type AppConfigOptions, type LocalAppConfig, startAppConfig } from './appconfig/start.ts';
export type { DeployOptions, ProfileType } from './appconfig/store.ts';
export { AppConfigEmulatorError } from './appconfig/wire.ts';
export { awsCli, awsKmsDecrypt, awsKmsEncrypt } from './aws-cli.ts';
export { type JumpingClock, jumpingClock } from './clock.ts';
export { atRate, type Fault, type FaultProxy, first, MALFORMED_SECRET, startFaultProxy } from './fault-proxy.ts';
export { MOTO_HINT, type Moto, startMoto } from './moto.ts';
export { type StartedProcess, startProcess } from './process.ts';
export {
  type QuotaFaultOptions,
  quotaFault,
  type TokenBucket,
  type TokenBucketOptions,
  tokenBucket,
} from './quota.ts';

/** Client settings for moto: any credentials work, the account is 123456789012. */
export function localAwsConfig(
  endpoint: string,
  region = 'us-east-1',
): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  return { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

/** The same settings as environment variables, as a user would set them (`AWS_ENDPOINT_URL`). */
export function localAwsEnv(endpoint: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}

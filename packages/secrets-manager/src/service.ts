/** Secrets Manager as the transports see it: its endpoints, its JSON protocol, what the agent serves of it. */
import type { AwsService } from '@secretref/aws';
import { SECRETS_MANAGER_AGENT } from './agent.ts';

export const SECRETS_MANAGER_SERVICE: AwsService = {
  name: 'secretsmanager',
  endpointPrefix: 'secretsmanager',
  envName: 'SECRETS_MANAGER',
  target: 'secretsmanager',
  blobs: ['SecretBinary'],
  // Secrets Manager's rule set: dual-stack keeps the plain DNS suffix in aws and aws-us-gov, and in aws-cn without FIPS.
  endpointRules: {
    plainDualStack: (partition, fips) =>
      partition === 'aws' || partition === 'aws-us-gov' || (partition === 'aws-cn' && !fips),
  },
  agent: SECRETS_MANAGER_AGENT,
};

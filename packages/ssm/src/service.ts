/** SSM as the transports see it: its endpoints, its JSON protocol's target, what the agent serves of it. */
import type { AwsService } from '@secretref/aws';
import { SSM_AGENT } from './agent.ts';

export const SSM_SERVICE: AwsService = {
  name: 'ssm',
  endpointPrefix: 'ssm',
  envName: 'SSM',
  target: 'AmazonSSM',
  // SSM's rule set: in GovCloud, FIPS is the plain host name (unless dual-stack).
  endpointRules: { plainFips: (partition, dualStack) => partition === 'aws-us-gov' && !dualStack },
  agent: SSM_AGENT,
};

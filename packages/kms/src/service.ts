/** KMS as the transports see it. No agent serves it; envelopes (the Encryption SDK) always take an SDK client. */
import type { AwsService } from '@secretref/aws';

export const KMS_SERVICE: AwsService = {
  name: 'kms',
  endpointPrefix: 'kms',
  envName: 'KMS',
  target: 'TrentService',
  blobs: ['Plaintext', 'CiphertextBlob'],
};

/** What KMS error names mean for a caller, shared by decryption and `encrypt`. */

/** KMS errors that mean this ciphertext cannot be decrypted with this key and context. */
export const DECRYPTION: readonly string[] = [
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'InvalidKeyUsageException',
  'KMSInvalidStateException',
  'DisabledException',
  'NotFoundException',
  'InvalidGrantTokenException',
];
export const HINTS: Readonly<Record<string, string>> = {
  InvalidCiphertextException: 'the encryption context, the key or the ciphertext does not match',
  IncorrectKeyException: 'the ciphertext was encrypted under a different key than ?keyId= names',
  InvalidKeyUsageException: 'the key is not for encryption, or ?alg= does not match it',
  KMSInvalidStateException: 'the key is pending deletion, pending import or unavailable',
  DisabledException: 'the key is disabled',
  NotFoundException: 'the key does not exist in this account and region',
};

/** The KMS actions the provider and `encrypt` call: quoted in a denial's message. */
export const KMS_ACTIONS: readonly string[] = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * @secretref/kms: the KMS decryptor (`kms:` references, AWS Encryption SDK envelopes),
 * `decryptEnvWith` for KMS-encrypted environment variables, and `encrypt`. See docs/providers/kms.md.
 *
 * @module @secretref/kms
 */
export { type DecryptEnvOptions, decryptEnvWith } from './decrypt-env.ts';
export { type EncryptOptions, type EncryptResult, encrypt, KMS_ENCRYPT_LIMIT } from './encrypt.ts';
export { isEncryptionSdkMessage, type KmsLocator, parseKmsBody } from './parse.ts';
export { type KmsProviderOptions, kmsProvider } from './provider.ts';
export { KMS_SERVICE } from './service.ts';

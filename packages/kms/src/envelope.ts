/**
 * Envelope encryption with the AWS Encryption SDK (`@aws-crypto/client-node`, an optional peer
 * dependency imported only when an Encryption SDK message appears). Its KMS keyring calls KMS through
 * an adapter over the provider's own clients, so credentials, endpoints, deadlines and call counts are
 * the same as for plain `Decrypt`.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { isAwsRegion } from '@secretref/aws';
import { kmsArn } from './parse.ts';

type KmsModule = typeof import('@aws-sdk/client-kms');
type EncryptionSdk = typeof import('@aws-crypto/client-node');

/** The KMS operations the Encryption SDK's keyring calls, as methods returning promises. */
interface KeyringClient {
  decrypt(input: object): Promise<unknown>;
  generateDataKey(input: object): Promise<unknown>;
  encrypt(input: object): Promise<unknown>;
}

/** Gives the keyring a client for a region (the region of the key ARN in each encrypted data key). */
type ClientSource = (region: string | undefined) => Promise<{ sdk: KmsModule; client: KMSClient }>;

/** What an envelope operation needs: where clients come from, a deadline, and where KMS outcomes go. */
export interface EnvelopeContext {
  readonly clients: ClientSource;
  readonly signal?: AbortSignal | undefined;
  /**
   * Called after every KMS call with its error, or `undefined` when it succeeded, so that the caller
   * can classify a failure by the last KMS answer (throttled, denied...).
   */
  readonly onKmsResult?: ((error: unknown) => void) | undefined;
  /** Decrypt messages without key commitment (Encryption SDK versions before 2.0). @default false */
  readonly allowLegacy?: boolean | undefined;
}

let sdkModule: Promise<EncryptionSdk> | undefined;

/** Did an import fail because the package is not installed (ESM or CommonJS)? */
export function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

// The specifier is not a literal, so that bundlers (esbuild, webpack) leave the Encryption SDK out of
// bundles: it and the DynamoDB client it depends on are about 460 KB, needed only for envelopes.
const ENCRYPTION_SDK = '@aws-crypto/client-node';

/** Did this import error come from the Encryption SDK being missing? */
export function isEncryptionSdkMissing(error: unknown): boolean {
  return isMissingModule(error) && String((error as { message?: unknown }).message).includes(ENCRYPTION_SDK);
}

/** Imports the Encryption SDK once; a failed import is retried next time. */
function loadEncryptionSdk(): Promise<EncryptionSdk> {
  sdkModule ??= (import(ENCRYPTION_SDK) as Promise<EncryptionSdk>).catch((error: unknown) => {
    sdkModule = undefined;
    throw error;
  });
  return sdkModule;
}

function keyringClient(region: string, context: EnvelopeContext): KeyringClient {
  const call = async (command: 'DecryptCommand' | 'GenerateDataKeyCommand' | 'EncryptCommand', input: object) => {
    // A key named without an ARN has no region of its own: the SDK's default chain picks one. A
    // message names the regions of its data keys; one that is not a region is not called.
    if (region !== '' && !isAwsRegion(region)) throw new Error('the message names a data key in no AWS region');
    const { sdk, client } = await context.clients(region === '' ? undefined : region);
    try {
      // The three commands take their own input types; the keyring passes what each expects.
      const Command = sdk[command] as unknown as new (input: object) => Parameters<KMSClient['send']>[0];
      const output = await client.send(new Command(input), context.signal ? { abortSignal: context.signal } : {});
      context.onKmsResult?.(undefined);
      return output;
    } catch (error) {
      context.onKmsResult?.(error);
      throw error;
    }
  };
  return {
    decrypt: (input) => call('DecryptCommand', input),
    generateDataKey: (input) => call('GenerateDataKeyCommand', input),
    encrypt: (input) => call('EncryptCommand', input),
  };
}

function keyring(esdk: EncryptionSdk, context: EnvelopeContext, keys: { generatorKeyId?: string; keyIds?: string[] }) {
  const clientProvider = (region: string) => keyringClient(region, context);
  const discovery = keys.generatorKeyId === undefined && (keys.keyIds ?? []).length === 0;
  return new esdk.KmsKeyringNode({
    // The keyring types its client as the aggregated `KMS` class; it only calls these three methods.
    clientProvider: clientProvider as never,
    ...(discovery ? { discovery: true } : keys),
  });
}

/** At most this many encrypted data keys in a message (the Encryption SDK's advice against crafted messages). */
const MAX_ENCRYPTED_DATA_KEYS = 10;

/**
 * Decrypts an Encryption SDK message. With a key ARN, only data keys under that key are tried
 * (strict mode); otherwise each KMS data key is tried with the key it names (discovery).
 */
export async function decryptMessage(
  message: Uint8Array,
  keyId: string | undefined,
  context: EnvelopeContext,
): Promise<{ plaintext: Uint8Array; encryptionContext: Readonly<Record<string, string>> }> {
  const esdk = await loadEncryptionSdk();
  const { decrypt } = esdk.buildClient({
    // Only messages with key commitment (Encryption SDK 2.0 and later) unless legacy ones are allowed.
    commitmentPolicy: context.allowLegacy
      ? esdk.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT
      : esdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: MAX_ENCRYPTED_DATA_KEYS,
  });
  const strict = keyId !== undefined && kmsArn(keyId)?.key === true;
  const result = await decrypt(
    keyring(esdk, context, strict ? { keyIds: [keyId as string] } : {}),
    Buffer.from(message),
  );
  return { plaintext: new Uint8Array(result.plaintext), encryptionContext: result.messageHeader.encryptionContext };
}

/** Encrypts into an Encryption SDK message under `keyId` (a key id, ARN or alias) with a data key from KMS. */
export async function encryptMessage(
  plaintext: Uint8Array,
  keyId: string,
  encryptionContext: Readonly<Record<string, string>>,
  context: EnvelopeContext,
): Promise<Uint8Array> {
  const esdk = await loadEncryptionSdk();
  const { encrypt } = esdk.buildClient(esdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const { result } = await encrypt(keyring(esdk, context, { generatorKeyId: keyId }), Buffer.from(plaintext), {
    encryptionContext: { ...encryptionContext },
  });
  return new Uint8Array(result);
}

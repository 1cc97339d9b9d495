/**
 * The KMS provider: decrypts `kms:` references with `Decrypt` (one call per ciphertext, all of a
 * batch in flight together), or, for an AWS Encryption SDK message, with the Encryption SDK and a
 * KMS keyring. A ciphertext never changes, so values are cached without expiry (still LRU-bounded);
 * the encryption context, key and algorithm are part of the cache key, so a wrong context can
 * never be answered from the cache.
 */
import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import {
  awsFailure,
  awsTransport,
  fromAwsError,
  isAwsRegion,
  type SdkBinding,
  sdkPool,
  type TransportOptions,
} from '@secretref/aws';
import {
  DecryptionError,
  type FetchContext,
  type FetchRequest,
  type FetchResult,
  failure,
  malformedAnswer,
  type Provider,
  ProviderError,
  redactText,
} from '@secretref/core';
import { decryptMessage, isEncryptionSdkMissing } from './envelope.ts';
import { DECRYPTION, HINTS, KMS_ACTIONS } from './kms-errors.ts';
import { KMS_PARAMS, type KmsLocator, kmsArn, parseKmsBody } from './parse.ts';
import { KMS_SERVICE } from './service.ts';

/**
 * Options of `kmsProvider`. Clients it creates follow the SDK's default chain (`AWS_REGION`,
 * `AWS_ENDPOINT_URL`, profiles, roles), with `clientConfig` on top.
 */
export interface KmsProviderOptions extends TransportOptions<KMSClient, KMSClientConfig> {
  /** References decrypted together per fetch (each is its own `Decrypt` call, all in flight at once). @default 50 */
  readonly batchSize?: number | undefined;
  /**
   * Also decrypt Encryption SDK messages without key commitment (written by Encryption SDK versions
   * before 2.0). Off by default: committing messages cannot decrypt to different plaintexts. @default false
   */
  readonly allowLegacyEnvelopes?: boolean | undefined;
}

type Request = FetchRequest<KmsLocator>;
type KmsModule = typeof import('@aws-sdk/client-kms');

/** The errors the KMS API reference documents for Decrypt, besides the common ones: quoted as they are. */
const KMS_ERRORS = [
  'DependencyTimeoutException',
  'DisabledException',
  'DryRunOperationException',
  'IncorrectKeyException',
  'InvalidCiphertextException',
  'InvalidGrantTokenException',
  'InvalidKeyUsageException',
  'KeyUnavailableException',
  'KMSInternalException',
  'KMSInvalidStateException',
  'NotFoundException',
];
const NAMES = { notFound: [], known: KMS_ERRORS, actions: KMS_ACTIONS };
const NO_PLAINTEXT = 'an answer without Plaintext bytes';

/**
 * A Decrypt answer without Plaintext bytes (`{}`, a number, 0 bytes: KMS plaintexts are 1 to 4096
 * bytes) is not the shape KMS documents: a transient failure, never a value, and never "this
 * ciphertext cannot be decrypted".
 */
function hasBytes(plaintext: unknown): plaintext is Uint8Array {
  return plaintext instanceof Uint8Array && plaintext.length > 0;
}

function noPlaintext(request: Request, operation: string): FetchResult {
  return malformedAnswer(request, operation, NO_PLAINTEXT);
}

/** What the Encryption SDK's keyring is given instead of a Decrypt answer without Plaintext bytes. */
class NoPlaintextAnswer extends Error {
  override readonly name = 'NoPlaintextAnswer';
}

/** The client with its Decrypt answers checked, for the Encryption SDK (which would call `{}` undecryptable). */
function checkedClient(got: { readonly sdk: KmsModule; readonly client: KMSClient }): {
  sdk: KmsModule;
  client: KMSClient;
} {
  const { sdk, client } = got;
  const send = async (...args: Parameters<KMSClient['send']>): Promise<unknown> => {
    const output: unknown = await client.send(...args);
    const plaintext = (output as { Plaintext?: unknown } | undefined)?.Plaintext;
    if (args[0] instanceof sdk.DecryptCommand && !hasBytes(plaintext)) throw new NoPlaintextAnswer(NO_PLAINTEXT);
    return output;
  };
  return { sdk, client: Object.create(client, { send: { value: send } }) as KMSClient };
}

function fail(request: Request, error: unknown, operation: string): FetchResult {
  const name = (error as { name?: unknown } | null)?.name;
  // Already shown without its body: the core passes a ciphertext's length and keyed digest.
  const { ref } = request;
  if (typeof name === 'string' && DECRYPTION.includes(name)) {
    const hint = HINTS[name] ?? "check the key policy and the caller's kms:Decrypt permission";
    return failure(request, DecryptionError, `${operation} for "${ref}" failed: ${name}; ${hint}`, {
      cause: fromAwsError(error, NAMES, { ref, scheme: request.scheme, operation }),
    });
  }
  return awsFailure(request, error, NAMES, operation);
}

/** Does the message's encryption context contain every pair the reference names? */
function contextMatches(expected: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>>): boolean {
  return Object.entries(expected).every(([key, value]) => Object.hasOwn(actual, key) && actual[key] === value);
}

/** Creates the KMS provider for the scheme `kms`. */
export function kmsProvider(options: KmsProviderOptions = {}): Provider<KmsLocator> {
  const sdk: SdkBinding<KMSClient, KmsModule> = {
    packageName: '@aws-sdk/client-kms',
    load: () => import('@aws-sdk/client-kms'),
    create: (module, config) => new module.KMSClient(config),
  };
  const clients = sdkPool(sdk, options);
  const transport = awsTransport(KMS_SERVICE, sdk, options, { pool: clients });

  async function decryptBlob(
    request: Request,
    region: string | undefined,
    fetchContext: FetchContext,
  ): Promise<FetchResult> {
    const { ciphertext, context, keyId, algorithm } = request.locator;
    try {
      const api = await transport.api(region, fetchContext);
      const output = await api.send(
        'Decrypt',
        {
          CiphertextBlob: ciphertext,
          ...(Object.keys(context).length > 0 ? { EncryptionContext: { ...context } } : {}),
          ...(keyId === undefined ? {} : { KeyId: keyId }),
          ...(algorithm === undefined ? {} : { EncryptionAlgorithm: algorithm }),
        },
        { signal: fetchContext.signal },
      );
      const plaintext: unknown = output?.Plaintext;
      if (!hasBytes(plaintext)) return noPlaintext(request, 'Decrypt');
      // The caller pinned a key ARN: an answer that names another key (a key ARN, as KMS answers) is
      // AWS saying the ciphertext is under another key, as IncorrectKeyException would.
      const answered: unknown = output.KeyId;
      if (keyId !== undefined && kmsArn(keyId)?.key && typeof answered === 'string' && answered !== keyId) {
        plaintext.fill(0);
        return failure(
          request,
          DecryptionError,
          `Decrypt for "${request.ref}" failed: an answer for another key than ?keyId= names`,
        );
      }
      return { value: plaintext };
    } catch (error) {
      return fail(request, error, 'Decrypt');
    }
  }

  async function decryptEnvelope(
    request: Request,
    region: string | undefined,
    signal: AbortSignal,
  ): Promise<FetchResult> {
    const { ciphertext, context, keyId } = request.locator;
    let kmsError: unknown;
    let result: Awaited<ReturnType<typeof decryptMessage>>;
    try {
      result = await decryptMessage(ciphertext, keyId, {
        // The key ARN in the message names the region; a reference's ?region= is for plain names.
        clients: async (keyRegion) => checkedClient(await clients.get(keyRegion ?? region)),
        signal,
        allowLegacy: options.allowLegacyEnvelopes === true,
        onKmsResult: (error) => {
          kmsError = error;
        },
      });
    } catch (error) {
      if (kmsError instanceof NoPlaintextAnswer) return noPlaintext(request, 'Decrypt (Encryption SDK data key)');
      if (kmsError !== undefined) return fail(request, kmsError, 'Decrypt (Encryption SDK data key)');
      if (isEncryptionSdkMissing(error)) {
        return failure(
          request,
          ProviderError,
          `"${request.ref}" is an AWS Encryption SDK message: add @aws-crypto/client-node to your dependencies`,
          { cause: error },
        );
      }
      return failure(request, DecryptionError, `the Encryption SDK message "${request.ref}" could not be decrypted`, {
        cause: error,
      });
    }
    if (!contextMatches(context, result.encryptionContext)) {
      result.plaintext.fill(0);
      return failure(
        request,
        DecryptionError,
        `the encryption context of "${request.ref}" is not the one the message was encrypted with`,
      );
    }
    return { value: result.plaintext };
  }

  return {
    schemes: ['kms'],
    isRegion: isAwsRegion,
    params: KMS_PARAMS,
    // Ciphertexts are immutable: their plaintext never expires (the LRU still bounds the cache).
    ttlMs: Number.POSITIVE_INFINITY,
    batchSize: Math.max(1, options.batchSize ?? 50),
    parse: parseKmsBody,
    // A body is a ciphertext, or by mistake a plaintext: messages and events show its length and a
    // keyed digest, never the body.
    display: redactText,
    async fetch(requests, context) {
      const { region, signal } = context;
      // Envelopes need the SDK's client (the Encryption SDK's keyring); a blob goes by the transport.
      const envelopes = requests.some((request) => request.locator.envelope);
      try {
        if (envelopes) await clients.get(region, context);
      } catch (error) {
        return clients.unavailable(requests, error);
      }
      if (envelopes && transport.name !== 'sdk') context.reportVia?.('sdk');
      try {
        if (requests.some((request) => !request.locator.envelope)) await transport.api(region, context);
      } catch (error) {
        return transport.unavailable(requests, error);
      }
      return Promise.all(
        requests.map((request) =>
          request.locator.envelope ? decryptEnvelope(request, region, signal) : decryptBlob(request, region, context),
        ),
      );
    },
    dispose: () => {
      transport.dispose();
      clients.dispose();
    },
  };
}

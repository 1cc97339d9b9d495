/**
 * `encrypt`: the other half of `kms:`. Up to 4096 bytes, one KMS `Encrypt`; larger values become an AWS
 * Encryption SDK message (a data key from KMS, the value encrypted locally), which `kms:` also reads.
 */
import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import { type AwsClientOptions, awsClientPool, fromAwsError, isAwsRegion } from '@secretref/aws';
import { formatReference, InvalidOptionError, ProviderError, TimeoutError } from '@secretref/core';
import { encryptMessage, isEncryptionSdkMissing, isMissingModule } from './envelope.ts';
import { HINTS, KMS_ACTIONS } from './kms-errors.ts';
import { kmsArn } from './parse.ts';

/** The most bytes KMS `Encrypt` takes; larger values are envelope-encrypted. */
export const KMS_ENCRYPT_LIMIT = 4096;

/** Options of `encrypt`. */
export interface EncryptOptions extends AwsClientOptions<KMSClient, KMSClientConfig> {
  /** The key: a key id, key ARN, alias name (`alias/app`) or alias ARN. */
  readonly keyId: string;
  /** The encryption context; decryption must name the same pairs. @default {} */
  readonly context?: Readonly<Record<string, string>> | undefined;
  /** The region of the key (else the SDK's default chain, or the key ARN's region). */
  readonly region?: string | undefined;
  /** Aborts the KMS calls. */
  readonly signal?: AbortSignal | undefined;
  /** The deadline of the whole encryption, in ms: KMS calls still in flight then are aborted. @default 10000 */
  readonly timeoutMs?: number | undefined;
}

/** What `encrypt` returns. */
export interface EncryptResult {
  /** The base64 ciphertext: a KMS ciphertext blob, or an Encryption SDK message when `envelope`. */
  readonly ciphertext: string;
  /** A ready `kms:` reference with the context (and region) as parameters. */
  readonly reference: string;
  /** `true` when the value was larger than 4096 bytes and became an Encryption SDK message. */
  readonly envelope: boolean;
}

const KEY_ID = /^[A-Za-z0-9:/_+=,.@-]{1,2048}$/;

const ENCRYPT_OPTIONS: ReadonlySet<string> = new Set([
  'keyId',
  'context',
  'region',
  'signal',
  'timeoutMs',
  'client',
  'clientConfig',
  'clientFor',
]);

/** Encrypts a value under a KMS key; see `EncryptResult`. Validates every option before any call. */
export async function encrypt(plaintext: string | Uint8Array, options: EncryptOptions): Promise<EncryptResult> {
  if (typeof plaintext !== 'string' && !(plaintext instanceof Uint8Array)) {
    throw new InvalidOptionError('encrypt takes the plaintext as a string or bytes (Uint8Array)');
  }
  const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  if (bytes.length === 0) throw new InvalidOptionError('there is nothing to encrypt: the plaintext is empty');
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('encrypt needs options with keyId');
  for (const name in options) {
    if (!ENCRYPT_OPTIONS.has(name)) {
      throw new InvalidOptionError(
        `unknown option "${name.slice(0, 40)}" of encrypt (known: ${[...ENCRYPT_OPTIONS].join(', ')})`,
      );
    }
  }
  const { keyId, context = {}, signal, timeoutMs = 10_000 } = options;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new InvalidOptionError('timeoutMs must be a finite number of ms above 0');
  }
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new InvalidOptionError('the encryption context must be an object of strings');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidOptionError('option signal of encrypt must be an AbortSignal');
  }
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) {
    throw new InvalidOptionError('keyId must be a KMS key id, key ARN, alias name (alias/...) or alias ARN');
  }
  for (const [key, value] of Object.entries(context)) {
    if (key === '' || typeof value !== 'string' || value === '') {
      throw new InvalidOptionError('the encryption context must map non-empty keys to non-empty strings');
    }
  }
  const arnRegion = kmsArn(keyId)?.region;
  for (const region of [options.region, arnRegion]) {
    if (region !== undefined && !isAwsRegion(region)) throw new InvalidOptionError(`"${region}" is not an AWS region`);
  }
  if (options.region !== undefined && arnRegion !== undefined && options.region !== arnRegion) {
    throw new InvalidOptionError(`region ${options.region} contradicts the key ARN's region ${arnRegion}`);
  }
  const region = options.region ?? arnRegion;
  const clients = awsClientPool(
    '@aws-sdk/client-kms',
    options,
    () => import('@aws-sdk/client-kms'),
    (sdk, config) => new sdk.KMSClient(config),
  );
  const envelope = bytes.length > KMS_ENCRYPT_LIMIT;
  const operation = envelope ? 'GenerateDataKey (Encryption SDK)' : 'Encrypt';
  let kmsError: unknown;
  // One deadline for every call, and the caller's signal: the calls are aborted, and the race below
  // settles even if a call ignores its signal.
  const controller = new AbortController();
  const timedOut = new TimeoutError(`${operation} with "${keyId}" got no answer within ${timeoutMs} ms`, {
    scheme: 'kms',
  });
  const timer = setTimeout(() => controller.abort(timedOut), Math.min(timeoutMs, 2_147_483_647));
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    const fail = (): void => reject(controller.signal.reason);
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => {});
  try {
    return await Promise.race([aborted, run()]);
  } catch (error) {
    if (error === timedOut || (controller.signal.aborted && controller.signal.reason === timedOut)) throw timedOut;
    if (controller.signal.aborted) throw controller.signal.reason;
    throw describeFailure(error);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    clients.dispose();
  }

  async function run(): Promise<EncryptResult> {
    let ciphertext: Uint8Array;
    if (envelope) {
      ciphertext = await encryptMessage(bytes, keyId, context, {
        clients: (keyRegion) => clients.get(keyRegion ?? region),
        signal: controller.signal,
        onKmsResult: (error) => {
          kmsError = error;
        },
      });
    } else {
      const { sdk, client } = await clients.get(region);
      const output = await client.send(
        new sdk.EncryptCommand({
          KeyId: keyId,
          Plaintext: bytes,
          ...(Object.keys(context).length > 0 ? { EncryptionContext: { ...context } } : {}),
        }),
        { abortSignal: controller.signal },
      );
      if (!output.CiphertextBlob?.length) {
        throw new ProviderError(`KMS Encrypt with "${keyId}" returned no ciphertext`, { scheme: 'kms' });
      }
      ciphertext = output.CiphertextBlob;
    }
    const base64 = Buffer.from(ciphertext).toString('base64');
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(context)) params[`context.${key}`] = value;
    const reference = formatReference({
      scheme: 'kms',
      body: base64,
      params,
      // The key's region, so that the reference decrypts there wherever it is used.
      ...(region === undefined ? {} : { region }),
    });
    return { ciphertext: base64, reference, envelope };
  }

  /** What a failure says: the missing module, the hint for a KMS error, or the AWS error mapped. */
  function describeFailure(error: unknown): unknown {
    if (error instanceof ProviderError || error instanceof InvalidOptionError) return error;
    if (kmsError === undefined && isMissingModule(error) && !isEncryptionSdkMissing(error)) {
      return new ProviderError('@aws-sdk/client-kms could not be loaded; add it to your dependencies', {
        scheme: 'kms',
        cause: error,
      });
    }
    if (kmsError === undefined && isEncryptionSdkMissing(error)) {
      return new ProviderError(
        `values over ${KMS_ENCRYPT_LIMIT} bytes are envelope-encrypted: add @aws-crypto/client-node to your dependencies`,
        { scheme: 'kms', cause: error },
      );
    }
    const mapped = fromAwsError(
      kmsError ?? error,
      { notFound: ['NotFoundException'], actions: KMS_ACTIONS },
      {
        ref: keyId,
        scheme: 'kms',
        operation,
      },
    );
    const name = ((kmsError ?? error) as { name?: unknown } | null)?.name;
    const hint = typeof name === 'string' ? HINTS[name] : undefined;
    // The mapped error is the cause: it keeps nothing of the AWS answer but what is safe to show.
    if (hint !== undefined) {
      return new ProviderError(`${operation} with "${keyId}" failed: ${name}; ${hint}`, {
        scheme: 'kms',
        cause: mapped,
      });
    }
    return mapped;
  }
}

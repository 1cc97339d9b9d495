/**
 * The Secrets Manager provider: `BatchGetSecretValue` for current versions asked for together (up to
 * 20 ids a call, matched back by name or ARN), `GetSecretValue` for one secret, a stage or a version
 * id, and when the batch call itself fails; replicas in other regions when the primary fails
 * transiently; optionally a `DescribeSecret` check before each refresh.
 */
import type {
  SecretsManagerClient,
  SecretsManagerClientConfig,
  SecretValueEntry,
} from '@aws-sdk/client-secrets-manager';
import {
  type AwsApi,
  type AwsTransport,
  awsFailure,
  awsTransport,
  isAwsRegion,
  type SdkBinding,
  type TransportOptions,
} from '@secretref/aws';
import {
  type FetchContext,
  type FetchRequest,
  type FetchResult,
  malformedAnswer,
  type Provider,
  type RawValue,
} from '@secretref/core';
import { createLRU } from 'lru.min';
import { entryFor, inRegion, isAbort, isObject, secretValue } from './answers.ts';
import { parseSecretsManagerBody, SECRETS_MANAGER_PARAMS, type SecretsManagerLocator } from './parse.ts';
import { SECRETS_MANAGER_SERVICE } from './service.ts';

/**
 * Options of `secretsManagerProvider`. Clients it creates follow the SDK's default chain
 * (`AWS_REGION`, `AWS_ENDPOINT_URL`, profiles, roles), with `clientConfig` on top.
 */
export interface SecretsManagerProviderOptions
  extends TransportOptions<SecretsManagerClient, SecretsManagerClientConfig> {
  /** Secret ids per `BatchGetSecretValue` call, at most 20. @default 20 */
  readonly batchSize?: number | undefined;
  /** Regions to read replicas from when the primary fails transiently, for every reference. @default [] */
  readonly fallbackRegions?: readonly string[] | undefined;
  /**
   * Refresh the way the AWS caching clients do: `DescribeSecret` first, and `GetSecretValue` only
   * when the version behind the stage changed (no decryption when nothing changed). References are
   * then not batched. @default false
   */
  readonly checkVersionFirst?: boolean | undefined;
}

type Request = FetchRequest<SecretsManagerLocator>;
type SecretsManagerModule = typeof import('@aws-sdk/client-secrets-manager');
type Context = { readonly api: AwsApi; readonly signal: AbortSignal };

const SERVER_ERRORS = new Set(['InternalServiceError', 'InternalFailure', 'ServiceUnavailable']);
/**
 * The errors the Secrets Manager API reference documents for GetSecretValue, BatchGetSecretValue and
 * DescribeSecret, besides the common ones: quoted in messages as they are.
 */
const SECRETS_MANAGER_ERRORS = [
  'DecryptionFailure',
  'InternalServiceError',
  'InvalidNextTokenException',
  'InvalidParameterException',
  'InvalidRequestException',
  'ResourceNotFoundException',
];
const NAMES = {
  notFound: ['ResourceNotFoundException'],
  decryption: ['DecryptionFailure'],
  known: SECRETS_MANAGER_ERRORS,
  actions: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue', 'secretsmanager:DescribeSecret'],
};

/** Creates the Secrets Manager provider for the scheme `secretsmanager` and secret ARNs. */
export function secretsManagerProvider(options: SecretsManagerProviderOptions = {}): Provider<SecretsManagerLocator> {
  const sdk: SdkBinding<SecretsManagerClient, SecretsManagerModule> = {
    packageName: '@aws-sdk/client-secrets-manager',
    load: () => import('@aws-sdk/client-secrets-manager'),
    create: (module, config) => new module.SecretsManagerClient(config),
  };
  return createSecretsManagerProvider(options, sdk);
}

/** Options of `secretsManagerFetchProvider`: those of `secretsManagerProvider` without an SDK client. */
export type SecretsManagerFetchProviderOptions = Omit<
  SecretsManagerProviderOptions,
  'client' | 'clientFor' | 'transport'
> & {
  /** `fetch`, or `agent` with `fetch` behind it. @default SECRETREF_AWS_TRANSPORT if it is one of them, else 'fetch' */
  readonly transport?: 'fetch' | 'agent' | undefined;
};

/**
 * The Secrets Manager provider without the SDK: calls go over signed `fetch` (or the agent), and a
 * bundle of it holds no `@aws-sdk/client-secrets-manager`. See docs/providers/transports.md.
 */
export function secretsManagerFetchProvider(
  options: SecretsManagerFetchProviderOptions = {},
): Provider<SecretsManagerLocator> {
  return createSecretsManagerProvider(options, undefined);
}

function createSecretsManagerProvider(
  options: SecretsManagerProviderOptions,
  sdk: SdkBinding<SecretsManagerClient, SecretsManagerModule> | undefined,
): Provider<SecretsManagerLocator> {
  const batchSize = Math.min(20, Math.max(1, options.batchSize ?? 20));
  const transport: AwsTransport = awsTransport(SECRETS_MANAGER_SERVICE, sdk, options);
  // For checkVersionFirst: the last value read per secret and stage, with its version id.
  const versions = createLRU<string, { versionId: string; value: RawValue }>({ max: 1000 });

  /** GetSecretValue for one secret, with the version id it read. */
  async function read(
    request: Request,
    { api, signal }: Context,
    secretId = request.locator.secretId,
  ): Promise<{ result: FetchResult; versionId?: string | undefined }> {
    const { versionStage, versionId } = request.locator;
    try {
      const output = await api.send(
        'GetSecretValue',
        {
          SecretId: secretId,
          ...(versionStage === undefined ? {} : { VersionStage: versionStage }),
          ...(versionId === undefined ? {} : { VersionId: versionId }),
        },
        { signal, forced: request.forced },
      );
      const version: unknown = output?.VersionId;
      // An answer that names another secret (a proxy's or a cache's mix-up) is no answer for this one;
      // one that names none is read as it is.
      const named = isObject(output) && (typeof output.Name === 'string' || typeof output.ARN === 'string');
      return {
        result:
          named && !entryFor(secretId, [output])
            ? malformedAnswer(request, 'GetSecretValue', 'an answer for another secret')
            : secretValue(request, output, 'GetSecretValue'),
        versionId: typeof version === 'string' ? version : undefined,
      };
    } catch (error) {
      return { result: awsFailure(request, error, NAMES, 'GetSecretValue') };
    }
  }

  async function getOne(request: Request, context: Context, secretId?: string): Promise<FetchResult> {
    return (await read(request, context, secretId)).result;
  }

  /** DescribeSecret, then GetSecretValue only if the version behind the stage changed. */
  async function getChecked(request: Request, context: Context, region: string | undefined): Promise<FetchResult> {
    const { secretId, versionStage, versionId } = request.locator;
    if (versionId !== undefined) return getOne(request, context); // a version id never changes
    const stage = versionStage ?? 'AWSCURRENT';
    const memo = `${region ?? ''}\n${secretId}\n${stage}`;
    const known = request.forced ? undefined : versions.get(memo);
    if (known !== undefined) {
      let current: string | undefined;
      try {
        const described = await context.api.send(
          'DescribeSecret',
          { SecretId: secretId },
          { signal: context.signal, forced: request.forced },
        );
        // An answer without stages (or with stages that are no lists) names no version: read the value.
        const stages: unknown = described?.VersionIdsToStages;
        current = Object.entries(isObject(stages) ? stages : {}).find(
          ([, names]) => Array.isArray(names) && names.includes(stage),
        )?.[0];
      } catch (error) {
        return awsFailure(request, error, NAMES, 'DescribeSecret');
      }
      if (current === known.versionId) return { value: known.value };
    }
    // The memo holds the version GetSecretValue itself returned: a read that lags behind a rotation
    // is read again at the next refresh, never pinned to the new version id.
    const { result, versionId: readVersion } = await read(request, context);
    if (readVersion !== undefined && 'value' in result)
      versions.set(memo, { versionId: readVersion, value: result.value });
    return result;
  }

  async function getBatch(requests: readonly Request[], context: Context): Promise<FetchResult[]> {
    const found: SecretValueEntry[] = [];
    const errors = new Map<string, { ErrorCode?: unknown; Message?: unknown }>();
    try {
      let token: string | undefined;
      do {
        const output = await context.api.send(
          'BatchGetSecretValue',
          {
            SecretIdList: [...new Set(requests.map((r) => r.locator.secretId))],
            ...(token === undefined ? {} : { NextToken: token }),
          },
          { signal: context.signal, forced: requests.some((r) => r.forced) },
        );
        // Only what has the documented shape counts; a secret the answer leaves out is read alone.
        const values: unknown = output?.SecretValues;
        if (Array.isArray(values)) found.push(...(values.filter(isObject) as SecretValueEntry[]));
        const failed: unknown = output?.Errors;
        for (const error of Array.isArray(failed) ? failed : []) {
          if (isObject(error) && typeof error.SecretId === 'string') errors.set(error.SecretId, error);
        }
        const next: unknown = output?.NextToken;
        token = typeof next === 'string' && next !== '' ? next : undefined;
      } while (token);
    } catch (error) {
      const failed = requests.map((r) => awsFailure(r, error, NAMES, 'BatchGetSecretValue'));
      // Aborted, throttled or failing for the moment: the batch's error for each secret (the resolver
      // retries the batch). Split, it would multiply the calls to a service that asks for fewer.
      if (isAbort(error) || failed[0]?.error.transient) return failed;
      // Denied (a role without BatchGetSecretValue) or refused as a whole (one listed secret without a
      // value does that): every secret on its own, in parallel.
      return Promise.all(requests.map((r) => getOne(r, context)));
    }
    return Promise.all(
      requests.map((request) => {
        const { secretId } = request.locator;
        const entry = entryFor(secretId, found);
        if (entry) return secretValue(request, entry, 'BatchGetSecretValue');
        const error = errors.get(secretId);
        if (error) {
          // As an SDK exception would be: fromAwsError keeps neither its message nor a name that is
          // not quotable, and reads the message only for the action and resource of a denial.
          const name = typeof error.ErrorCode === 'string' ? error.ErrorCode : 'Error';
          const shaped = Object.assign(new Error(typeof error.Message === 'string' ? error.Message : name), {
            name,
            // Per-secret errors carry only a code: the service's own failures are worth a retry.
            $fault: SERVER_ERRORS.has(name) ? 'server' : 'client',
            $metadata: {},
          });
          return awsFailure(request, shaped, NAMES, 'BatchGetSecretValue');
        }
        // Not in the answer at all: ask for it alone rather than guess.
        return getOne(request, context);
      }),
    );
  }

  /** Reads replicas, in order, for the requests that failed transiently in the primary region. */
  async function fallBack(
    requests: readonly Request[],
    results: FetchResult[],
    { signal, reportVia, clock }: FetchContext,
  ): Promise<void> {
    await Promise.all(
      requests.map(async (request, i) => {
        const regions = [...new Set([...request.locator.fallbackRegions, ...(options.fallbackRegions ?? [])])];
        for (const region of regions) {
          const result = results[i] as FetchResult;
          if (!('error' in result) || !result.error.transient || signal.aborted) return;
          let context: Context;
          try {
            context = { api: await transport.api(region, { reportVia, clock }), signal };
          } catch {
            return;
          }
          const replica = await getOne(request, context, inRegion(request.locator.secretId, region));
          // A replica that fails too leaves the primary's error, which names the primary region.
          if ('value' in replica) results[i] = replica;
        }
      }),
    );
  }

  return {
    schemes: ['secretsmanager'],
    params: SECRETS_MANAGER_PARAMS,
    arnServices: ['secretsmanager'],
    isRegion: isAwsRegion,
    batchSize,
    parse: parseSecretsManagerBody,
    async fetch(requests, fetchContext) {
      const { region, signal } = fetchContext;
      let context: Context;
      try {
        context = { api: await transport.api(region, fetchContext), signal };
      } catch (error) {
        return transport.unavailable(requests, error);
      }
      let results: FetchResult[];
      if (options.checkVersionFirst) {
        results = await Promise.all(requests.map((r) => getChecked(r, context, region)));
      } else if (requests.length > 1) {
        results = await getBatch(requests, context);
      } else {
        // One secret: GetSecretValue needs one permission less than the batch call.
        results = await Promise.all(requests.map((r) => getOne(r, context)));
      }
      await fallBack(requests, results, fetchContext);
      return results;
    },
    dispose() {
      versions.clear();
      transport.dispose();
    },
  };
}

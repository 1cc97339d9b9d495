/**
 * The SSM Parameter Store provider: `GetParameters` for batches of up to 10 names (matched back by
 * name and version, never by position), `GetParameter` for ARNs SSM would not batch, and
 * `GetParametersByPath` for paths. Always with decryption.
 */
import type { Parameter, SSMClient, SSMClientConfig } from '@aws-sdk/client-ssm';
import {
  type AwsApi,
  awsFailure,
  awsTransport,
  isAwsRegion,
  type SdkBinding,
  type TransportOptions,
} from '@secretref/aws';
import { type FetchRequest, type FetchResult, failure, type Provider, SecretNotFoundError } from '@secretref/core';
import { answer, isObject, malformed, rounds, toResult, wireName } from './answers.ts';
import { parseSsmBody, type SsmLocator } from './parse.ts';
import { SSM_SERVICE } from './service.ts';

/**
 * Options of `ssmProvider`. Clients it creates follow the SDK's default chain (`AWS_REGION`,
 * `AWS_ENDPOINT_URL`, profiles, roles), with `clientConfig` on top.
 */
export interface SsmProviderOptions extends TransportOptions<SSMClient, SSMClientConfig> {
  /** Names per `GetParameters` call, at most 10 (SSM's limit). @default 10 */
  readonly batchSize?: number | undefined;
}

type Request = FetchRequest<SsmLocator>;
type SsmModule = typeof import('@aws-sdk/client-ssm');

/**
 * The errors the SSM API reference documents for GetParameter, GetParameters and
 * GetParametersByPath, besides the common ones: quoted in messages as they are (any other name only
 * when it is CamelCase letters).
 */
const SSM_ERRORS = [
  'InternalServerError',
  'InvalidKeyId',
  'ParameterNotFound',
  'ParameterVersionNotFound',
  'InvalidFilterKey',
  'InvalidFilterOption',
  'InvalidFilterValue',
  'InvalidNextToken',
];
const NAMES = {
  notFound: ['ParameterNotFound', 'ParameterVersionNotFound'],
  decryption: ['InvalidKeyId'],
  known: SSM_ERRORS,
  actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
};
const SCHEMES = ['ssm', 'ssm-secure'];

/**
 * Creates the SSM provider for the schemes `ssm` and `ssm-secure` (SecureStrings decrypted).
 *
 * @example
 * ```ts
 * const resolver = createResolver({ providers: [ssmProvider({ clientConfig: { region: 'eu-west-1' } })] });
 * ```
 */
export function ssmProvider(options: SsmProviderOptions = {}): Provider<SsmLocator> {
  const sdk: SdkBinding<SSMClient, SsmModule> = {
    packageName: '@aws-sdk/client-ssm',
    load: () => import('@aws-sdk/client-ssm'),
    create: (module, config) => new module.SSMClient(config),
  };
  return createSsmProvider(options, sdk);
}

/** Options of `ssmFetchProvider`: those of `ssmProvider` without an SDK client. */
export type SsmFetchProviderOptions = Omit<SsmProviderOptions, 'client' | 'clientFor' | 'transport'> & {
  /** `fetch`, or `agent` with `fetch` behind it. @default SECRETREF_AWS_TRANSPORT if it is one of them, else 'fetch' */
  readonly transport?: 'fetch' | 'agent' | undefined;
};

/**
 * The SSM provider without the SDK: calls go over signed `fetch` (or the agent), and a bundle of it
 * holds no `@aws-sdk/client-ssm` (about 600 KB less). `clientConfig` may give `endpoint`, `region` and
 * `credentials`. See docs/providers/transports.md.
 *
 * @example
 * ```ts
 * const resolver = createResolver({ providers: [ssmFetchProvider()] });
 * ```
 */
export function ssmFetchProvider(options: SsmFetchProviderOptions = {}): Provider<SsmLocator> {
  return createSsmProvider(options, undefined);
}

function createSsmProvider(
  options: SsmProviderOptions,
  sdk: SdkBinding<SSMClient, SsmModule> | undefined,
): Provider<SsmLocator> {
  const batchSize = Math.min(10, Math.max(1, options.batchSize ?? 10));
  const transport = awsTransport(SSM_SERVICE, sdk, options);

  async function getOne(api: AwsApi, request: Request, signal: AbortSignal): Promise<FetchResult> {
    let parameter: unknown;
    try {
      const output = await api.send(
        'GetParameter',
        { Name: wireName(request.locator), WithDecryption: true },
        { signal, forced: request.forced },
      );
      parameter = output?.Parameter;
    } catch (error) {
      return awsFailure(request, error, NAMES, 'GetParameter');
    }
    if (!isObject(parameter)) return malformed(request, 'GetParameter', 'a Parameter');
    return toResult(request, parameter as Parameter, 'GetParameter');
  }

  async function getRound(api: AwsApi, round: Request[], signal: AbortSignal): Promise<FetchResult[]> {
    let output: Record<string, unknown>;
    try {
      output = await api.send(
        'GetParameters',
        { Names: round.map((r) => wireName(r.locator)), WithDecryption: true },
        { signal, forced: round.some((r) => r.forced) },
      );
    } catch (error) {
      return round.map((request) => awsFailure(request, error, NAMES, 'GetParameters'));
    }
    const listed: unknown = output?.InvalidParameters;
    const invalid = new Set(Array.isArray(listed) ? listed.filter((name) => typeof name === 'string') : []);
    const returned: unknown = output?.Parameters;
    // No Parameters list at all is no answer (`{}`, `null`): it never means "none of them exists".
    const parameters = Array.isArray(returned) ? (returned.filter(isObject) as Parameter[]) : undefined;
    return Promise.all(
      round.map(async (request): Promise<FetchResult> => {
        // SSM accepts ARNs in GetParameters, but some emulators list them as invalid: ask directly.
        if (request.locator.arn && invalid.has(wireName(request.locator))) return getOne(api, request, signal);
        const parameter = parameters && answer(request.locator, parameters);
        if (parameter) return toResult(request, parameter, 'GetParameters');
        if (invalid.has(wireName(request.locator))) {
          return failure(
            request,
            SecretNotFoundError,
            `parameter ${wireName(request.locator)} does not exist (or has no such version or label); check the name and region (reference "${request.ref}")`,
          );
        }
        return parameters === undefined
          ? malformed(request, 'GetParameters', 'a Parameters list')
          : // SSM answers every name, in Parameters or in InvalidParameters: this answer is not one.
            malformed(request, 'GetParameters', 'the parameter, in Parameters or InvalidParameters');
      }),
    );
  }

  async function getPath(api: AwsApi, request: Request, signal: AbortSignal): Promise<FetchResult> {
    const path = request.locator.name;
    const values: Record<string, string> = {};
    let count = 0;
    let token: string | undefined;
    try {
      do {
        const output = await api.send(
          'GetParametersByPath',
          {
            Path: path,
            Recursive: true,
            WithDecryption: true,
            MaxResults: 10,
            ...(token === undefined ? {} : { NextToken: token }),
          },
          { signal, forced: request.forced },
        );
        const page: unknown = output?.Parameters;
        // A page without a Parameters list is no answer: never "no parameters under the path".
        if (!Array.isArray(page)) return malformed(request, 'GetParametersByPath', 'a Parameters list');
        for (const parameter of page as unknown[]) {
          if (!isObject(parameter) || typeof parameter.Name !== 'string' || !parameter.Name.startsWith(path)) {
            return malformed(request, 'GetParametersByPath', 'a parameter name under the path');
          }
          const result = toResult(request, parameter as Parameter, 'GetParametersByPath');
          if ('error' in result) return result;
          // An own key, `__proto__` too (an assignment would set the object's prototype instead).
          Object.defineProperty(values, parameter.Name.slice(path.length), {
            value: result.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          count++;
        }
        // Page until the token is absent: a page may be empty and still have a successor.
        const next: unknown = output?.NextToken;
        token = typeof next === 'string' && next !== '' ? next : undefined;
      } while (token);
    } catch (error) {
      return awsFailure(request, error, NAMES, 'GetParametersByPath');
    }
    if (count === 0) {
      return failure(request, SecretNotFoundError, `no parameters under the path ${path} (reference "${request.ref}")`);
    }
    return { value: values };
  }

  return {
    schemes: SCHEMES,
    arnServices: ['ssm'],
    isRegion: isAwsRegion,
    batchSize,
    parse: parseSsmBody,
    async fetch(requests, context) {
      const { region, signal } = context;
      let api: AwsApi;
      try {
        api = await transport.api(region, context);
      } catch (error) {
        return transport.unavailable(requests, error);
      }
      const results = new Map<Request, FetchResult>();
      const names = requests.filter((r) => !r.locator.path);
      await Promise.all([
        ...requests.filter((r) => r.locator.path).map(async (r) => results.set(r, await getPath(api, r, signal))),
        ...rounds(names).map(async (round) => {
          const answers = await getRound(api, round, signal);
          round.forEach((r, i) => {
            results.set(r, answers[i] as FetchResult);
          });
        }),
      ]);
      return requests.map((r) => results.get(r) as FetchResult);
    },
    dispose: () => transport.dispose(),
  };
}

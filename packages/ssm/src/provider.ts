/**
 * The SSM Parameter Store provider: `GetParameters` for batches of up to 10 names (matched back by
 * name and version, never by position), `GetParameter` for ARNs SSM would not batch, and
 * `GetParametersByPath` for paths. Always with decryption.
 */
import type { GetParametersCommandOutput, Parameter, SSMClient, SSMClientConfig } from '@aws-sdk/client-ssm';
import {
  type AwsClientOptions,
  awsClientPool,
  type FetchRequest,
  type FetchResult,
  fromAwsError,
  InvalidValueError,
  type Provider,
  ProviderError,
  SecretNotFoundError,
} from '@secretref/core';
import { parseSsmBody, type SsmLocator } from './parse.ts';

/**
 * Options of `ssmProvider`. Clients it creates follow the SDK's default chain (`AWS_REGION`,
 * `AWS_ENDPOINT_URL`, profiles, roles), with `clientConfig` on top.
 */
export interface SsmProviderOptions extends AwsClientOptions<SSMClient, SSMClientConfig> {
  /** Names per `GetParameters` call, at most 10 (SSM's limit). @default 10 */
  readonly batchSize?: number | undefined;
}

type Request = FetchRequest<SsmLocator>;
type SsmModule = typeof import('@aws-sdk/client-ssm');

const NOT_FOUND = { notFound: ['ParameterNotFound', 'ParameterVersionNotFound'], decryption: ['InvalidKeyId'] };
const SCHEMES = ['ssm', 'ssm-secure'];

/** The name sent to SSM for a request: the name or ARN with its selector. */
function wireName(locator: SsmLocator): string {
  return locator.selector === undefined ? locator.name : `${locator.name}:${locator.selector}`;
}

function checkType(request: Request, parameter: Parameter): FetchResult | undefined {
  if (request.scheme !== 'ssm-secure' || parameter.Type === 'SecureString') return undefined;
  return {
    error: new InvalidValueError(
      `"${request.ref}" is a ${parameter.Type ?? 'non-SecureString'} parameter, but ssm-secure requires a SecureString; use ssm: for plain parameters`,
      { ref: request.ref, scheme: request.scheme },
    ),
  };
}

function toResult(request: Request, parameter: Parameter): FetchResult {
  const wrongType = checkType(request, parameter);
  if (wrongType) return wrongType;
  if (parameter.Value === undefined) {
    return {
      error: new ProviderError(`SSM returned no value for "${request.ref}"`, {
        ref: request.ref,
        scheme: request.scheme,
      }),
    };
  }
  return { value: parameter.Value };
}

/** The parameter a request names, however it is spelled (`/a/b`, `a/b`, `arn:...:parameter/a/b`). */
function parameterOf(locator: SsmLocator): string {
  const name = locator.arn
    ? locator.name.slice(locator.name.indexOf(':parameter/') + ':parameter/'.length)
    : locator.name;
  return name.startsWith('/') ? name.slice(1) : name;
}

function isLabel(locator: SsmLocator): boolean {
  return locator.selector !== undefined && locator.version === undefined;
}

/**
 * Finds the returned parameter that answers a request. SSM may return results in any order and
 * does not always echo the selector, so: a version matches by `Version`, the latest is the highest
 * version returned for the name, and a label is the only request of its name in its call (see
 * `rounds`), matched by `Selector` where SSM gives one.
 */
function answer(locator: SsmLocator, parameters: readonly Parameter[]): Parameter | undefined {
  const candidates = parameters.filter((p) => (locator.arn ? p.ARN : p.Name) === locator.name);
  if (locator.version !== undefined) return candidates.find((p) => p.Version === locator.version);
  if (isLabel(locator)) {
    return candidates.find((p) => p.Selector === `:${locator.selector}`) ?? candidates.find((p) => !p.Selector);
  }
  return candidates.reduce<Parameter | undefined>(
    (latest, p) => (latest === undefined || (p.Version ?? 0) > (latest.Version ?? 0) ? p : latest),
    undefined,
  );
}

/**
 * Splits requests into calls so that results can be matched without ambiguity: a label request
 * shares its call with no other request for the same name. Versions and the latest of one name
 * share a call.
 */
function rounds(requests: readonly Request[]): Request[][] {
  const result: Request[][] = [];
  // An ARN and a name can spell one parameter; results for an ARN are matched by ARN, for a name by
  // name, so the two spellings of one parameter never share a call either.
  const conflict = (a: Request, b: Request): boolean =>
    parameterOf(a.locator) === parameterOf(b.locator) &&
    (isLabel(a.locator) || isLabel(b.locator) || a.locator.arn !== b.locator.arn);
  for (const request of requests) {
    const round = result.find((r) => r.every((other) => !conflict(other, request)));
    if (round) round.push(request);
    else result.push([request]);
  }
  return result;
}

/** Creates the SSM provider for the schemes `ssm` and `ssm-secure`. */
export function ssmProvider(options: SsmProviderOptions = {}): Provider<SsmLocator> {
  const batchSize = Math.min(10, Math.max(1, options.batchSize ?? 10));
  const clients = awsClientPool(
    '@aws-sdk/client-ssm',
    options,
    () => import('@aws-sdk/client-ssm'),
    (sdk, config) => new sdk.SSMClient(config),
  );

  function fail(request: Request, error: unknown, operation: string): FetchResult {
    return { error: fromAwsError(error, NOT_FOUND, { ref: request.ref, scheme: request.scheme, operation }) };
  }

  async function getOne(
    module: SsmModule,
    client: SSMClient,
    request: Request,
    signal: AbortSignal,
  ): Promise<FetchResult> {
    try {
      const output = await client.send(
        new module.GetParameterCommand({ Name: wireName(request.locator), WithDecryption: true }),
        { abortSignal: signal },
      );
      if (!output.Parameter) throw new Error('empty GetParameter response');
      return toResult(request, output.Parameter);
    } catch (error) {
      return fail(request, error, 'GetParameter');
    }
  }

  async function getRound(
    module: SsmModule,
    client: SSMClient,
    round: Request[],
    signal: AbortSignal,
  ): Promise<FetchResult[]> {
    let output: GetParametersCommandOutput;
    try {
      output = await client.send(
        new module.GetParametersCommand({ Names: round.map((r) => wireName(r.locator)), WithDecryption: true }),
        { abortSignal: signal },
      );
    } catch (error) {
      return round.map((request) => fail(request, error, 'GetParameters'));
    }
    const invalid = new Set(output.InvalidParameters ?? []);
    const parameters = output.Parameters ?? [];
    return Promise.all(
      round.map(async (request): Promise<FetchResult> => {
        // SSM accepts ARNs in GetParameters, but some emulators list them as invalid: ask directly.
        if (request.locator.arn && invalid.has(wireName(request.locator)))
          return getOne(module, client, request, signal);
        const parameter = answer(request.locator, parameters);
        if (parameter) return toResult(request, parameter);
        if (invalid.has(wireName(request.locator))) {
          return {
            error: new SecretNotFoundError(
              `parameter ${wireName(request.locator)} does not exist (or has no such version or label); check the name and region (reference "${request.ref}")`,
              { ref: request.ref, scheme: request.scheme },
            ),
          };
        }
        return {
          error: new ProviderError(`SSM did not return "${request.ref}"`, { ref: request.ref, scheme: request.scheme }),
        };
      }),
    );
  }

  async function getPath(
    module: SsmModule,
    client: SSMClient,
    request: Request,
    signal: AbortSignal,
  ): Promise<FetchResult> {
    const path = request.locator.name;
    const values: Record<string, string> = {};
    let count = 0;
    let token: string | undefined;
    try {
      do {
        const output = await client.send(
          new module.GetParametersByPathCommand({
            Path: path,
            Recursive: true,
            WithDecryption: true,
            MaxResults: 10,
            ...(token === undefined ? {} : { NextToken: token }),
          }),
          { abortSignal: signal },
        );
        for (const parameter of output.Parameters ?? []) {
          const wrongType = checkType(request, parameter);
          if (wrongType) return wrongType;
          if (parameter.Name === undefined || parameter.Value === undefined) continue;
          values[parameter.Name.startsWith(path) ? parameter.Name.slice(path.length) : parameter.Name] =
            parameter.Value;
          count++;
        }
        // Page until the token is absent: a page may be empty and still have a successor.
        token = output.NextToken;
      } while (token);
    } catch (error) {
      return fail(request, error, 'GetParametersByPath');
    }
    if (count === 0) {
      return {
        error: new SecretNotFoundError(`no parameters under the path ${path} (reference "${request.ref}")`, {
          ref: request.ref,
          scheme: request.scheme,
        }),
      };
    }
    return { value: values };
  }

  return {
    schemes: SCHEMES,
    arnServices: ['ssm'],
    batchSize,
    parse: parseSsmBody,
    async fetch(requests, context) {
      const { region, signal } = context;
      let module: SsmModule;
      let client: SSMClient;
      try {
        ({ sdk: module, client } = await clients.get(region, context));
      } catch (error) {
        return clients.unavailable(requests, error);
      }
      const results = new Map<Request, FetchResult>();
      const names = requests.filter((r) => !r.locator.path);
      await Promise.all([
        ...requests
          .filter((r) => r.locator.path)
          .map(async (r) => results.set(r, await getPath(module, client, r, signal))),
        ...rounds(names).map(async (round) => {
          const answers = await getRound(module, client, round, signal);
          round.forEach((r, i) => {
            results.set(r, answers[i] as FetchResult);
          });
        }),
      ]);
      return requests.map((r) => results.get(r) as FetchResult);
    },
    dispose: () => clients.dispose(),
  };
}

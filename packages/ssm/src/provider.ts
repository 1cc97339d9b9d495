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
  service: 'ssm',
};
const SCHEMES = ['ssm', 'ssm-secure'];
/** The parameter types SSM documents: only these are quoted. */
const TYPES = new Set(['String', 'StringList', 'SecureString']);

/** The name sent to SSM for a request: the name or ARN with its selector. */
function wireName(locator: SsmLocator): string {
  return locator.selector === undefined ? locator.name : `${locator.name}:${locator.selector}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An answer without the shape the API documents (`{}`, `null`, a `Value` that is no string or empty,
 * a parameter outside the path asked for): a transient failure, so that a last good value is served
 * through it rather than dropped or replaced.
 */
function malformed(request: Request, operation: string, missing: string): FetchResult {
  return {
    error: new ProviderError(`${operation} for "${request.ref}" failed: an answer without ${missing}`, {
      ref: request.ref,
      scheme: request.scheme,
      transient: true,
    }),
  };
}

function checkType(request: Request, parameter: Parameter, operation: string): FetchResult | undefined {
  if (request.scheme !== 'ssm-secure' || parameter.Type === 'SecureString') return undefined;
  if (typeof parameter.Type !== 'string') return malformed(request, operation, 'a parameter type');
  // The type is what the answer held: only SSM's own types are quoted.
  const shown = TYPES.has(parameter.Type)
    ? `a ${parameter.Type} parameter`
    : 'a parameter of an unknown parameter type';
  return {
    error: new InvalidValueError(
      `"${request.ref}" is ${shown}, but ssm-secure requires a SecureString; use ssm: for plain parameters`,
      { ref: request.ref, scheme: request.scheme },
    ),
  };
}

function toResult(request: Request, parameter: Parameter, operation: string): FetchResult {
  // SSM refuses empty values (at least 1 character): an empty one is no answer of SSM's.
  if (typeof parameter.Value !== 'string' || !parameter.Value) return malformed(request, operation, 'a string Value');
  const wrongType = checkType(request, parameter, operation);
  if (wrongType) return wrongType;
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
    return { error: fromAwsError(error, NAMES, { ref: request.ref, scheme: request.scheme, operation }) };
  }

  async function getOne(
    module: SsmModule,
    client: SSMClient,
    request: Request,
    signal: AbortSignal,
  ): Promise<FetchResult> {
    let parameter: unknown;
    try {
      const output = await client.send(
        new module.GetParameterCommand({ Name: wireName(request.locator), WithDecryption: true }),
        { abortSignal: signal },
      );
      parameter = output?.Parameter;
    } catch (error) {
      return fail(request, error, 'GetParameter');
    }
    if (!isObject(parameter)) return malformed(request, 'GetParameter', 'a Parameter');
    return toResult(request, parameter as Parameter, 'GetParameter');
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
    const listed: unknown = output?.InvalidParameters;
    const invalid = new Set(Array.isArray(listed) ? listed.filter((name) => typeof name === 'string') : []);
    const returned: unknown = output?.Parameters;
    // No Parameters list at all is no answer (`{}`, `null`): it never means "none of them exists".
    const parameters = Array.isArray(returned) ? (returned.filter(isObject) as Parameter[]) : undefined;
    return Promise.all(
      round.map(async (request): Promise<FetchResult> => {
        // SSM accepts ARNs in GetParameters, but some emulators list them as invalid: ask directly.
        if (request.locator.arn && invalid.has(wireName(request.locator)))
          return getOne(module, client, request, signal);
        const parameter = parameters && answer(request.locator, parameters);
        if (parameter) return toResult(request, parameter, 'GetParameters');
        if (invalid.has(wireName(request.locator))) {
          return {
            error: new SecretNotFoundError(
              `parameter ${wireName(request.locator)} does not exist (or has no such version or label); check the name and region (reference "${request.ref}")`,
              { ref: request.ref, scheme: request.scheme },
            ),
          };
        }
        return parameters === undefined
          ? malformed(request, 'GetParameters', 'a Parameters list')
          : // SSM answers every name, in Parameters or in InvalidParameters: this answer is not one.
            malformed(request, 'GetParameters', 'the parameter, in Parameters or InvalidParameters');
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

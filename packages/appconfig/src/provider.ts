/**
 * The AppConfig provider: a profile's deployed configuration (a freeform one, or a feature-flag
 * profile's flags), read through AppConfigData's sessions (sessions.ts) or the AppConfig Agent. The
 * content type decides what the value reads as: JSON (`application/json`, `...+json`) as JSON, text
 * (`text/*`, YAML) as a string, anything else (or text that is no UTF-8) as bytes. The poll interval
 * is the floor of the TTL.
 */
import type { AppConfigDataClient, AppConfigDataClientConfig } from '@aws-sdk/client-appconfigdata';
import {
  type AwsApi,
  awsFailure,
  awsTransport,
  isAwsRegion,
  type SdkBinding,
  type TransportOptions,
} from '@secretref/aws';
import {
  type FetchRequest,
  type FetchResult,
  failure,
  InvalidOptionError,
  malformedAnswer,
  type Provider,
  SecretNotFoundError,
} from '@secretref/core';
import { GET_CONFIGURATION } from './agent.ts';
import { readAs, readable, utf8 } from './content.ts';
import { type AppConfigLocator, parseAppConfigBody } from './parse.ts';
import { APPCONFIG_SERVICE } from './service.ts';
import { MAX_SESSIONS, MalformedAnswer, operationOf, sessionLayer } from './sessions.ts';

/**
 * Options of `appconfigProvider`. Clients it creates follow the SDK's default chain (`AWS_REGION`,
 * `AWS_ENDPOINT_URL`, profiles, roles), with `clientConfig` on top.
 */
export interface AppConfigProviderOptions extends TransportOptions<AppConfigDataClient, AppConfigDataClientConfig> {
  /**
   * AppConfigData sessions kept, one per profile and region (each with its last configuration); past
   * it, the least recently used is dropped, and its profile's next read starts a new session (two
   * calls, the whole configuration received again). Raise it for an app that reads more profiles.
   * @default 100
   */
  readonly maxSessions?: number | undefined;
}

/** Options of `appconfigFetchProvider`: those of `appconfigProvider` without an SDK client. */
export type AppConfigFetchProviderOptions = Omit<AppConfigProviderOptions, 'client' | 'clientFor' | 'transport'> & {
  /** `fetch`, or `agent` with `fetch` behind it. @default SECRETREF_AWS_TRANSPORT if it is one of them, else 'fetch' */
  readonly transport?: 'fetch' | 'agent' | undefined;
};

type Request = FetchRequest<AppConfigLocator>;
type AppConfigDataModule = typeof import('@aws-sdk/client-appconfigdata');

/** The errors AppConfigData's API reference documents for its two operations. */
const NAMES = {
  notFound: ['ResourceNotFoundException'],
  known: ['BadRequestException', 'ResourceNotFoundException', 'InternalServerException', 'ThrottlingException'],
  actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
};
/** A version label as AppConfig allows it (1 to 64 characters), printable: else it is not reported. */
const LABEL = /^[\x21-\x7e][\x20-\x7e]{0,63}$/;

/** What ResourceNotFoundException says does not exist, by its ResourceType; the parts are the reference's own. */
function missing({ application, environment, profile }: AppConfigLocator, error: unknown): string {
  const type = (error as { ResourceType?: unknown }).ResourceType;
  const app = JSON.stringify(application);
  switch (type) {
    case 'Application':
      return `there is no application ${app}; check it and the region`;
    case 'Environment':
      return `application ${app} has no environment ${JSON.stringify(environment)}`;
    case 'ConfigurationProfile':
      return `application ${app} has no configuration profile ${JSON.stringify(profile)}`;
    case 'Deployment':
    case 'Configuration':
      return `nothing of profile ${JSON.stringify(profile)} is deployed to environment ${JSON.stringify(environment)} of ${app}`;
    default:
      return `application ${app}, its environment ${JSON.stringify(environment)} or its configuration profile ${JSON.stringify(profile)} does not exist, or nothing is deployed; check each and the region`;
  }
}

function toResult(request: Request, output: Record<string, unknown>): FetchResult {
  const bytes = output?.Configuration;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
    return malformedAnswer(request, 'GetLatestConfiguration', 'an answer without a configuration');
  }
  const contentType = typeof output.ContentType === 'string' ? output.ContentType : undefined;
  const kind = readAs(contentType);
  const seconds = output.NextPollIntervalInSeconds;
  const label = output.VersionLabel;
  const meta = {
    ...(typeof seconds === 'number' && seconds > 0 ? { minTtlMs: Math.ceil(seconds * 1000) } : {}),
    ...(typeof label === 'string' && LABEL.test(label) ? { version: label } : {}),
  };
  if (kind === 'bytes') return { value: Uint8Array.from(bytes), as: 'binary', ...meta };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    // A text content type with bytes that are no UTF-8: handed over as bytes.
    return { value: Uint8Array.from(bytes), as: 'binary', ...meta };
  }
  // JSON was checked as it came (sessions.ts, agent.ts): a damaged answer never gets here.
  return kind === 'text' ? { value: text, ...meta } : { value: text, as: 'json', ...meta };
}

/**
 * Creates the AppConfig provider for the scheme `appconfig`: `appconfig:<application>/<environment>/<profile>`.
 *
 * @example
 * ```ts
 * const resolver = createResolver({ providers: [appconfigProvider()] });
 * const flags = await resolver.resolve('appconfig:shop/prod/flags');
 * ```
 */
export function appconfigProvider(options: AppConfigProviderOptions = {}): Provider<AppConfigLocator> {
  const sdk: SdkBinding<AppConfigDataClient, AppConfigDataModule> = {
    packageName: '@aws-sdk/client-appconfigdata',
    load: () => import('@aws-sdk/client-appconfigdata'),
    create: (module, config) => new module.AppConfigDataClient(config),
  };
  return createAppConfigProvider(options, sdk);
}

/**
 * The AppConfig provider without the SDK: calls go over signed `fetch` (or the agent), and a bundle
 * of it holds no `@aws-sdk/client-appconfigdata`. See docs/providers/transports.md.
 *
 * @example
 * ```ts
 * const resolver = createResolver({ providers: [appconfigFetchProvider()] });
 * ```
 */
export function appconfigFetchProvider(options: AppConfigFetchProviderOptions = {}): Provider<AppConfigLocator> {
  return createAppConfigProvider(options, undefined);
}

function createAppConfigProvider(
  options: AppConfigProviderOptions,
  sdk: SdkBinding<AppConfigDataClient, AppConfigDataModule> | undefined,
): Provider<AppConfigLocator> {
  const maxSessions = options.maxSessions ?? MAX_SESSIONS;
  if (!(Number.isInteger(maxSessions) && maxSessions >= 1)) {
    throw new InvalidOptionError('option maxSessions of the AppConfig provider must be a whole number of at least 1');
  }
  const transport = awsTransport(APPCONFIG_SERVICE, sdk, options, {
    layer: (direct) => sessionLayer(direct, readable, maxSessions),
  });

  async function getOne(api: AwsApi, request: Request, signal: AbortSignal): Promise<FetchResult> {
    const { application, environment, profile } = request.locator;
    try {
      const output = await api.send(
        GET_CONFIGURATION,
        {
          ApplicationIdentifier: application,
          EnvironmentIdentifier: environment,
          ConfigurationProfileIdentifier: profile,
        },
        { signal, forced: request.forced },
      );
      return toResult(request, output);
    } catch (error) {
      if (error instanceof MalformedAnswer) return malformedAnswer(request, error.operation, error.what);
      const operation =
        operationOf(error) ?? (api.via === 'agent' ? "the AppConfig Agent's GET" : 'GetLatestConfiguration');
      if ((error as { name?: unknown } | null)?.name === 'ResourceNotFoundException') {
        return failure(
          request,
          SecretNotFoundError,
          `${operation}: ${missing(request.locator, error)} (reference "${request.ref}")`,
        );
      }
      return awsFailure(request, error, NAMES, operation);
    }
  }

  return {
    schemes: ['appconfig'],
    isRegion: isAwsRegion,
    parse: parseAppConfigBody,
    async fetch(requests, context) {
      let api: AwsApi;
      try {
        api = await transport.api(context.region, context);
      } catch (error) {
        return transport.unavailable(requests, error);
      }
      return Promise.all(requests.map((request) => getOne(api, request, context.signal)));
    },
    dispose: () => transport.dispose(),
  };
}

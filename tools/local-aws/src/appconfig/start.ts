/**
 * An emulator of the AWS AppConfig data plane (AppConfigData), which moto does not have, on loopback.
 *
 * Data plane (restJson1, SigV4 with signing name `appconfig`; the signature itself is not verified):
 * - `POST /configurationsessions` `{ApplicationIdentifier, EnvironmentIdentifier, ConfigurationProfileIdentifier,
 *   RequiredMinimumPollIntervalInSeconds?}` (names or ids; interval 15..86400, default 60) -> 201
 *   `{"InitialConfigurationToken"}`.
 * - `GET /configuration?configuration_token=T` -> 200, the configuration bytes, `Content-Type`,
 *   `Next-Poll-Configuration-Token`, `Next-Poll-Interval-In-Seconds`, `Version-Label` (when labelled) and an
 *   undeclared `Configuration-Version` (inferred; the agent relays it). The body is empty when the session's last
 *   answer already had this version. Tokens are single use and live 24 h on `now`.
 * - Errors: `x-amzn-errortype` + JSON. BadRequestException (400; `Reason: InvalidParameters`, `Details.InvalidParameters
 *   .ConfigurationToken.Problem` Corrupted for unknown or used tokens, Expired, PollIntervalNotSatisfied for a poll
 *   before the interval: "Request too early", as observed on AWS), ResourceNotFoundException (404; ResourceType
 *   Application, Environment, ConfigurationProfile, or Deployment when nothing is deployed), ThrottlingException
 *   (429), InternalServerException (500). Unsigned: 403 MissingAuthenticationTokenException; a credential scoped to
 *   another service or region: 403 InvalidSignatureException (AWS's usual front-end answers, inferred).
 * - Feature flag profiles store `{"version":"1","flags":{..},"values":{..}}` and answer the values form,
 *   `{"flag":{"enabled":true,...attributeValues}}`; a disabled flag is `{"enabled":false}` (attributes dropped: inferred).
 *
 * Control routes (JSON, unsigned; the same as the methods of `LocalAppConfig`; identifiers are names or ids):
 * - `POST /_emulator/applications` `{name}` -> 201 `{id}`
 * - `POST /_emulator/applications/{app}/environments` `{name}` -> 201 `{id}`
 * - `POST /_emulator/applications/{app}/profiles` `{name, type?}` (`AWS.Freeform` | `AWS.AppConfig.FeatureFlags`)
 *   -> 201 `{id}`
 * - `POST /_emulator/applications/{app}/environments/{env}/profiles/{profile}/deployments`
 *   `{content | contentBase64, contentType?, versionLabel?}` -> 201 `{versionNumber}` (new version, deployed at once)
 * - `PUT /_emulator/applications/{app}/environments/{env}/profiles/{profile}/flags/{flag}` `{enabled, attributes?}`
 *   -> 200 `{versionNumber}`
 * - `POST /_emulator/faults` `{throttle?, fail?}` (the next N data-plane calls fail) -> 200 `{throttle, fail}` pending
 * - `GET /_emulator/calls` -> 200 `{calls, sessions}`
 * Refusals: 400 (bad input), 404 (unknown resource), 409 (name taken), with `{message}`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { control } from './control.ts';
import {
  type Answer,
  authError,
  type DataPlane,
  type DataPlaneCall,
  faultAnswer,
  getLatestConfiguration,
  operationOf,
  startConfigurationSession,
} from './data-plane.ts';
import { AppConfigStore, type DeployOptions, type ProfileType } from './store.ts';
import { listenOnLoopback, readBody, send, sendAwsError } from './wire.ts';

/** Options of `startAppConfig`. */
export interface AppConfigOptions {
  /** The clock of token expiry and poll intervals, in ms. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** @default a free port */
  readonly port?: number | undefined;
  /** The region requests must be signed for. @default 'us-east-1' */
  readonly region?: string | undefined;
  /** Refuse polls sooner than the session's interval, as AWS does ("Request too early"). @default true */
  readonly enforcePollInterval?: boolean | undefined;
}

/** A running emulator. */
export interface LocalAppConfig {
  /** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** Every data-plane request, in order (control routes are not listed). */
  readonly calls: DataPlaneCall[];
  /** Sessions started so far. */
  readonly sessions: number;
  /** Returns the application's generated id. */
  createApplication(name: string): string;
  createEnvironment(application: string, name: string): string;
  createProfile(application: string, name: string, type?: ProfileType): string;
  /** A new hosted version of the profile, deployed to the environment at once; returns its version number. */
  deploy(
    application: string,
    environment: string,
    profile: string,
    content: string | Uint8Array,
    options?: DeployOptions,
  ): number;
  /** Deploys a new version of a flag profile with `flag` set; returns its version number. */
  setFlag(
    application: string,
    environment: string,
    profile: string,
    flag: string,
    enabled: boolean,
    attributes?: Readonly<Record<string, unknown>>,
  ): number;
  /** The next `count` data-plane calls get ThrottlingException. @default 1 */
  throttle(count?: number): void;
  /** The next `count` data-plane calls get InternalServerException. @default 1 */
  fail(count?: number): void;
  close(): Promise<void>;
}

function sendAnswer(res: ServerResponse, answer: Answer): void {
  if ('code' in answer) sendAwsError(res, answer.status, answer.code, answer.members);
  else send(res, answer.status, answer.body, { ...answer.headers, 'x-amzn-requestid': randomUUID() });
}

/** Starts an emulator on loopback. */
export async function startAppConfig(options: AppConfigOptions = {}): Promise<LocalAppConfig> {
  const region = options.region ?? 'us-east-1';
  const store = new AppConfigStore();
  const plane: DataPlane = {
    store,
    now: options.now ?? Date.now,
    region,
    enforcePollInterval: options.enforcePollInterval ?? true,
    tokens: new Map(),
    faults: { throttle: 0, fail: 0 },
    sessions: 0,
  };
  const calls: DataPlaneCall[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handle = async (): Promise<void> => {
      if (url.pathname.startsWith('/_emulator/')) return control(plane, calls, req, url, res);
      const body = await readBody(req);
      const operation = operationOf(req.method, url.pathname);
      if (!operation) return sendAwsError(res, 404, 'UnknownOperationException', { message: 'Not Found' });
      const answer =
        authError(req, region) ??
        faultAnswer(plane) ??
        (operation === 'StartConfigurationSession'
          ? startConfigurationSession(plane, body)
          : getLatestConfiguration(plane, url));
      calls.push({ operation, status: answer.status, ...('code' in answer && { error: answer.code }) });
      sendAnswer(res, answer);
    };
    handle().catch(() => res.destroy());
  });
  const address = await listenOnLoopback(server, options.port, 'the AppConfig emulator');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    region,
    calls,
    get sessions() {
      return plane.sessions;
    },
    createApplication: (name) => store.createApplication(name),
    createEnvironment: (application, name) => store.createEnvironment(application, name),
    createProfile: (application, name, type) => store.createProfile(application, name, type),
    deploy: (application, environment, profile, content, deployOptions) =>
      store.deploy(application, environment, profile, content, deployOptions),
    setFlag: (application, environment, profile, flag, enabled, attributes) =>
      store.setFlag(application, environment, profile, flag, enabled, attributes),
    throttle(count = 1) {
      plane.faults.throttle += count;
    },
    fail(count = 1) {
      plane.faults.fail += count;
    },
    close: address.close,
  };
}

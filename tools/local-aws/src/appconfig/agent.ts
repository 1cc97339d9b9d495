/**
 * An emulator of the AWS AppConfig Agent's local HTTP API (the Lambda extension, and the ECS/EKS/EC2 agent), in
 * front of an AppConfigData endpoint (`startAppConfig`, or a fault proxy before it). AWS documents the route, the
 * `?flag=` parameter, the port variable, the 45 s poll interval and the cache; the rest is inferred:
 * - `GET /applications/{app}/environments/{env}/configurations/{profile}` (names or ids, URL-encoded): the
 *   configuration, with `Content-Type`, `Configuration-Version` and `Version-Label` (when the data plane sent them).
 *   No token header, unless `accessToken` is set (the container agent's ACCESS_TOKEN: `Authorization: Bearer ...`).
 * - `?flag=a`: that flag's object (`{"enabled":true,...}`); `?flag=a&flag=b`: `{"a":{..},"b":{..}}`. An unknown flag
 *   is a 404, `flag` on a configuration that is not a JSON object a 400 (text/plain).
 * - The first request for a profile starts a session and polls; later ones are answered from the cache. Once the
 *   poll interval (and the session's Next-Poll-Interval) has passed, the next request polls before it is answered,
 *   as the Lambda extension does at each invoke (the container agent polls in the background; not emulated, so that
 *   an injected clock drives it). A failed refresh keeps serving the cache.
 * - Without a cached configuration, an upstream error is relayed with its HTTP status (404 for an unknown
 *   resource, as Powertools' end-to-end tests see it; 403, 429, 500 alike), the body `<code>: <message>`; no answer
 *   at all is a 502.
 */
import { createServer } from 'node:http';
import { AwsClient } from 'aws4fetch';
import { AgentCache, type Cached, type ProfileKey } from './agent-cache.ts';
import type { DataPlaneOperation } from './data-plane.ts';
import { listenOnLoopback, send } from './wire.ts';

/** Options of `startAppConfigAgent`. */
export interface AppConfigAgentOptions {
  /** The AppConfigData endpoint, `http://127.0.0.1:<port>`. */
  readonly backend: string;
  /** The region calls are signed for. @default 'us-east-1' */
  readonly region?: string | undefined;
  /** @default test/test */
  readonly credentials?:
    | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined }
    | undefined;
  /** AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS, in ms. @default 45_000 */
  readonly pollIntervalMs?: number | undefined;
  /** The cache's clock, in ms. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** @default a free port */
  readonly port?: number | undefined;
  /** AWS_APPCONFIG_EXTENSION_PREFETCH_LIST: paths fetched before the agent listens. @default [] */
  readonly prefetch?: readonly string[] | undefined;
  /** The container agent's ACCESS_TOKEN; requests then need `Authorization: Bearer <token>`. @default none */
  readonly accessToken?: string | undefined;
}

/** A request the agent answered. */
export interface AgentRequest {
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
  readonly flags: readonly string[];
  readonly status: number;
}

/** A running agent emulator. */
export interface LocalAppConfigAgent {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** `{ AWS_APPCONFIG_EXTENSION_HTTP_PORT }`, as a function beside the extension sees it. */
  readonly env: Readonly<Record<string, string>>;
  /** Configuration requests answered, in order. */
  readonly calls: AgentRequest[];
  /** Data-plane operations sent, retries included. */
  readonly upstream: DataPlaneOperation[];
  close(): Promise<void>;
}

const ROUTE = /^\/applications\/([^/]+)\/environments\/([^/]+)\/configurations\/([^/]+)$/;
const TEXT = { 'content-type': 'text/plain' };

function parseKey(pathname: string): ProfileKey | undefined {
  const match = ROUTE.exec(pathname);
  if (!match) return undefined;
  try {
    const [application = '', environment = '', profile = ''] = match.slice(1).map(decodeURIComponent);
    return { application, environment, profile };
  } catch {
    return undefined;
  }
}

/** The `?flag=` answer: [status, body]. */
function selectFlags(value: Cached, flags: readonly string[]): [number, string] {
  let document: unknown;
  try {
    document = JSON.parse(value.body.toString('utf8'));
  } catch {
    document = undefined;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    return [400, 'the flag query parameter needs a feature flag configuration'];
  const values = document as Record<string, unknown>;
  const missing = flags.find((flag) => !Object.hasOwn(values, flag));
  if (missing !== undefined) return [404, `flag ${missing} not found`];
  const [only] = flags;
  const selected =
    flags.length === 1 && only !== undefined ? values[only] : Object.fromEntries(flags.map((f) => [f, values[f]]));
  return [200, JSON.stringify(selected)];
}

/** Starts an agent emulator on loopback. */
export async function startAppConfigAgent(options: AppConfigAgentOptions): Promise<LocalAppConfigAgent> {
  const credentials = options.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' };
  const client = new AwsClient({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined && { sessionToken: credentials.sessionToken }),
    region: options.region ?? 'us-east-1',
    service: 'appconfig',
    retries: 0,
  });
  const upstream: DataPlaneOperation[] = [];
  const calls: AgentRequest[] = [];
  const cache = new AgentCache({
    client,
    backend: options.backend.replace(/\/+$/, ''),
    pollIntervalMs: options.pollIntervalMs ?? 45_000,
    now: options.now ?? Date.now,
    upstream,
  });
  for (const path of options.prefetch ?? []) {
    const key = parseKey(path);
    if (!key) throw new RangeError(`not a configuration path: ${path}`);
    await cache.get(key);
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handle = async (): Promise<void> => {
      const key = parseKey(url.pathname);
      if (!key) return send(res, 404, 'Not Found', TEXT);
      if (req.method !== 'GET') return send(res, 405, 'Method Not Allowed', TEXT);
      if (options.accessToken !== undefined && req.headers.authorization !== `Bearer ${options.accessToken}`)
        return send(res, 401, 'Unauthorized', TEXT);
      const flags = url.searchParams.getAll('flag');
      const outcome = await cache.get(key);
      const answer = (status: number, body: string | Buffer, headers: Record<string, string>): void => {
        calls.push({ ...key, flags, status });
        send(res, status, body, headers);
      };
      if (!outcome.ok) return answer(outcome.status, `${outcome.code}: ${outcome.message}`, TEXT);
      const value = outcome.value;
      const headers: Record<string, string> = { 'content-type': value.contentType };
      if (value.configurationVersion !== undefined) headers['configuration-version'] = value.configurationVersion;
      if (value.versionLabel !== undefined) headers['version-label'] = value.versionLabel;
      if (flags.length === 0) return answer(200, value.body, headers);
      const [status, body] = selectFlags(value, flags);
      answer(status, body, status === 200 ? { ...headers, 'content-type': 'application/json' } : TEXT);
    };
    handle().catch(() => res.destroy());
  });
  const address = await listenOnLoopback(server, options.port, 'the AppConfig agent emulator');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    env: { AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(address.port) },
    calls,
    upstream,
    close: address.close,
  };
}

/**
 * An emulator of AWS's two local secret caches, backed by moto: the "AWS Parameters and Secrets Lambda
 * Extension" (a Lambda layer, closed source) and the open-source "AWS Secrets Manager Agent"
 * (github.com/aws/aws-secretsmanager-agent). Both answer GETs on loopback, check a token header, cache, and
 * call AWS on a miss. AWS offers no emulator; this one follows the extension's documentation and observed
 * responses, and the agent's source (server.rs, parse.rs, cache_manager.rs, aws_secretsmanager_caching).
 * This file: options, the server and the AWS calls; routes.ts: what each kind answers.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { AwsClient } from 'aws4fetch';
import { agentHandler, type Context, extensionHandler, type Json, transient, type Upstream } from './routes.ts';

/** Options of `startAgent`. */
export interface AgentOptions {
  /** Where AWS calls go: moto's endpoint (or a fault proxy in front of it), `http://127.0.0.1:<port>`. */
  readonly backend: string;
  /** The region calls are signed for. @default 'us-east-1' */
  readonly region?: string | undefined;
  /** Which of the two caches to behave as. @default 'lambda-extension' */
  readonly kind?: 'lambda-extension' | 'secrets-manager-agent' | undefined;
  /**
   * What `X-Aws-Parameters-Secrets-Token` must equal: the function's `AWS_SESSION_TOKEN` for the extension,
   * `AWS_TOKEN` for the agent, where `file://PATH` means the file's trimmed content.
   */
  readonly token: string;
  /**
   * Cache time to live in ms; 0 disables the extension's cache. The extension clamps it to 300 s; the agent
   * refuses more than 3600 s. @default 300_000
   */
  readonly ttlMs?: number | undefined;
  /** The cache's clock, in ms. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** @default a free port */
  readonly port?: number | undefined;
}

/** A running emulator. */
export interface LocalAgent {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Routes that handled a request, in order: `parameters`, `secrets` or `ping` (refused requests are not listed). */
  readonly calls: string[];
  /** AWS operations sent to the backend, retries included: `GetParameter`, `GetSecretValue`, `DescribeSecret`. */
  readonly upstream: string[];
  /**
   * The extension during Lambda INIT: every request gets HTTP 400 `not ready to serve traffic, please wait`.
   * The agent kind has no such state (it refuses connections until it listens): connections are reset at once.
   * @default false
   */
  notReady: boolean;
  /**
   * The environment of a process that uses it, as Lambda or the agent's install sets it: the port, the
   * token (`AWS_SESSION_TOKEN` in Lambda, `AWS_TOKEN` beside the agent), and for the extension
   * `AWS_LAMBDA_FUNCTION_NAME`.
   */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** Both SDKs (Go v2, Rust) default to 3 attempts on throttling, 5xx and network errors. */
const MAX_ATTEMPTS = 3;
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);
const retryable = (r: Upstream): boolean => transient(r) || (!r.ok && THROTTLING.has(r.code ?? ''));

async function callOnce(client: AwsClient, backend: string, target: string, input: Json): Promise<Upstream> {
  let response: Response;
  try {
    response = await client.fetch(backend, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body: JSON.stringify(input),
    });
  } catch {
    return { ok: false, status: 0 };
  }
  let body: Json | undefined;
  try {
    const parsed: unknown = JSON.parse(await response.text());
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Json;
  } catch {
    body = undefined;
  }
  if (response.ok && body) return { ok: true, body };
  // The SDKs take the code from x-amzn-errortype or __type, minus any `namespace#` and `:suffix`.
  const type = response.headers.get('x-amzn-errortype') ?? body?.__type;
  const code = typeof type === 'string' ? type.split(':')[0]?.split('#').pop() : undefined;
  return { ok: false, status: response.status, code, message: body?.message ?? body?.Message };
}

/** Starts an emulator on loopback. */
export async function startAgent(options: AgentOptions): Promise<LocalAgent> {
  const kind = options.kind ?? 'lambda-extension';
  let ttlMs = Math.max(0, options.ttlMs ?? 300_000);
  if (kind === 'lambda-extension')
    ttlMs = Math.min(ttlMs, 300_000); // the extension logs a WARN and uses 5 min
  else if (ttlMs > 3_600_000) throw new RangeError('the agent accepts ttl_seconds from 0 to 3600');
  const token =
    kind === 'secrets-manager-agent' && options.token.startsWith('file://')
      ? readFileSync(options.token.slice('file://'.length), 'utf8').trim()
      : options.token;
  const region = options.region ?? 'us-east-1';
  // Retries are the SDK's (ctx.call), not aws4fetch's.
  const client = (service: string): AwsClient =>
    new AwsClient({ accessKeyId: 'test', secretAccessKey: 'test', region, service, retries: 0 });
  const clients = { ssm: client('ssm'), secretsmanager: client('secretsmanager') };
  const sockets = new Set<Socket>();
  const agent: LocalAgent = {
    endpoint: '',
    port: 0,
    calls: [],
    upstream: [],
    notReady: false,
    env: {},
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const ctx: Context = {
    agent,
    token,
    ttlMs,
    now: options.now ?? Date.now,
    cache: new Map(),
    async call(service, operation, input) {
      const target = `${service === 'ssm' ? 'AmazonSSM' : 'secretsmanager'}.${operation}`;
      for (let attempt = 1; ; attempt++) {
        agent.upstream.push(operation);
        const result = await callOnce(clients[service], options.backend, target, input);
        if (!retryable(result) || attempt === MAX_ATTEMPTS) return result;
      }
    },
  };
  const handle = kind === 'lambda-extension' ? extensionHandler : agentHandler;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    handle(ctx, req, url, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    // The agent before it listens: nothing to talk to.
    if (kind === 'secrets-manager-agent' && agent.notReady) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the agent emulator has no address');
  const env =
    kind === 'lambda-extension'
      ? { AWS_SESSION_TOKEN: options.token, AWS_LAMBDA_FUNCTION_NAME: 'local-agent' }
      : { AWS_TOKEN: options.token };
  Object.assign(agent, {
    port: address.port,
    endpoint: `http://127.0.0.1:${address.port}`,
    env: { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(address.port), ...env },
  });
  return agent;
}

/**
 * The agent's side of AppConfigData: one session per requested profile, started on the first request, the cache
 * it answers from, and the refresh once the poll interval has passed. Calls are signed with aws4fetch. agent.ts
 * serves the HTTP API on top of it.
 */
import type { AwsClient } from 'aws4fetch';
import type { DataPlaneOperation } from './data-plane.ts';
import type { Json } from './wire.ts';

/** A configuration as the agent holds it. */
export interface Cached {
  readonly body: Buffer;
  readonly contentType: string;
  readonly versionLabel: string | undefined;
  readonly configurationVersion: string | undefined;
}

/** What a look-up gives: the cached configuration, or the upstream failure to relay (`status` 502: no answer). */
export type Outcome =
  | { readonly ok: true; readonly value: Cached }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

type Failure = Outcome & { ok: false };
type Reply = { readonly ok: true; readonly response: Response } | Failure;

interface Entry {
  token: string | undefined;
  nextPollAt: number;
  value: Cached | undefined;
  pending: Promise<Outcome> | undefined;
}

/** The identifiers of a request, as the application sent them (names or ids). */
export interface ProfileKey {
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
}

/** The agent's settings and its record of upstream calls. */
export interface CacheContext {
  readonly client: AwsClient;
  readonly backend: string;
  readonly pollIntervalMs: number;
  readonly now: () => number;
  readonly upstream: DataPlaneOperation[];
}

/** Attempts per call, with retries on throttling, 5xx and network errors (the AWS SDKs' standard mode). */
const MAX_ATTEMPTS = 3;
const MIN_INTERVAL_S = 15;
const MAX_INTERVAL_S = 86_400;

async function failure(response: Response): Promise<Failure> {
  let body: Json = {};
  try {
    body = JSON.parse(await response.text()) as Json;
  } catch {
    // A body that is not JSON (a load balancer's page) leaves the status to speak.
  }
  const type = response.headers.get('x-amzn-errortype') ?? body.code ?? body.__type;
  const code = typeof type === 'string' ? (type.split(':')[0]?.split('#').pop() ?? 'Unknown') : 'Unknown';
  const message = body.Message ?? body.message;
  return { ok: false, status: response.status, code, message: typeof message === 'string' ? message : '' };
}

async function call(ctx: CacheContext, operation: DataPlaneOperation, init: RequestInit, url: string): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    ctx.upstream.push(operation);
    let reply: Reply;
    try {
      const response = await ctx.client.fetch(url, init);
      reply = response.ok ? { ok: true, response } : await failure(response);
    } catch (error) {
      reply = { ok: false, status: 502, code: 'ConnectionError', message: String(error) };
    }
    const retryable =
      !reply.ok && (reply.status >= 500 || reply.status === 429 || reply.code === 'ThrottlingException');
    if (!retryable || attempt === MAX_ATTEMPTS) return reply;
  }
}

async function startSession(ctx: CacheContext, key: ProfileKey): Promise<string | Failure> {
  const interval = Math.min(MAX_INTERVAL_S, Math.max(MIN_INTERVAL_S, Math.ceil(ctx.pollIntervalMs / 1000)));
  const reply = await call(
    ctx,
    'StartConfigurationSession',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ApplicationIdentifier: key.application,
        EnvironmentIdentifier: key.environment,
        ConfigurationProfileIdentifier: key.profile,
        RequiredMinimumPollIntervalInSeconds: interval,
      }),
    },
    `${ctx.backend}/configurationsessions`,
  );
  if (!reply.ok) return reply;
  const body = (await reply.response.json()) as Json;
  return typeof body.InitialConfigurationToken === 'string'
    ? body.InitialConfigurationToken
    : { ok: false, status: 502, code: 'InvalidResponse', message: 'no InitialConfigurationToken' };
}

/** One poll: a new token, and the configuration when it changed. */
async function poll(ctx: CacheContext, entry: Entry): Promise<Failure | undefined> {
  const url = `${ctx.backend}/configuration?configuration_token=${encodeURIComponent(entry.token ?? '')}`;
  const reply = await call(ctx, 'GetLatestConfiguration', { method: 'GET' }, url);
  if (!reply.ok) return reply;
  const headers = reply.response.headers;
  const body = Buffer.from(await reply.response.arrayBuffer());
  // Every answer of AppConfigData carries the next token: one without it (a proxy's page) is a failure.
  const next = headers.get('next-poll-configuration-token');
  if (!next) return { ok: false, status: 502, code: 'InvalidResponse', message: 'no Next-Poll-Configuration-Token' };
  entry.token = next;
  const intervalMs = Number(headers.get('next-poll-interval-in-seconds') ?? 0) * 1000;
  entry.nextPollAt = ctx.now() + Math.max(ctx.pollIntervalMs, intervalMs);
  // An empty body: nothing changed since the session's last answer; the cache stays.
  if (body.length > 0 || entry.value === undefined)
    entry.value = {
      body,
      contentType: headers.get('content-type') ?? 'application/octet-stream',
      versionLabel: headers.get('version-label') ?? undefined,
      configurationVersion: headers.get('configuration-version') ?? undefined,
    };
  return undefined;
}

/**
 * Starts a session if there is none, polls, and on a token the data plane no longer takes (expired, used) starts
 * over once. A failure with a cached configuration keeps serving it until the next interval.
 */
async function refresh(ctx: CacheContext, key: ProfileKey, entry: Entry): Promise<Outcome> {
  let failed: Failure | undefined;
  for (let round = 0; round < 2; round++) {
    if (entry.token === undefined) {
      const token = await startSession(ctx, key);
      if (typeof token !== 'string') {
        failed = token;
        break;
      }
      entry.token = token;
    }
    failed = await poll(ctx, entry);
    const stale = failed?.code === 'BadRequestException' && !/too early/i.test(failed.message);
    if (!stale) break;
    entry.token = undefined;
  }
  if (failed) entry.nextPollAt = ctx.now() + ctx.pollIntervalMs;
  if (entry.value) return { ok: true, value: entry.value };
  return failed ?? { ok: false, status: 502, code: 'InvalidResponse', message: 'no configuration' };
}

/** The agent's cache, by the identifiers as requested. */
export class AgentCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ctx: CacheContext;

  constructor(ctx: CacheContext) {
    this.#ctx = ctx;
  }

  /** The configuration for a request: from the cache, or fetched first (one fetch at a time per profile). */
  get(key: ProfileKey): Promise<Outcome> {
    const id = JSON.stringify([key.application, key.environment, key.profile]);
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = { token: undefined, nextPollAt: 0, value: undefined, pending: undefined };
      this.#entries.set(id, entry);
    }
    if (entry.pending) return entry.pending;
    if (entry.value && this.#ctx.now() < entry.nextPollAt) return Promise.resolve({ ok: true, value: entry.value });
    const current = entry;
    const pending = refresh(this.#ctx, key, current).finally(() => {
      current.pending = undefined;
    });
    current.pending = pending;
    return pending;
  }
}

/**
 * What the two kinds answer, route by route: the Lambda extension's documented and observed responses, and the
 * Secrets Manager Agent's (server.rs, parse.rs, cache_manager.rs, utils.rs, aws_secretsmanager_caching). The server
 * and the AWS calls are in start.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Json = Record<string, unknown>;
/** What an AWS call gave: the JSON output, or an error (`status` 0: no HTTP answer). */
export type Upstream =
  | { readonly ok: true; readonly body: Json }
  | { readonly ok: false; readonly status: number; readonly code?: string | undefined; readonly message?: unknown };
interface Entry {
  readonly value: Json;
  readonly at: number;
}
/** One emulator's state, as the handlers see it. */
export interface Context {
  readonly agent: { readonly calls: string[]; readonly notReady: boolean };
  readonly token: string;
  readonly ttlMs: number;
  readonly now: () => number;
  readonly cache: Map<string, Entry>;
  /** One AWS operation, with the SDK's retries. */
  call(service: 'ssm' | 'secretsmanager', operation: string, input: Json): Promise<Upstream>;
}
type Handler = (ctx: Context, req: IncomingMessage, url: URL, res: ServerResponse) => Promise<void>;

/** Both caches hold 1000 entries by default and drop the least recently written first. */
const CACHE_SIZE = 1000;
const EXTENSION_ERROR = 'an unexpected error occurred while executing request';
const INTERNAL_FAILURE = '{"__type":"InternalFailure"}';
const TOKEN_HEADERS = ['x-aws-parameters-secrets-token', 'x-vault-token'];
const REFRESH: Readonly<Record<string, boolean>> = { true: true, '1': true, false: false, '0': false };

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function store(cache: Map<string, Entry>, key: string, entry: Entry): void {
  cache.delete(key);
  cache.set(key, entry);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
}

/** What the agent's caching library calls transient: no answer, or a 5xx. */
export const transient = (r: Upstream): boolean => !r.ok && (r.status === 0 || r.status >= 500);

// --- The Lambda extension: Go SDK v2 output structs marshalled by encoding/json, as text/plain. ---

/** A Go `time.Time` in JSON: RFC 3339 with the fraction's trailing zeros trimmed. */
function goTime(epochSeconds: unknown): string | null {
  if (typeof epochSeconds !== 'number') return null;
  return new Date(Math.round(epochSeconds * 1000)).toISOString().replace(/\.?0+Z$/, 'Z');
}

function goParameter(output: Json): Json {
  const p = (output.Parameter ?? {}) as Json;
  const field = (name: string): unknown => p[name] ?? null;
  return {
    Parameter: {
      ARN: field('ARN'),
      DataType: field('DataType'),
      LastModifiedDate: goTime(p.LastModifiedDate),
      Name: field('Name'),
      Selector: field('Selector'),
      SourceResult: field('SourceResult'),
      Type: p.Type ?? '',
      Value: field('Value'),
      Version: p.Version ?? 0,
    },
    ResultMetadata: {},
  };
}

function goSecret(s: Json): Json {
  const field = (name: string): unknown => s[name] ?? null;
  return {
    ARN: field('ARN'),
    CreatedDate: goTime(s.CreatedDate),
    Name: field('Name'),
    SecretBinary: field('SecretBinary'),
    SecretString: field('SecretString'),
    VersionId: field('VersionId'),
    VersionStages: field('VersionStages'),
    ResultMetadata: {},
  };
}

export const extensionHandler: Handler = async (ctx, req, url, res) => {
  const answer = (status: number, body: string): void =>
    send(res, status, body, { 'content-type': 'text/plain', connection: 'close' });
  if (ctx.agent.notReady) return answer(400, 'not ready to serve traffic, please wait');
  if (req.headers['x-aws-parameters-secrets-token'] !== ctx.token)
    return answer(401, 'bad session token or header key');
  const query = url.searchParams;
  let service: 'ssm' | 'secretsmanager';
  let input: Json;
  if (url.pathname === '/systemsmanager/parameters/get' || url.pathname === '/systemsmanager/parameters/get/') {
    // Version or label: "only the first of these that is placed after the question mark is used".
    const selector = [...query].find(([key]) => key === 'version' || key === 'label')?.[1];
    const name = query.get('name');
    if (!name) return answer(400, EXTENSION_ERROR);
    ctx.agent.calls.push('parameters');
    service = 'ssm';
    input = {
      Name: selector === undefined ? name : `${name}:${selector}`,
      WithDecryption: query.get('withDecryption')?.toLowerCase() === 'true',
    };
  } else if (url.pathname === '/secretsmanager/get') {
    const secretId = query.get('secretId');
    if (!secretId) return answer(400, EXTENSION_ERROR);
    ctx.agent.calls.push('secrets');
    service = 'secretsmanager';
    input = {
      SecretId: secretId,
      VersionId: query.get('versionId') ?? undefined,
      VersionStage: query.get('versionStage') ?? undefined,
    };
  } else {
    return answer(404, '404 page not found');
  }
  const key = JSON.stringify([service, input]);
  const hit = ctx.cache.get(key);
  let output: Json;
  if (ctx.ttlMs > 0 && hit && ctx.now() - hit.at <= ctx.ttlMs) output = hit.value;
  else {
    const result = await ctx.call(service, service === 'ssm' ? 'GetParameter' : 'GetSecretValue', input);
    // The AWS error is not relayed: not found, denied and throttled all look alike.
    if (!result.ok) return answer(400, EXTENSION_ERROR);
    output = result.body;
    if (ctx.ttlMs > 0) store(ctx.cache, key, { value: output, at: ctx.now() });
  }
  answer(200, JSON.stringify(service === 'ssm' ? goParameter(output) : goSecret(output)));
};

// --- The Secrets Manager Agent: its own serde struct, errors as hand-formatted JSON 1.1, no content type. ---

interface AgentQuery {
  secretId: string;
  versionId?: string;
  versionStage?: string;
  refreshNow: boolean;
}

/** parse.rs: the query form (`secretId=`) or the path form (`/v1/<raw path rest>`); a string is a 400 body. */
function parseAgentQuery(url: URL, pathId: string | undefined): AgentQuery | string {
  if (pathId === '') return 'missing secret ID';
  const query: AgentQuery = { secretId: pathId ?? '', refreshNow: false };
  for (const [key, value] of url.searchParams) {
    if (key === 'secretId' && pathId === undefined) query.secretId = value;
    else if (key === 'versionId') query.versionId = value;
    else if (key === 'versionStage') query.versionStage = value;
    else if (key === 'refreshNow') {
      const refresh = REFRESH[value.toLowerCase()];
      if (refresh === undefined) return 'invalid refreshNow value';
      query.refreshNow = refresh;
    } else return `unknown parameter: ${key}`;
  }
  return query.secretId === '' ? 'missing parameter secretId' : query;
}

/** lib.rs is_current: does the cached version still hold the asked (or AWSCURRENT) stage? */
function stillCurrent(describe: Json, query: AgentQuery, cached: Json): boolean {
  const stages = describe.VersionIdsToStages as Record<string, string[]> | undefined;
  if (!stages) return false;
  if (query.versionId !== undefined && query.versionStage === undefined) return query.versionId in stages;
  const versionId = query.versionId ?? String(cached.VersionId);
  return stages[versionId]?.includes(query.versionStage ?? 'AWSCURRENT') ?? false;
}

/** lib.rs get_secret_value: cache, DescribeSecret on expiry, stale on transient errors, refreshNow. */
async function agentFetch(ctx: Context, query: AgentQuery): Promise<Upstream> {
  const key = JSON.stringify([query.secretId, query.versionId, query.versionStage]);
  const entry = query.refreshNow ? undefined : ctx.cache.get(key);
  if (entry && ctx.now() - entry.at <= ctx.ttlMs) return { ok: true, body: entry.value };
  if (entry) {
    const describe = await ctx.call('secretsmanager', 'DescribeSecret', { SecretId: entry.value.ARN });
    if (!describe.ok && !transient(describe)) return describe;
    if (!describe.ok || stillCurrent(describe.body, query, entry.value)) {
      store(ctx.cache, key, { value: entry.value, at: ctx.now() });
      return { ok: true, body: entry.value };
    }
  }
  const input = { SecretId: query.secretId, VersionId: query.versionId, VersionStage: query.versionStage };
  const fresh = await ctx.call('secretsmanager', 'GetSecretValue', input);
  const value = fresh.ok ? fresh.body : entry && transient(fresh) ? entry.value : undefined;
  if (value === undefined) return fresh;
  store(ctx.cache, key, { value, at: ctx.now() });
  return { ok: true, body: value };
}

function agentSecret(s: Json): string {
  const out: Json = { ARN: s.ARN ?? null, Name: s.Name ?? null, VersionId: s.VersionId ?? null };
  for (const name of ['SecretString', 'SecretBinary', 'VersionStages']) if (s[name] != null) out[name] = s[name];
  out.CreatedDate = typeof s.CreatedDate === 'number' ? String(s.CreatedDate) : null;
  return JSON.stringify(out);
}

/** cache_manager.rs svc_err + utils.rs err_response (the message is not escaped there either). */
function agentError(r: Upstream & { ok: false }): [number, string] {
  if (r.status === 0) return [502, '{"__type":"ConnectionError", "message":"Read Error"}'];
  if (!r.code || typeof r.message !== 'string') return [500, INTERNAL_FAILURE];
  if (r.message === '' || r.code === 'InternalFailure') return [r.status, INTERNAL_FAILURE];
  return [r.status, `{"__type":"${r.code}", "message":"${r.message}"}`];
}

export const agentHandler: Handler = async (ctx, req, url, res) => {
  if (url.pathname !== '/ping') {
    if (req.headers['x-forwarded-for'] !== undefined) return send(res, 400, 'Forwarded');
    if (!TOKEN_HEADERS.some((header) => req.headers[header] === ctx.token)) return send(res, 403, 'Bad Token');
  }
  if (req.method !== 'GET') return send(res, 405, 'Not allowed');
  if (url.pathname === '/ping') {
    ctx.agent.calls.push('ping');
    return send(res, 200, 'healthy');
  }
  let query: AgentQuery | string;
  if (url.pathname === '/secretsmanager/get') query = parseAgentQuery(url, undefined);
  else if (url.pathname.startsWith('/v1/')) query = parseAgentQuery(url, url.pathname.slice('/v1/'.length));
  else return send(res, 404, 'Not found');
  if (typeof query === 'string') return send(res, 400, query);
  ctx.agent.calls.push('secrets');
  const result = await agentFetch(ctx, query);
  if (result.ok) return send(res, 200, agentSecret(result.body));
  const [status, body] = agentError(result);
  send(res, status, body);
};

/**
 * The `agent` transport: reads through AWS's local caches on localhost, the AWS Parameters and
 * Secrets Lambda Extension (parameters and secrets) and the AWS Secrets Manager Agent (secrets), and
 * goes direct (the transport `auto` would pick) for everything they do not serve: what a service's
 * `agent` route does not name (paths, KMS, `DescribeSecret`), what it refuses (a forced parameter
 * fetch), a region other than theirs. Neither has a batch route: a batch is parallel single calls. When the agent cannot answer (refused, silent past a short
 * deadline, not ready, no route, a token it refuses), the call goes direct, with an event; after 3 in
 * a row the agent is skipped for 60 s. An AWS error it relays with its code is an answer.
 * docs/providers/transports.md has the wire details.
 */

import { channel } from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import { type Clock, InvalidOptionError, systemClock } from '@secretref/core';
import { readCappedBytes } from './body.ts';
import { abortError, MAX_ANSWER_BYTES, parseAnswer, serviceError } from './fetch.ts';
import type { AgentOutcome, AgentRoute, AwsApi, AwsEnv, AwsService, AwsTransport, SendOptions } from './types.ts';

/** Why a call went direct instead of through the agent. */
export type AgentFallbackReason =
  | 'refused'
  | 'timeout'
  | 'not-ready'
  | 'no-route'
  | 'token'
  | 'unreadable'
  | 'relayed'
  | 'skipped';

/**
 * The event on `secretref:agent-fallback`: a call (or the part of a batch the agent did not answer)
 * went direct. Never a value, a name or a token.
 */
export interface AgentFallbackEvent {
  /** `ssm`, `secretsmanager`. */
  readonly service: string;
  readonly reason: AgentFallbackReason;
  /** The transport that sent it instead (`fetch`, `sdk`). */
  readonly direct: string;
  /** The agent is being skipped: this failure was the third in a row, or the call came during the 60 s skip. */
  readonly skipping: boolean;
}

/** The channel of `AgentFallbackEvent`s, for `diagnostics_channel.subscribe`. */
export const AGENT_FALLBACK_CHANNEL = 'secretref:agent-fallback';
const fallbackChannel = channel(AGENT_FALLBACK_CHANNEL);

/** How long the agent may take to answer before the call goes direct (it may be fetching from AWS). */
export const AGENT_TIMEOUT_MS = 1000;
/** Calls open to the agent at once; more wait their turn (the extension fetches from AWS on a miss). */
const MAX_IN_FLIGHT = 32;
/** Failures in a row after which the agent is skipped, and for how long. */
const SKIP_AFTER = 3;
export const AGENT_SKIP_MS = 60_000;
const TOKEN_HEADER = 'X-Aws-Parameters-Secrets-Token';
/** The extension's answers when it cannot serve yet, and when the AWS call failed (no code given). */
const NOT_READY = /not ready to serve traffic/i;
/** The Secrets Manager Agent's relayed errors: `{"__type":"<Code>", "message":"..."}`, not always valid JSON. */
const RELAYED = /^\s*\{\s*"__type"\s*:\s*"([A-Za-z]{1,80})"/;
/** What the Secrets Manager Agent answers when it could not reach AWS (HTTP 5xx): its failure, not AWS's answer. */
const AGENT_OWN = new Set(['InternalFailure', 'ConnectionError', 'TimeoutError']);

class Fallback {
  constructor(readonly reason: AgentFallbackReason) {}
}

/** Two outputs of one batch operation as one: their lists joined (`Parameters`, `InvalidParameters`...). */
function joinLists(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const joined: Record<string, unknown> = { ...b, ...a };
  for (const key of Object.keys(joined)) {
    const [x, y] = [a[key], b[key]];
    if (Array.isArray(x) || Array.isArray(y))
      joined[key] = [...(Array.isArray(x) ? x : []), ...(Array.isArray(y) ? y : [])];
  }
  return joined;
}

const EXTENSION_PORT = { variable: 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', fallback: 2773 };

/** The port the agent listens on: its variable (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT), else its default (2773). */
function agentPort(env: AwsEnv, { variable, fallback } = EXTENSION_PORT): number {
  const text = env[variable];
  if (text === undefined || text === '') return fallback;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) {
    throw new InvalidOptionError(`${variable} must be a port number (1 to 65535)`);
  }
  return port;
}

/** The token the agent wants: AWS_TOKEN (a value, or file://path), else AWS_SESSION_TOKEN, else the container's. */
async function agentToken(env: AwsEnv): Promise<string> {
  const token = env.AWS_TOKEN || env.AWS_SESSION_TOKEN || env.AWS_CONTAINER_AUTHORIZATION_TOKEN || '';
  return token.startsWith('file://') ? (await readFile(token.slice('file://'.length), 'utf8')).trim() : token;
}

/** Creates the `agent` transport for one service, with `direct` behind it. */
export function agentTransport(service: AwsService, direct: AwsTransport, env: AwsEnv): AwsTransport {
  const route = service.agent;
  // Read on first use: a bad port variable of one agent fails its own references, not every provider's.
  let base: string | undefined;
  // In a Lambda function the agent is the extension, which has no refreshNow.
  const lambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  const blobs = new Set(service.blobs ?? []);
  let token: Promise<string> | undefined;
  let failures = 0;
  let skipUntil = Number.NEGATIVE_INFINITY;
  let inFlight = 0;
  const waiting: (() => void)[] = [];

  /** One GET to the agent: its JSON answer, an AWS error it relays (thrown), or a Fallback (thrown). */
  async function get(
    agent: AgentRoute,
    path: string,
    query: URLSearchParams,
    signal: AbortSignal,
    clock: Clock,
  ): Promise<unknown> {
    let value = '';
    try {
      if (agent.token !== false) {
        token ??= agentToken(env);
        value = await token;
      }
    } catch {
      // A token file that cannot be read: the agent cannot be asked (its path is not quoted).
      token = undefined;
      throw new Fallback('token');
    }
    const headers: Record<string, string> = agent.token === false ? {} : { [TOKEN_HEADER]: value };
    if (signal.aborted) throw abortError();
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    const timer = clock.setTimer(stop, AGENT_TIMEOUT_MS, { unref: true });
    try {
      // A redirect is not followed: the token would go where it says.
      const search = query.size > 0 ? `?${query}` : '';
      const response = await fetch(`${base}${path}${search}`, {
        headers,
        signal: controller.signal,
        redirect: 'manual',
      });
      const bytes = await readCappedBytes(response, MAX_ANSWER_BYTES);
      if (bytes === undefined) throw new Fallback('unreadable');
      if (response.ok && agent.read) {
        const output = agent.read(new Uint8Array(bytes), response.headers);
        if (output === undefined) throw new Fallback('unreadable');
        return output;
      }
      const text = bytes.toString('utf8');
      if (response.ok) {
        const answer = parseAnswer(text, blobs);
        if (answer === undefined) throw new Fallback('unreadable');
        return answer;
      }
      // A status relayed without its code says too little (a missing profile? something else on the port?).
      if (agent.relays?.includes(response.status)) throw new Fallback('relayed');
      const relayed = RELAYED.exec(text)?.[1];
      // The Secrets Manager Agent's own failures to reach AWS are no answer of the request.
      if (relayed !== undefined && response.status >= 500 && AGENT_OWN.has(relayed)) throw new Fallback('unreadable');
      // An AWS error of the request, relayed with its code: the answer. Its message is read as the SDK's would be.
      if (relayed !== undefined)
        throw serviceError(response.status, response.headers, parseAnswer(text, blobs) ?? { __type: relayed });
      if (response.status === 404) throw new Fallback('no-route');
      if (response.status === 401 || response.status === 403) {
        // The token may have changed (an agent restarted and wrote a new file): read it again next time.
        token = undefined;
        throw new Fallback('token');
      }
      if (NOT_READY.test(text)) throw new Fallback('not-ready');
      // The extension's "an unexpected error occurred": the AWS call failed, it does not say how.
      throw new Fallback('unreadable');
    } catch (error) {
      if (error instanceof Fallback || !(error instanceof Error) || '$metadata' in error) throw error;
      if (signal.aborted) throw abortError();
      throw new Fallback(controller.signal.aborted ? 'timeout' : 'refused');
    } finally {
      timer.clear();
      signal.removeEventListener('abort', stop);
    }
  }

  /** Runs `call` when fewer than MAX_IN_FLIGHT calls to the agent are open (its deadline starts then). */
  async function slot<T>(call: () => Promise<T>): Promise<T> {
    // A freed slot is handed to the next waiter as it is: the count never dips for a newcomer to take.
    if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
    else inFlight++;
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else inFlight--;
    }
  }

  function fellBack(reason: AgentFallbackReason, clock: Clock): void {
    // An answer the extension could not explain is about the request, not the agent: it is not counted.
    if (reason !== 'unreadable' && reason !== 'relayed' && reason !== 'skipped') failures++;
    const starts = failures >= SKIP_AFTER;
    if (starts) {
      failures = 0;
      skipUntil = clock.now() + AGENT_SKIP_MS;
    }
    if (fallbackChannel.hasSubscribers) {
      const skipping = starts || reason === 'skipped';
      fallbackChannel.publish({ service: service.name, reason, direct: direct.name, skipping });
    }
  }

  /**
   * Sends an operation through the agent, as single GETs. The items it could not answer go direct,
   * in one call of the batch operation; `undefined` when none was answered (all go direct then).
   */
  async function viaAgent(
    agent: AgentRoute,
    operation: string,
    input: Record<string, unknown>,
    options: SendOptions,
    clock: Clock,
    directApi: () => Promise<AwsApi>,
  ): Promise<Record<string, unknown> | undefined> {
    // The batch operation's route, or none for the single one.
    const batch = operation === agent.single ? undefined : agent.batch;
    const items = batch ? batch.items(input) : [input];
    const queries = items.map((item) => agent.query(item, options.forced === true, lambda));
    if (queries.some((query) => query === undefined)) return undefined;
    const settled = await Promise.allSettled(
      queries.map((query, i) => {
        const path = typeof agent.path === 'string' ? agent.path : agent.path(items[i] as Record<string, unknown>);
        return slot(() => get(agent, path, query as URLSearchParams, options.signal, clock));
      }),
    );
    const fallen = settled.flatMap((s, i) => (s.status === 'rejected' && s.reason instanceof Fallback ? [i] : []));
    const first = settled[fallen[0] ?? -1] as PromiseRejectedResult | undefined;
    if (first === undefined) failures = 0;
    else fellBack((first.reason as Fallback).reason, clock);
    if (fallen.length === items.length) return undefined;
    const outcomes = settled.flatMap((s, i): AgentOutcome[] => {
      if (fallen.includes(i)) return [];
      if (s.status === 'rejected') return [{ error: s.reason as Error }];
      return [{ output: (typeof s.value === 'object' && s.value !== null ? s.value : {}) as Record<string, unknown> }];
    });
    if (!batch) {
      const [only] = outcomes as [AgentOutcome];
      if ('error' in only) throw only.error;
      return only.output;
    }
    const answered = batch.assemble(
      outcomes,
      items.filter((_, i) => !fallen.includes(i)),
    );
    if (fallen.length === 0) return answered;
    // The rest in one direct call of the batch operation, its lists joined to the agent's.
    const rest = await (await directApi()).send(
      operation,
      batch.input(fallen.map((i) => items[i] as Record<string, unknown>)),
      options,
    );
    return joinLists(answered, rest);
  }

  return {
    name: 'agent',
    async api(region, context) {
      base ??= `http://127.0.0.1:${agentPort(env, route?.port)}`;
      // The agent serves its own region only: a reference in another one goes direct.
      const own = region === undefined || region === env.AWS_REGION;
      const clock = context?.clock ?? systemClock;
      const directApi = (): Promise<AwsApi> => direct.api(region, context);
      if (region === undefined && env.AWS_REGION) context?.reportRegion?.(env.AWS_REGION);
      const api: AwsApi = {
        via: 'agent',
        async send(operation, input, options: SendOptions) {
          const agent = route;
          const served =
            own && agent !== undefined && (operation === agent.single || operation === agent.batch?.operation);
          if (served && clock.now() < skipUntil) fellBack('skipped', clock);
          else if (served) {
            const output = await viaAgent(agent, operation, input, options, clock, directApi);
            if (output !== undefined) {
              context?.reportVia?.('agent');
              return output;
            }
          }
          return (await directApi()).send(operation, input, options);
        },
      };
      return api;
    },
    unavailable: (requests, error) =>
      error instanceof InvalidOptionError
        ? requests.map((r) => ({ error: new InvalidOptionError(error.message, { ref: r.ref, scheme: r.scheme }) }))
        : direct.unavailable(requests, error),
    dispose: () => direct.dispose(),
  };
}

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
import { parseAnswer, readCapped, serviceError } from './fetch.ts';
import type { AgentOutcome, AgentRoute, AwsApi, AwsEnv, AwsService, AwsTransport, SendOptions } from './types.ts';

/** Why a call went direct instead of through the agent. */
export type AgentFallbackReason = 'refused' | 'timeout' | 'not-ready' | 'no-route' | 'token' | 'unreadable' | 'skipped';
/** A Fallback's reason: why the agent could not answer, or `direct` (it must not: a forced parameter fetch). */
type Reason = AgentFallbackReason | 'direct';

/** The event on `secretref:agent-fallback`: a call went direct. Never a value, a name or a token. */
export interface AgentFallbackEvent {
  /** `ssm`, `secretsmanager`. */
  readonly service: string;
  readonly reason: AgentFallbackReason;
  /** The transport that sent it instead (`fetch`, `sdk`). */
  readonly via: string;
  /** True when this failure made the agent be skipped for the next 60 s. */
  readonly skipping: boolean;
}

/** The channel of `AgentFallbackEvent`s, for `diagnostics_channel.subscribe`. */
export const AGENT_FALLBACK_CHANNEL = 'secretref:agent-fallback';
const fallbackChannel = channel(AGENT_FALLBACK_CHANNEL);

/** How long the agent may take to answer before the call goes direct (it may be fetching from AWS). */
export const AGENT_TIMEOUT_MS = 1000;
/** Failures in a row after which the agent is skipped, and for how long. */
const SKIP_AFTER = 3;
export const AGENT_SKIP_MS = 60_000;
const TOKEN_HEADER = 'X-Aws-Parameters-Secrets-Token';
/** The extension's answers when it cannot serve yet, and when the AWS call failed (no code given). */
const NOT_READY = /not ready to serve traffic/i;
/** The Secrets Manager Agent's relayed errors: `{"__type":"<Code>", "message":"..."}`, not always valid JSON. */
const RELAYED = /^\s*\{\s*"__type"\s*:\s*"([A-Za-z]{1,80})"/;

const aborted = (): Error => Object.assign(new Error('the call was aborted'), { name: 'AbortError' });

class Fallback {
  constructor(readonly reason: Reason) {}
}

/** The port the agent listens on: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, else 2773. */
function agentPort(env: AwsEnv): number {
  const text = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
  if (text === undefined || text === '') return 2773;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidOptionError('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT must be a port number (1 to 65535)');
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
  const base = `http://127.0.0.1:${agentPort(env)}`;
  // In a Lambda function the agent is the extension, which has no refreshNow.
  const lambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  const blobs = new Set(service.blobs ?? []);
  let token: Promise<string> | undefined;
  let failures = 0;
  let skipUntil = Number.NEGATIVE_INFINITY;

  /** One GET to the agent: its JSON answer, an AWS error it relays (thrown), or a Fallback (thrown). */
  async function get(path: string, query: URLSearchParams, signal: AbortSignal, clock: Clock): Promise<unknown> {
    let value: string;
    try {
      token ??= agentToken(env);
      value = await token;
    } catch {
      // A token file that cannot be read: the agent cannot be asked (its path is not quoted).
      token = undefined;
      throw new Fallback('token');
    }
    const headers = { [TOKEN_HEADER]: value };
    if (signal.aborted) throw aborted();
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    const timer = clock.setTimer(stop, AGENT_TIMEOUT_MS, { unref: true });
    try {
      const response = await fetch(`${base}${path}?${query}`, { headers, signal: controller.signal });
      const text = await readCapped(response);
      if (text === undefined) throw new Fallback('unreadable');
      if (response.ok) {
        const answer = parseAnswer(text, blobs);
        if (answer === undefined) throw new Fallback('unreadable');
        return answer;
      }
      const relayed = RELAYED.exec(text)?.[1];
      // An AWS error of the request, relayed with its code: the answer. Its message is read as the SDK's would be.
      if (relayed !== undefined)
        throw serviceError(response.status, response.headers, parseAnswer(text, blobs) ?? { __type: relayed });
      if (response.status === 404) throw new Fallback('no-route');
      if (response.status === 401 || response.status === 403) throw new Fallback('token');
      if (NOT_READY.test(text)) throw new Fallback('not-ready');
      // The extension's "an unexpected error occurred": the AWS call failed, it does not say how.
      throw new Fallback('unreadable');
    } catch (error) {
      if (error instanceof Fallback || !(error instanceof Error) || '$metadata' in error) throw error;
      if (signal.aborted) throw aborted();
      throw new Fallback(controller.signal.aborted ? 'timeout' : 'refused');
    } finally {
      timer.clear();
      signal.removeEventListener('abort', stop);
    }
  }

  /** Sends an operation through the agent, as single GETs; throws a Fallback if any of them could not be answered. */
  async function viaAgent(
    agent: AgentRoute,
    operation: string,
    input: Record<string, unknown>,
    { signal, forced }: SendOptions,
    clock: Clock,
  ): Promise<Record<string, unknown>> {
    const items = operation === agent.single ? [input] : agent.items(input);
    const queries = items.map((item) => agent.query(item, forced === true, lambda));
    if (queries.some((query) => query === undefined)) throw new Fallback('direct');
    const settled = await Promise.allSettled(
      queries.map((query) => get(agent.path, query as URLSearchParams, signal, clock)),
    );
    const fallback = settled.find((s) => s.status === 'rejected' && s.reason instanceof Fallback);
    if (fallback) throw (fallback as PromiseRejectedResult).reason;
    const outcomes = settled.map(
      (s): AgentOutcome =>
        s.status === 'fulfilled'
          ? { output: (typeof s.value === 'object' && s.value !== null ? s.value : {}) as Record<string, unknown> }
          : { error: s.reason as Error },
    );
    if (operation !== agent.single) return agent.assemble(outcomes, items);
    const [only] = outcomes as [AgentOutcome];
    if ('error' in only) throw only.error;
    return only.output;
  }

  function fellBack(reason: AgentFallbackReason, via: string, clock: Clock): void {
    // An answer the extension could not explain is about the request, not the agent: it is not counted.
    if (reason !== 'unreadable' && reason !== 'skipped') failures++;
    const skipping = failures >= SKIP_AFTER;
    if (skipping) {
      failures = 0;
      skipUntil = clock.now() + AGENT_SKIP_MS;
    }
    if (fallbackChannel.hasSubscribers) fallbackChannel.publish({ service: service.name, reason, via, skipping });
  }

  return {
    name: 'agent',
    async api(region, context) {
      // The agent serves its own region only: a reference in another one goes direct.
      const own = region === undefined || region === env.AWS_REGION;
      const clock = context?.clock ?? systemClock;
      const directApi = (): Promise<AwsApi> => direct.api(region, context);
      if (region === undefined && env.AWS_REGION) context?.reportRegion?.(env.AWS_REGION);
      const api: AwsApi = {
        via: 'agent',
        async send(operation, input, options: SendOptions) {
          const agent = service.agent;
          const served = own && agent !== undefined && (operation === agent.single || operation === agent.batch);
          if (served && clock.now() >= skipUntil) {
            try {
              const output = await viaAgent(agent, operation, input, options, clock);
              failures = 0;
              context?.reportVia?.('agent');
              return output;
            } catch (error) {
              if (!(error instanceof Fallback)) {
                failures = 0;
                context?.reportVia?.('agent');
                throw error;
              }
              if (error.reason !== 'direct') fellBack(error.reason, direct.name, clock);
            }
          } else if (served) {
            fellBack('skipped', direct.name, clock);
          }
          return (await directApi()).send(operation, input, options);
        },
      };
      return api;
    },
    unavailable: (requests, error) => direct.unavailable(requests, error),
    dispose: () => direct.dispose(),
  };
}

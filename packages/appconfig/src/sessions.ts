/**
 * AppConfigData's sessions, done as its API reference says, as a layer over the direct transport: it
 * answers the provider's own `GetConfiguration` (a profile's latest configuration) with the
 * service's two calls.
 * - One session per profile and region, for as long as the provider lives: `StartConfigurationSession`
 *   once, then `GetLatestConfiguration` with the token of the previous answer (single-use, valid
 *   24 hours). A session older than that, a token the service refuses (`BadRequestException`), or a
 *   call whose answer may have been lost (a network error, an abort) starts a new session.
 * - An empty `Configuration` means "unchanged": the layer keeps each session's last configuration and
 *   answers with it, whatever the core's cache evicted meanwhile.
 * - `NextPollIntervalInSeconds` is the floor: before it has passed the layer answers from the last
 *   configuration without a call, and it reports what is left of it (the core raises a shorter TTL).
 * - A forced fetch starts a new session: its first answer is the latest configuration, at once.
 * - Calls of one session never overlap (its token is single-use): they queue.
 */
import { type AwsApi, type AwsTransport, abortError, type SendOptions } from '@secretref/aws';
import { type Clock, systemClock } from '@secretref/core';
import { createLRU } from 'lru.min';
import { GET_CONFIGURATION } from './agent.ts';

/** A token is valid 24 hours; a session is renewed a minute before (a token may have waited in a queue). */
const TOKEN_LIFE_MS = 24 * 60 * 60 * 1000 - 60_000;
/** AppConfig's longest poll interval: a longer one (a proxy's, a broken answer's) is taken as this. */
const MAX_POLL_INTERVAL_S = 86_400;
/**
 * Sessions kept by default (the provider's `maxSessions`), least recently used dropped first: each
 * holds its last configuration. A dropped session costs a new one (two calls, and the whole
 * configuration received again) when its profile is read again.
 */
export const MAX_SESSIONS = 100;
/** What the provider asks for: AppConfigData's least (15 s), so that the reference's TTL decides, above it. */
const REQUIRED_MINIMUM_POLL_INTERVAL_S = 15;

/** A session's last configuration. */
interface Configuration {
  readonly Configuration: Uint8Array;
  readonly ContentType: string | undefined;
  readonly VersionLabel: string | undefined;
}

/** What the layer answers `GetConfiguration` with. */
interface ConfigurationOutput extends Configuration, Record<string, unknown> {
  /** What is left of the poll interval, in seconds (fractional): no new call before. */
  readonly NextPollIntervalInSeconds: number;
}

interface Session {
  token: string | undefined;
  /** When the token was issued (on the resolver's clock). */
  tokenAt: number;
  /** No poll before this, unless forced. */
  nextPollAt: number;
  last: Configuration | undefined;
  /** The calls of this session, one after the other. */
  queue: Promise<unknown>;
}

/** The service's answer without the shape it documents: a transient failure, not "no configuration". */
export class MalformedAnswer extends Error {
  constructor(
    readonly operation: string,
    /** What is wrong with it, as a message's end: "an answer without ...". */
    readonly what: string,
  ) {
    super(`${operation}: ${what}`);
  }
}

/** The operation each error of the layer came from, for its message. */
const operations = new WeakMap<object, string>();

/** The AppConfigData operation an error came from; `undefined` for one that did not come through the layer (the agent's). */
export function operationOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? operations.get(error) : undefined;
}

/** Sends one operation, remembering which one an error came from. */
async function sent(api: AwsApi, operation: string, input: Record<string, unknown>, options: SendOptions) {
  try {
    return await api.send(operation, input, options);
  } catch (error) {
    if (typeof error === 'object' && error !== null) operations.set(error, operation);
    throw error;
  }
}

/**
 * An error the service answered with (an error status): the request reached it, and the token was not
 * redeemed. A 2xx that could not be read (too large, cut) did redeem it.
 */
const answered = (error: unknown): boolean => {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400;
};

const isBadRequest = (error: unknown): boolean => (error as { name?: unknown } | null)?.name === 'BadRequestException';

/** `turn`, or an AbortError as soon as `signal` aborts (a caller waiting its turn in a session's queue). */
function untilAborted<T>(turn: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => reject(abortError());
    signal.addEventListener('abort', stop, { once: true });
    turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/**
 * The sessions layer over `direct` (the `sdk` or `fetch` transport). `accept` says whether a
 * configuration can be what its content type says (JSON that parses): one that cannot is a damaged
 * answer, never the session's last configuration.
 */
export function sessionLayer(
  direct: AwsTransport,
  accept: (configuration: Uint8Array, contentType: string | undefined) => boolean = () => true,
  maxSessions: number = MAX_SESSIONS,
): AwsTransport {
  const sessions = createLRU<string, Session>({ max: maxSessions });

  async function start(api: AwsApi, input: Record<string, unknown>, options: SendOptions, s: Session, now: number) {
    const output = await sent(
      api,
      'StartConfigurationSession',
      { ...input, RequiredMinimumPollIntervalInSeconds: REQUIRED_MINIMUM_POLL_INTERVAL_S },
      options,
    );
    const token = output?.InitialConfigurationToken;
    if (typeof token !== 'string' || token === '')
      throw new MalformedAnswer('StartConfigurationSession', 'an answer without an InitialConfigurationToken');
    s.token = token;
    s.tokenAt = now;
  }

  async function poll(api: AwsApi, input: Record<string, unknown>, options: SendOptions, s: Session, clock: Clock) {
    const now = clock.now();
    if (options.forced || s.token === undefined || now - s.tokenAt >= TOKEN_LIFE_MS) {
      await start(api, input, options, s, now);
    }
    const token = s.token as string;
    // Redeemed by this call, whatever happens: only an error the service answered gives it back.
    s.token = undefined;
    let output: Record<string, unknown>;
    try {
      output = await sent(api, 'GetLatestConfiguration', { ConfigurationToken: token }, options);
    } catch (error) {
      if (answered(error) && !isBadRequest(error)) s.token = token;
      throw error;
    }
    const next = output?.NextPollConfigurationToken;
    // Every answer of the service carries the next token: one without it is no answer of AppConfigData.
    if (typeof next !== 'string' || next === '') {
      throw new MalformedAnswer('GetLatestConfiguration', 'an answer without a Next-Poll-Configuration-Token');
    }
    s.token = next;
    s.tokenAt = clock.now();
    const interval = output?.NextPollIntervalInSeconds;
    const seconds = typeof interval === 'number' && interval > 0 ? Math.min(interval, MAX_POLL_INTERVAL_S) : 0;
    s.nextPollAt = clock.now() + seconds * 1000;
    // The SDK gives no Configuration for an empty body, fetch empty bytes: both "unchanged".
    const bytes = output?.Configuration ?? new Uint8Array(0);
    if (!(bytes instanceof Uint8Array))
      throw new MalformedAnswer('GetLatestConfiguration', 'an answer without a Configuration');
    // Empty: unchanged since this session's last answer. A session's first answer is never empty: if
    // it is, the next call starts a new session.
    if (bytes.byteLength === 0 && s.last === undefined) {
      s.token = undefined;
      throw new MalformedAnswer(
        'GetLatestConfiguration',
        'an empty first answer of a session (a first answer holds the whole configuration)',
      );
    }
    if (bytes.byteLength > 0) {
      const type = output?.ContentType;
      const label = output?.VersionLabel;
      // Damaged (JSON that does not parse): not kept, and the session is dropped, so that the next poll
      // starts a new one, whose first answer is the whole configuration again.
      if (!accept(bytes, typeof type === 'string' ? type : undefined)) {
        s.token = undefined;
        throw new MalformedAnswer(
          'GetLatestConfiguration',
          'its content type says JSON, but the configuration does not parse as JSON (a deployment that is no JSON is never taken, as=string included)',
        );
      }
      s.last = {
        Configuration: bytes,
        ContentType: typeof type === 'string' ? type : undefined,
        VersionLabel: typeof label === 'string' ? label : undefined,
      };
    }
  }

  async function read(api: AwsApi, input: Record<string, unknown>, options: SendOptions, clock: Clock) {
    const key = JSON.stringify([
      input.region,
      input.ApplicationIdentifier,
      input.EnvironmentIdentifier,
      input.ConfigurationProfileIdentifier,
    ]);
    let s = sessions.get(key);
    if (!s) {
      s = {
        token: undefined,
        tokenAt: 0,
        nextPollAt: Number.NEGATIVE_INFINITY,
        last: undefined,
        queue: Promise.resolve(),
      };
      sessions.set(key, s);
    }
    const session = s;
    const { region: _region, ...identifiers } = input;
    const run = async (): Promise<ConfigurationOutput> => {
      if (options.signal.aborted) throw abortError();
      const now = clock.now();
      // Due: forced, nothing yet, the poll interval passed, no token (dropped after a damaged or lost
      // answer: a new session, which no interval holds back), or a token about to expire.
      const expiring = session.token === undefined || now - session.tokenAt >= TOKEN_LIFE_MS;
      if (options.forced || session.last === undefined || now >= session.nextPollAt || expiring) {
        try {
          await poll(api, identifiers, options, session, clock);
        } catch (error) {
          // A token the service refused (expired, used): one new session at once.
          // (A BadRequestException of StartConfigurationSession is a bad identifier: not retried.)
          const refused = isBadRequest(error) && operationOf(error) === 'GetLatestConfiguration';
          if (!refused || options.forced) throw error;
          await poll(api, identifiers, { ...options, forced: true }, session, clock);
        }
      }
      const last = session.last as Configuration;
      return { ...last, NextPollIntervalInSeconds: Math.max(0, session.nextPollAt - clock.now()) / 1000 };
    };
    // The queue moves on when a call ends, never when a waiting caller gives up: a token is never used twice.
    const turn = session.queue.then(run, run);
    session.queue = turn.catch(() => {});
    return untilAborted(turn, options.signal);
  }

  return {
    name: direct.name,
    async api(region, context) {
      const api = await direct.api(region, context);
      const clock = context?.clock ?? systemClock;
      return {
        via: api.via,
        send: (operation, input, options) =>
          operation === GET_CONFIGURATION
            ? read(api, { ...input, region: region ?? '' }, options, clock)
            : api.send(operation, input, options),
      };
    },
    unavailable: (requests, error) => direct.unavailable(requests, error),
    dispose() {
      sessions.clear();
      direct.dispose();
    },
  };
}

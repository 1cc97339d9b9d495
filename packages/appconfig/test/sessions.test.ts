/**
 * The sessions layer with the resolver's clock, over a direct transport of the test's own that
 * behaves as AppConfigData does (tokens single-use, "unchanged" as an empty body): what is called when.
 */
import type { AwsApi, AwsTransport } from '@secretref/aws';
import { manualClock } from '@secretref/core/testing';
import { describe, expect, it } from 'vitest';
import { GET_CONFIGURATION } from '../src/agent.ts';
import { readable } from '../src/content.ts';
import { MAX_SESSIONS, MalformedAnswer, sessionLayer } from '../src/sessions.ts';

const ID = { ApplicationIdentifier: 'shop', EnvironmentIdentifier: 'prod', ConfigurationProfileIdentifier: 'flags' };
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (output: Record<string, unknown>) => new TextDecoder().decode(output.Configuration as Uint8Array);

/** A tiny AppConfigData: one deployed configuration, single-use tokens, a fault queue. */
function fakeService(intervalS: number = 30) {
  const calls: string[] = [];
  const live = new Map<string, { seen: number }>();
  let version = 1;
  let content = '{"a":{"enabled":true}}';
  let serial = 0;
  const faults: Error[] = [];
  const api: AwsApi = {
    via: 'fetch',
    async send(operation, input) {
      calls.push(operation);
      const fault = faults.shift();
      if (fault) throw fault;
      if (operation === 'StartConfigurationSession') {
        expect(input.RequiredMinimumPollIntervalInSeconds).toBe(15);
        const token = `t${++serial}`;
        live.set(token, { seen: 0 });
        return { InitialConfigurationToken: token };
      }
      const token = String(input.ConfigurationToken);
      const state = live.get(token);
      if (!state)
        throw Object.assign(new Error('bad token'), {
          name: 'BadRequestException',
          $metadata: { httpStatusCode: 400 },
        });
      live.delete(token);
      const next = `t${++serial}`;
      live.set(next, { seen: version });
      return {
        Configuration: state.seen === version ? new Uint8Array(0) : bytes(content),
        ContentType: 'application/json',
        VersionLabel: `v${version}`,
        NextPollConfigurationToken: next,
        NextPollIntervalInSeconds: intervalS,
      };
    },
  };
  const direct: AwsTransport = {
    name: 'fetch',
    api: async () => api,
    unavailable: () => [],
    dispose: () => {},
  };
  return {
    calls,
    faults,
    live,
    direct,
    deploy(next: string) {
      version++;
      content = next;
    },
    /** The next answer with a configuration carries these bytes instead (a damaged body). */
    damage(bytes: string) {
      const { send } = api;
      api.send = async (operation, input, options) => {
        const output = await send(operation, input, options);
        if (operation !== 'GetLatestConfiguration' || (output.Configuration as Uint8Array).byteLength === 0)
          return output;
        api.send = send;
        return { ...output, Configuration: new TextEncoder().encode(bytes) };
      };
    },
  };
}

function setup(intervalS?: number) {
  const service = fakeService(intervalS);
  const clock = manualClock();
  const layer = sessionLayer(service.direct, readable);
  const get = async (forced = false, id: Record<string, unknown> = ID) => {
    const api = await layer.api(undefined, { clock });
    return api.send(GET_CONFIGURATION, id, { signal: new AbortController().signal, forced });
  };
  return { service, clock, get, layer };
}

describe('AppConfigData sessions', () => {
  it('starts one session, then polls with each answer’s token; "unchanged" answers with the last configuration', async () => {
    const { service, clock, get } = setup();
    const first = await get();
    expect(text(first)).toBe('{"a":{"enabled":true}}');
    expect(first.VersionLabel).toBe('v1');
    expect(first.NextPollIntervalInSeconds).toBe(30);
    expect(service.calls).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
    clock.advance(30_000);
    const second = await get();
    expect(text(second)).toBe('{"a":{"enabled":true}}');
    expect(service.calls).toEqual(['StartConfigurationSession', 'GetLatestConfiguration', 'GetLatestConfiguration']);
    service.deploy('{"a":{"enabled":false}}');
    clock.advance(30_000);
    const third = await get();
    expect(text(third)).toBe('{"a":{"enabled":false}}');
    expect(third.VersionLabel).toBe('v2');
    expect(service.calls.filter((c) => c === 'StartConfigurationSession')).toHaveLength(1);
  });

  it('never polls before the poll interval has passed: it answers from the last configuration and says what is left', async () => {
    const { service, clock, get } = setup(60);
    await get();
    clock.advance(20_000);
    const early = await get();
    expect(early.NextPollIntervalInSeconds).toBe(40);
    expect(service.calls).toHaveLength(2);
    clock.advance(40_000);
    await get();
    expect(service.calls).toHaveLength(3);
  });

  it('a forced fetch starts a new session, whose first answer is the latest configuration at once', async () => {
    const { service, clock, get } = setup(60);
    await get();
    service.deploy('{"b":{"enabled":true}}');
    clock.advance(1_000);
    const forced = await get(true);
    expect(text(forced)).toBe('{"b":{"enabled":true}}');
    expect(service.calls).toEqual([
      'StartConfigurationSession',
      'GetLatestConfiguration',
      'StartConfigurationSession',
      'GetLatestConfiguration',
    ]);
  });

  it('a token the service refuses (BadRequestException) starts a new session at once, in the same call', async () => {
    const { service, clock, get } = setup();
    await get();
    service.live.clear(); // every token refused, as after an expiry or a reuse
    clock.advance(30_000);
    const answer = await get();
    expect(text(answer)).toBe('{"a":{"enabled":true}}');
    expect(service.calls.slice(2)).toEqual([
      'GetLatestConfiguration',
      'StartConfigurationSession',
      'GetLatestConfiguration',
    ]);
  });

  it('a session is renewed before its token is 24 hours old', async () => {
    const { service, clock, get } = setup(86_400);
    await get();
    clock.advance(24 * 60 * 60 * 1000);
    await get();
    expect(service.calls.slice(2)).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
  });

  it('keeps the token through an error the service answered (throttled), drops it after a network error', async () => {
    const { service, clock, get } = setup();
    await get();
    clock.advance(30_000);
    service.faults.push(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }),
    );
    await expect(get()).rejects.toMatchObject({ name: 'ThrottlingException' });
    await get();
    expect(service.calls.slice(2)).toEqual(['GetLatestConfiguration', 'GetLatestConfiguration']);
    clock.advance(30_000);
    service.faults.push(Object.assign(new Error('network error ECONNRESET'), { code: 'ECONNRESET' }));
    await expect(get()).rejects.toMatchObject({ code: 'ECONNRESET' });
    await get();
    // The answer to the lost call may have redeemed the token: a new session.
    expect(service.calls.slice(4)).toEqual([
      'GetLatestConfiguration',
      'StartConfigurationSession',
      'GetLatestConfiguration',
    ]);
  });

  it('a bad identifier (BadRequestException of StartConfigurationSession) is not retried', async () => {
    const { service, get } = setup();
    service.faults.push(
      Object.assign(new Error('bad'), { name: 'BadRequestException', $metadata: { httpStatusCode: 400 } }),
    );
    await expect(get()).rejects.toMatchObject({ name: 'BadRequestException' });
    expect(service.calls).toEqual(['StartConfigurationSession']);
  });

  it('calls of one session never overlap: concurrent reads share the session, one after the other', async () => {
    const { service, get } = setup();
    const answers = await Promise.all([get(), get(true), get()]);
    expect(answers.map(text)).toEqual(Array(3).fill('{"a":{"enabled":true}}'));
    // The forced one started its own session; no token was used twice (the fake refuses reuse).
    expect(service.calls).toEqual([
      'StartConfigurationSession',
      'GetLatestConfiguration',
      'StartConfigurationSession',
      'GetLatestConfiguration',
    ]);
  });

  it('a first answer without a configuration is no answer, and the next call starts a new session', async () => {
    const { service, get } = setup();
    const { direct } = service;
    const api = await direct.api(undefined);
    const send = api.send.bind(api);
    let empty = true;
    api.send = async (operation, input, options) => {
      const output = await send(operation, input, options);
      if (operation === 'GetLatestConfiguration' && empty) {
        empty = false;
        return { ...output, Configuration: new Uint8Array(0) };
      }
      return output;
    };
    await expect(get()).rejects.toBeInstanceOf(MalformedAnswer);
    expect(text(await get())).toBe('{"a":{"enabled":true}}');
    expect(service.calls.filter((c) => c === 'StartConfigurationSession')).toHaveLength(2);
  });

  it('a damaged configuration (JSON that does not parse) is never kept: the next poll starts a new session', async () => {
    const { service, clock, get } = setup();
    await get();
    service.deploy('{"a":{"enabled":false}}');
    service.damage('{"a":{"enab');
    clock.advance(30_000);
    await expect(get()).rejects.toBeInstanceOf(MalformedAnswer);
    // The damaged version's "unchanged" answers would replay nothing: a new session reads it whole.
    const next = await get();
    expect(text(next)).toBe('{"a":{"enabled":false}}');
    expect(service.calls.slice(3)).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
  });

  it('a poll interval past AppConfig’s longest (86,400 s) is taken as it; a token about to expire is renewed', async () => {
    const { service, clock, get } = setup(1e9);
    await get();
    clock.advance(86_400_000 - 60_000);
    await get();
    // Due by the token's age, a minute before the day is out: a new session.
    expect(service.calls.slice(2)).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
  });

  it(`keeps at most ${MAX_SESSIONS} sessions: the least recently used is dropped, and read again with a new one`, async () => {
    const { service, get } = setup();
    for (let i = 0; i <= MAX_SESSIONS; i++) await get(false, { ...ID, ConfigurationProfileIdentifier: `p${i}` });
    expect(service.calls.filter((c) => c === 'StartConfigurationSession')).toHaveLength(MAX_SESSIONS + 1);
    // p0 was dropped: a new session; p100 is kept: answered from its last configuration, no call.
    await get(false, { ...ID, ConfigurationProfileIdentifier: `p${MAX_SESSIONS}` });
    expect(service.calls.filter((c) => c === 'StartConfigurationSession')).toHaveLength(MAX_SESSIONS + 1);
    await get(false, { ...ID, ConfigurationProfileIdentifier: 'p0' });
    expect(service.calls.filter((c) => c === 'StartConfigurationSession')).toHaveLength(MAX_SESSIONS + 2);
  });

  it('a 2xx answer that could not be read (too large) redeemed its token: the next call starts a new session', async () => {
    const { service, clock, get } = setup();
    await get();
    clock.advance(30_000);
    service.faults.push(
      Object.assign(new Error('an answer over 8388608 bytes'), {
        name: 'SyntaxError',
        $metadata: { httpStatusCode: 200 },
      }),
    );
    await expect(get()).rejects.toMatchObject({ name: 'SyntaxError' });
    await get();
    expect(service.calls.slice(2)).toEqual([
      'GetLatestConfiguration',
      'StartConfigurationSession',
      'GetLatestConfiguration',
    ]);
  });

  it('a caller waiting its turn in the queue gives up at its abort; the call ahead finishes, the token is used once', async () => {
    const { service, clock, layer } = setup();
    const api = await layer.api(undefined, { clock });
    const first = api.send(GET_CONFIGURATION, ID, { signal: new AbortController().signal });
    const waiting = new AbortController();
    const second = api.send(GET_CONFIGURATION, ID, { signal: waiting.signal, forced: true });
    waiting.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(text(await first)).toBe('{"a":{"enabled":true}}');
    // The aborted one never ran: one session, one poll.
    expect(service.calls).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
  });
});

/**
 * The AppConfig provider against the AppConfigData emulator (tools/local-aws: moto has no data plane),
 * with the real `@aws-sdk/client-appconfigdata` and with signed fetch. The emulator and the resolver
 * share one clock: poll intervals and the 24-hour token life pass without sleeping.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appconfigProvider, flagWith } from '@secretref/appconfig';
import { AGENT_FALLBACK_CHANNEL } from '@secretref/aws';
import {
  CHANNELS,
  createResolver,
  type FetchEvent,
  InvalidReferenceError,
  InvalidValueError,
  loadConfigWith,
  type Resolver,
  SecretNotFoundError,
  ThrottledError,
} from '@secretref/core';
import { manualClock } from '@secretref/core/testing';
import {
  type LocalAppConfig,
  type LocalAppConfigAgent,
  localAwsConfig,
  startAppConfig,
  startAppConfigAgent,
} from '@secretref/local-aws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

const clock = manualClock();
/** How far the emulator's clock runs ahead of the resolver's (AWS's and ours need not agree). */
let skew = 0;
let emulator: LocalAppConfig;
const resolvers: Resolver[] = [];

beforeAll(async () => {
  emulator = await startAppConfig({ now: () => clock.now() + skew });
  emulator.createApplication('shop');
  emulator.createEnvironment('shop', 'prod');
  emulator.createProfile('shop', 'flags', 'AWS.AppConfig.FeatureFlags');
  emulator.setFlag('shop', 'prod', 'flags', 'new-checkout', true, { limit: 5 });
  emulator.setFlag('shop', 'prod', 'flags', 'dark-mode', false);
  emulator.createProfile('shop', 'settings');
  emulator.deploy('shop', 'prod', 'settings', '{"db":{"pool":10},"region":"eu"}', {
    contentType: 'application/json',
    versionLabel: 'v1.0',
  });
  emulator.createProfile('shop', 'motd');
  emulator.deploy('shop', 'prod', 'motd', 'hello, shoppers', { contentType: 'text/plain' });
  emulator.createProfile('shop', 'yaml');
  emulator.deploy('shop', 'prod', 'yaml', 'pool: 10\n', { contentType: 'application/x-yaml' });
  emulator.createProfile('shop', 'blob');
  emulator.deploy('shop', 'prod', 'blob', new Uint8Array([0, 255, 1]), { contentType: 'application/octet-stream' });
});
afterAll(() => emulator.close());
afterEach(() => {
  for (const resolver of resolvers.splice(0)) resolver.dispose();
});

const TRANSPORTS = {
  sdk: () =>
    appconfigProvider({ transport: 'sdk', clientConfig: { ...localAwsConfig(emulator.endpoint), maxAttempts: 1 } }),
  fetch: () => appconfigProvider({ transport: 'fetch', clientConfig: localAwsConfig(emulator.endpoint) }),
};

const ops = (from = 0) => emulator.calls.slice(from).map((c) => c.operation);

for (const [transport, provider] of Object.entries(TRANSPORTS)) {
  describe(`AppConfig over ${transport}`, () => {
    function resolverOf(options: { maxEntries?: number; ttlMs?: number } = {}): Resolver {
      const resolver = createResolver({ providers: [provider()], clock, jitter: 0, retries: 0, ...options });
      resolvers.push(resolver);
      return resolver;
    }

    it('the content type decides what a configuration reads as: JSON, text (YAML too), bytes', async () => {
      const resolver = resolverOf();
      await expect(resolver.resolve('appconfig:shop/prod/settings')).resolves.toEqual({
        db: { pool: 10 },
        region: 'eu',
      });
      await expect(resolver.resolve('appconfig:shop/prod/settings#/db/pool')).resolves.toBe(10);
      await expect(resolver.resolve('appconfig:shop/prod/settings?as=string')).resolves.toBe(
        '{"db":{"pool":10},"region":"eu"}',
      );
      await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
      await expect(resolver.resolve('appconfig:shop/prod/yaml')).resolves.toBe('pool: 10\n');
      await expect(resolver.resolve('appconfig:shop/prod/blob')).resolves.toEqual(new Uint8Array([0, 255, 1]));
    });

    it('a feature-flag profile is its flags; #flag is one; flagWith checks it', async () => {
      const resolver = resolverOf();
      await expect(resolver.resolve('appconfig:shop/prod/flags')).resolves.toEqual({
        'new-checkout': { enabled: true, limit: 5 },
        'dark-mode': { enabled: false },
      });
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags#new-checkout')).resolves.toEqual({
        enabled: true,
        limit: 5,
      });
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags#dark-mode')).resolves.toEqual({ enabled: false });
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags')).rejects.toThrow(InvalidReferenceError);
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags?optional=true#x')).rejects.toThrow(
        'cannot be optional',
      );
      await expect(flagWith(resolver, 'env:HOME#y')).rejects.toThrow('not one of scheme env');
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags#x', { default: 'on' as never })).rejects.toThrow(
        'option default of flag must be a flag',
      );
      await expect(flagWith(resolver, 'appconfig:shop/prod/motd#x', { default: { enabled: false } })).rejects.toThrow(
        'the value is not valid JSON',
      );
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags#beta?ttl=1s')).rejects.toThrow(
        'a "?" after "#" is part of the flag name',
      );
      await expect(flagWith(resolver, 'appconfig:shop/prod/settings#db')).rejects.toThrow(
        '"appconfig:shop/prod/settings#db" is not a feature flag',
      );
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags#nope')).rejects.toThrow(InvalidValueError);
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags#nope')).rejects.toThrow(
        'there is no flag "nope" in "appconfig:shop/prod/flags"',
      );
      await expect(
        flagWith(resolver, 'appconfig:shop/prod/flags#nope', { default: { enabled: false } }),
      ).resolves.toEqual({
        enabled: false,
      });
      await expect(flagWith(resolver, 'appconfig:shop/prod/flags#/new-checkout')).resolves.toEqual({
        enabled: true,
        limit: 5,
      });
      // The default is for a flag not in the profile, never for a profile that does not exist.
      await expect(flagWith(resolver, 'appconfig:shop/prod/nope#x', { default: { enabled: false } })).rejects.toThrow(
        SecretNotFoundError,
      );
    });

    it('one session per profile; "unchanged" keeps serving, even after the cache evicted the value', async () => {
      const resolver = resolverOf({ maxEntries: 1, ttlMs: 1_000 });
      const from = emulator.calls.length;
      await resolver.resolve('appconfig:shop/prod/settings');
      await resolver.resolve('appconfig:shop/prod/motd'); // evicts settings
      clock.advance(15_000);
      await expect(resolver.resolve('appconfig:shop/prod/settings')).resolves.toEqual({
        db: { pool: 10 },
        region: 'eu',
      });
      expect(ops(from)).toEqual([
        'StartConfigurationSession',
        'GetLatestConfiguration',
        'StartConfigurationSession',
        'GetLatestConfiguration',
        'GetLatestConfiguration',
      ]);
      expect(emulator.calls.at(-1)?.status).toBe(200);
    });

    it('the poll interval is the floor of the TTL: no call before it, however short the TTL', async () => {
      const resolver = resolverOf({ ttlMs: 1_000 });
      await resolver.resolve('appconfig:shop/prod/settings?ttl=1s');
      const from = emulator.calls.length;
      for (let i = 0; i < 14; i++) {
        clock.advance(1_000);
        await resolver.resolve('appconfig:shop/prod/settings?ttl=1s');
      }
      expect(ops(from)).toEqual([]);
      clock.advance(1_000);
      await resolver.resolve('appconfig:shop/prod/settings?ttl=1s');
      expect(ops(from)).toEqual(['GetLatestConfiguration']);
      // The emulator refuses polls too early, as AWS does: none was.
      expect(emulator.calls.slice(from).filter((c) => c.error === 'BadRequestException')).toEqual([]);
    });

    it('a deployment reaches the next poll, with its version label in the fetch event; forceFetch reads it at once', async () => {
      const resolver = resolverOf({ ttlMs: 15_000 });
      const events: FetchEvent[] = [];
      const listener = (event: unknown) => events.push(event as FetchEvent);
      subscribe(CHANNELS.fetch, listener);
      try {
        await resolver.resolve('appconfig:shop/prod/settings');
        emulator.deploy('shop', 'prod', 'settings', '{"db":{"pool":20},"region":"eu"}', {
          contentType: 'application/json',
          versionLabel: 'v1.1',
        });
        await expect(resolver.resolve('appconfig:shop/prod/settings#/db/pool')).resolves.toBe(10);
        clock.advance(15_000);
        await expect(resolver.resolve('appconfig:shop/prod/settings#/db/pool')).resolves.toBe(20);
        emulator.deploy('shop', 'prod', 'settings', '{"db":{"pool":10},"region":"eu"}', {
          contentType: 'application/json',
          versionLabel: 'v1.0',
        });
        const from = emulator.calls.length;
        await expect(resolver.resolve('appconfig:shop/prod/settings#/db/pool', { forceFetch: true })).resolves.toBe(10);
        expect(ops(from)).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
      } finally {
        unsubscribe(CHANNELS.fetch, listener);
      }
      expect(events.map((e) => e.versions)).toEqual([
        { 'appconfig:shop/prod/settings': 'v1.0' },
        { 'appconfig:shop/prod/settings': 'v1.1' },
        { 'appconfig:shop/prod/settings': 'v1.0' },
      ]);
    });

    it('a session is renewed after 24 hours, before its token expires', async () => {
      const resolver = resolverOf({ ttlMs: 60_000 });
      await resolver.resolve('appconfig:shop/prod/motd');
      clock.advance(24 * 60 * 60 * 1000);
      const from = emulator.calls.length;
      await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
      expect(ops(from)).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
    });

    it('a token AWS refuses (expired by its clock, not ours): BadRequestException, and a new session in the same call', async () => {
      const resolver = resolverOf({ ttlMs: 15_000 });
      await resolver.resolve('appconfig:shop/prod/motd');
      skew += 25 * 60 * 60 * 1000;
      try {
        clock.advance(15_000);
        const from = emulator.calls.length;
        await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
        expect(emulator.calls.slice(from).map((c) => `${c.operation} ${c.status}`)).toEqual([
          'GetLatestConfiguration 400',
          'StartConfigurationSession 201',
          'GetLatestConfiguration 200',
        ]);
        expect(emulator.calls.at(from)?.error).toBe('BadRequestException');
      } finally {
        skew = 0;
      }
    });

    it('an unknown application, environment or profile is SecretNotFoundError (optional: undefined)', async () => {
      const resolver = resolverOf();
      for (const [ref, says] of [
        [
          'appconfig:nope/prod/flags',
          'StartConfigurationSession: there is no application "nope"; check it and the region',
        ],
        ['appconfig:shop/nope/flags', 'application "shop" has no environment "nope"'],
        ['appconfig:shop/prod/nope', 'application "shop" has no configuration profile "nope"'],
      ] as const) {
        await expect(resolver.resolve(ref)).rejects.toThrow(SecretNotFoundError);
        await expect(resolver.resolve(ref)).rejects.toThrow(says);
      }
      await expect(resolver.resolve('appconfig:shop/prod/nope?optional=true')).resolves.toBeUndefined();
    });

    it('throttled: a cold profile fails as ThrottledError; a warm one keeps its last good value', async () => {
      const resolver = resolverOf({ ttlMs: 15_000 });
      await resolver.resolve('appconfig:shop/prod/motd');
      emulator.throttle(1);
      await expect(resolver.resolve('appconfig:shop/prod/yaml')).rejects.toThrow(ThrottledError);
      clock.advance(15_000);
      emulator.throttle(1);
      await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
      expect(resolver.stats().staleServed).toBe(1);
      emulator.fail(1);
      clock.advance(60_000);
      await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
      expect(resolver.stats().staleServed).toBe(2);
    });

    it('watch sees a flag flip; loadConfig reads flags', async () => {
      const resolver = resolverOf({ ttlMs: 15_000 });
      const seen: unknown[] = [];
      const watcher = resolver.watch('appconfig:shop/prod/flags#dark-mode', (value) => void seen.push(value), {
        intervalMs: 1_000,
      });
      await watcher.ready;
      emulator.setFlag('shop', 'prod', 'flags', 'dark-mode', true, { theme: 'night' });
      // Past the poll interval, a check fetches: each try moves the clock a second on (the answer takes
      // real I/O, which waitFor waits for).
      clock.advance(14_000);
      await vi.waitFor(() => {
        clock.advance(1_000);
        expect(seen.at(-1)).toEqual({ enabled: true, theme: 'night' });
      });
      watcher.stop();
      emulator.setFlag('shop', 'prod', 'flags', 'dark-mode', false);
      const config = await loadConfigWith(resolver, { checkout: 'appconfig:shop/prod/flags#new-checkout' });
      expect(config.checkout).toEqual({ enabled: true, limit: 5 });
    });
  });
}

describe('AppConfig through the AppConfig Agent (its emulator, in front of the data plane emulator)', () => {
  let agent: LocalAppConfigAgent;
  beforeAll(async () => {
    agent = await startAppConfigAgent({ backend: emulator.endpoint, now: () => clock.now() });
    vi.stubEnv('AWS_APPCONFIG_EXTENSION_HTTP_PORT', String(agent.port));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await agent.close();
  });
  const viaAgent = () => appconfigProvider({ transport: 'agent', clientConfig: localAwsConfig(emulator.endpoint) });
  function resolverOf(): Resolver {
    const resolver = createResolver({ providers: [viaAgent()], clock, jitter: 0, retries: 0, ttlMs: 1_000 });
    resolvers.push(resolver);
    return resolver;
  }

  it('two processes on one host share the agent: the second makes no AWS call; the content type still decides', async () => {
    const events: FetchEvent[] = [];
    const listener = (event: unknown) => events.push(event as FetchEvent);
    subscribe(CHANNELS.fetch, listener);
    try {
      const first = resolverOf();
      await expect(first.resolve('appconfig:shop/prod/settings#/db/pool')).resolves.toBe(10);
      await expect(flagWith(first, 'appconfig:shop/prod/flags#new-checkout')).resolves.toEqual({
        enabled: true,
        limit: 5,
      });
      const upstream = agent.upstream.length;
      const ours = emulator.calls.length;
      const second = resolverOf();
      await expect(second.resolve('appconfig:shop/prod/settings')).resolves.toEqual({ db: { pool: 10 }, region: 'eu' });
      await expect(second.resolve('appconfig:shop/prod/blob')).resolves.toEqual(new Uint8Array([0, 255, 1]));
      expect(agent.upstream.length - upstream).toBe(2); // blob was new to the agent: its session
      expect(emulator.calls.length - ours).toBe(2);
    } finally {
      unsubscribe(CHANNELS.fetch, listener);
    }
    expect(events.every((e) => e.via.join() === 'agent')).toBe(true);
    expect(events[0]?.versions).toEqual({ 'appconfig:shop/prod/settings': 'v1.0' });
  });

  it('SECRETREF_AWS_TRANSPORT=agent turns the AppConfig Agent on, as it does the other agent', async () => {
    vi.stubEnv('SECRETREF_AWS_TRANSPORT', 'agent');
    const calls = agent.calls.length;
    try {
      const resolver = createResolver({
        providers: [appconfigProvider({ clientConfig: localAwsConfig(emulator.endpoint) })],
        clock,
      });
      resolvers.push(resolver);
      await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
    } finally {
      vi.stubEnv('SECRETREF_AWS_TRANSPORT', undefined);
    }
    expect(agent.calls.length).toBe(calls + 1);
  });

  it('a missing profile is the agent’s 404: direct, whose answer names what is missing; not counted against the agent', async () => {
    const fallbacks: unknown[] = [];
    const listener = (event: unknown) => fallbacks.push(event);
    subscribe(AGENT_FALLBACK_CHANNEL, listener);
    try {
      const resolver = resolverOf();
      const ours = emulator.calls.length - agent.upstream.length;
      for (let i = 0; i < 4; i++) {
        await expect(resolver.resolve(`appconfig:shop/prod/never-${i}`)).rejects.toThrow(
          `application "shop" has no configuration profile "never-${i}"`,
        );
      }
      // One StartConfigurationSession of our own each, and the agent is never skipped for it.
      expect(emulator.calls.length - agent.upstream.length - ours).toBe(4);
      await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
    } finally {
      unsubscribe(AGENT_FALLBACK_CHANNEL, listener);
    }
    expect(fallbacks).toHaveLength(4);
    expect(
      fallbacks.every(
        (e) =>
          (e as { reason: string; skipping: boolean }).reason === 'relayed' && !(e as { skipping: boolean }).skipping,
      ),
    ).toBe(true);
  });

  it('a forced fetch goes direct (the agent cannot skip its cache): a session of our own', async () => {
    const resolver = resolverOf();
    await resolver.resolve('appconfig:shop/prod/motd');
    const from = emulator.calls.length;
    const upstream = agent.upstream.length;
    await expect(resolver.resolve('appconfig:shop/prod/motd', { forceFetch: true })).resolves.toBe('hello, shoppers');
    expect(agent.upstream.length).toBe(upstream);
    expect(ops(from)).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
  });

  it('an agent answering an empty or damaged 200, or a 404 (whatever type it adds), is no answer: direct', async () => {
    const answers: [number, string, Record<string, string>][] = [
      [200, '', { 'content-type': 'application/json' }],
      [200, '{"a":{"enab', { 'content-type': 'application/json' }],
      [404, 'nope', { 'x-amzn-errortype': 'ResourceNotFoundException' }],
    ];
    const fake = createServer((_req, res) => {
      const [status, body, headers] = answers.shift() ?? [500, '', {}];
      res.writeHead(status, headers).end(body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    vi.stubEnv('AWS_APPCONFIG_EXTENSION_HTTP_PORT', String((fake.address() as AddressInfo).port));
    try {
      const resolver = resolverOf();
      const from = emulator.calls.length;
      await expect(resolver.resolve('appconfig:shop/prod/settings#/db/pool')).resolves.toBe(10);
      await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
      // Both went direct: a session each.
      expect(ops(from)).toEqual([
        'StartConfigurationSession',
        'GetLatestConfiguration',
        'StartConfigurationSession',
        'GetLatestConfiguration',
      ]);
      // Something else on the port answers 404: the profile is read direct, not taken as missing.
      await expect(resolver.resolve('appconfig:shop/prod/yaml')).resolves.toBe('pool: 10\n');
    } finally {
      vi.stubEnv('AWS_APPCONFIG_EXTENSION_HTTP_PORT', String(agent.port));
      fake.close();
    }
  });

  it('no agent listening: the call goes direct, with a fallback event', async () => {
    const fallbacks: unknown[] = [];
    const listener = (event: unknown) => fallbacks.push(event);
    subscribe(AGENT_FALLBACK_CHANNEL, listener);
    vi.stubEnv('AWS_APPCONFIG_EXTENSION_HTTP_PORT', '1');
    try {
      const resolver = resolverOf();
      await expect(resolver.resolve('appconfig:shop/prod/motd')).resolves.toBe('hello, shoppers');
    } finally {
      vi.stubEnv('AWS_APPCONFIG_EXTENSION_HTTP_PORT', String(agent.port));
      unsubscribe(AGENT_FALLBACK_CHANNEL, listener);
    }
    // A clientConfig is given: auto picks the SDK behind the agent.
    expect(fallbacks).toEqual([{ service: 'appconfig', reason: 'refused', direct: 'sdk', skipping: false }]);
  });
});

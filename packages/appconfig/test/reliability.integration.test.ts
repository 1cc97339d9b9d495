/**
 * The fault matrix of the AppConfig provider: every fault the proxy injects, in front of the
 * AppConfigData emulator, for a cold profile and for one with a last good value, on each transport
 * (the agent's emulator sits in front of the same proxy, and so does its direct fallback). The
 * resolver and the emulator share a jumping clock: poll intervals pass without waiting.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { appconfigProvider } from '@secretref/appconfig';
import { CHANNELS, createResolver, ProviderError, type Resolver, SecretrefError, TimeoutError } from '@secretref/core';
import {
  type Fault,
  type FaultProxy,
  first,
  type JumpingClock,
  jumpingClock,
  type LocalAppConfig,
  type LocalAppConfigAgent,
  localAwsConfig,
  MALFORMED_SECRET,
  startAppConfig,
  startAppConfigAgent,
  startFaultProxy,
} from '@secretref/local-aws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const VALUE = 'motd-value-3c1d';
let clock: JumpingClock = jumpingClock();
let emulator: LocalAppConfig;
let proxy: FaultProxy;
let agent: LocalAppConfigAgent;
let stale: unknown[];
const onStale = (event: unknown) => stale.push(event);
const TRANSPORTS = ['sdk', 'fetch', 'agent'] as const;
type Transport = (typeof TRANSPORTS)[number];
let transport: Transport = 'sdk';
let profiles = 0;

beforeAll(async () => {
  emulator = await startAppConfig({ now: () => clock.wallTime() });
  proxy = await startFaultProxy(emulator.endpoint);
  agent = await startAppConfigAgent({ backend: proxy.endpoint, now: () => clock.wallTime() });
  vi.stubEnv('AWS_APPCONFIG_EXTENSION_HTTP_PORT', String(agent.port));
  emulator.createApplication('shop');
  emulator.createEnvironment('shop', 'prod');
  subscribe(CHANNELS.staleServed, onStale);
});
afterAll(async () => {
  unsubscribe(CHANNELS.staleServed, onStale);
  vi.unstubAllEnvs();
  await agent.close();
  await proxy.close();
  await emulator.close();
});
beforeEach(() => {
  proxy.reset();
  proxy.trickleMs = 20;
  clock = jumpingClock();
  stale = [];
});
afterEach(() => {
  proxy.fault = undefined;
});

/** A profile of its own for each case: no session or agent cache of another case is reused. */
function freshProfile(): string {
  const name = `motd-${++profiles}`;
  emulator.createProfile('shop', name);
  emulator.deploy('shop', 'prod', name, VALUE, { contentType: 'text/plain' });
  return `appconfig:shop/prod/${name}`;
}

function resolver(): Resolver {
  return createResolver({
    providers: [appconfigProvider({ transport, clientConfig: localAwsConfig(proxy.endpoint) })],
    clock,
    jitter: 0,
    ttlMs: 60_000,
    timeoutMs: 1500,
    random: () => 0.5,
  });
}

async function outcome(r: Resolver, reference: string): Promise<unknown> {
  try {
    return { value: await r.resolve(reference) };
  } catch (error) {
    expect(error).toBeInstanceOf(SecretrefError);
    const text = inspect(error, { showHidden: true, depth: 10 });
    expect(text).not.toContain(MALFORMED_SECRET);
    expect(text).not.toContain(VALUE);
    return { error: (error as SecretrefError).name, transient: (error as SecretrefError).transient };
  }
}

/** Calls that reached the proxy and were not the agent's own (those since `agents` of them). */
const ours = (agents: number) => proxy.count() - (agent.upstream.length - agents);

const TRANSIENT = (name: string) => ({ error: name, transient: true });

for (const name of TRANSPORTS) {
  describe(`the ${name} transport`, () => {
    beforeAll(() => {
      transport = name;
    });

    describe('fault x cold profile (nothing cached)', () => {
      // Our calls that reach the proxy, direct; through the agent, those it did not answer (sent direct),
      // besides its own (it tries AWS up to 3 times, and its answer goes direct when it failed).
      it.each<[Fault | 'throttle once' | 'signature-expired once', unknown, number, number]>([
        // Throttled twice: the governor's quick call after the first throttle, then its next turn lies past the deadline.
        ['throttle', TRANSIENT('ThrottledError'), 2, 2],
        ['server-error', TRANSIENT('ProviderError'), 3, 3],
        ['unavailable', TRANSIENT('ProviderError'), 3, 3],
        ['reset', TRANSIENT('ProviderError'), 3, 3],
        ['hang', TRANSIENT('TimeoutError'), 1, 1],
        ['malformed', TRANSIENT('ProviderError'), 3, 3],
        ['throttle once', { value: VALUE }, 3, 0],
        ['trickle', { value: VALUE }, 2, 0],
        ['signature-expired once', { value: VALUE }, 3, 2],
        ['signature-expired', { error: 'AccessDeniedError', transient: false }, 2, 2],
      ])('%s: %j', async (fault, expected, direct, viaAgent) => {
        proxy.fault =
          fault === 'signature-expired once'
            ? first('signature-expired')
            : fault === 'throttle once'
              ? first('throttle')
              : fault;
        const agents = agent.upstream.length;
        expect(await outcome(resolver(), freshProfile())).toEqual(expected);
        expect(ours(agents)).toBe(name === 'agent' ? viaAgent : direct);
      });
    });

    describe('fault x expired profile with a last good value', () => {
      it.each<Fault>(['throttle', 'server-error', 'unavailable', 'reset', 'hang', 'malformed'])(
        '%s: the last good value',
        async (fault) => {
          const r = resolver();
          const ref = freshProfile();
          expect(await r.resolve(ref)).toBe(VALUE);
          clock.jump(61_000);
          proxy.fault = fault;
          expect(await r.resolve(ref)).toBe(VALUE);
          // The agent serves its own cache through the outage (stale for it, fresh for us), unless it hangs.
          expect(stale).toHaveLength(name === 'agent' && fault !== 'hang' ? 0 : 1);
        },
      );

      it('2 hours frozen, then AWS throttles: the last good value', async () => {
        const r = resolver();
        const ref = freshProfile();
        await r.resolve(ref);
        clock.jump(2 * 3_600_000);
        proxy.fault = 'throttle';
        expect(await r.resolve(ref)).toBe(VALUE);
      });
    });

    describe('bounds', () => {
      it('never more than one call in flight per profile: 50 callers of a hanging profile share one', async () => {
        proxy.fault = 'hang';
        const r = resolver();
        const ref = freshProfile();
        const agents = agent.upstream.length;
        const results = await Promise.allSettled(Array.from({ length: 50 }, () => r.resolve(ref)));
        expect(results.every((x) => x.status === 'rejected' && x.reason instanceof TimeoutError)).toBe(true);
        expect(ours(agents)).toBe(1);
        // Through the agent, its own attempts hang beside ours.
        if (name !== 'agent') expect(proxy.peakConcurrent).toBe(1);
      });

      it('no retry loop: failures back off, however often callers ask', async () => {
        proxy.fault = 'server-error';
        const r = resolver();
        const ref = freshProfile();
        const agents = agent.upstream.length;
        for (let i = 0; i < 20; i++) await expect(r.resolve(ref)).rejects.toBeInstanceOf(ProviderError);
        expect(ours(agents)).toBe(3);
      });
    });
  });
}

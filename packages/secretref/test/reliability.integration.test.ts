/**
 * The fault matrix: every fault the proxy injects, in every situation that matters (a cold key, an
 * expired key with a last good value, a batch where only some references fail, a Lambda-style
 * freeze where the clock jumps), against moto, on the sdk transport (the real SDK clients) and the
 * fetch transport (aws4fetch). Each row asserts the
 * outcome: the last good value (and a stale-served event), or a typed error; never a wrong value,
 * never more than one call in flight per key, never an unbounded retry loop.
 * docs/reliability.md is this file as a table.
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CHANNELS,
  createResolver,
  ProviderError,
  type Resolver,
  SecretrefError,
  ThrottledError,
  TimeoutError,
} from '@secretref/core';
import {
  type Fault,
  type FaultProxy,
  first,
  type JumpingClock,
  jumpingClock,
  localAwsConfig,
  MALFORMED_SECRET,
  startFaultProxy,
} from '@secretref/local-aws';
import { ssmProvider } from '@secretref/ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `/reliability-${randomUUID().slice(0, 8)}`;
const VALUES = { a: 'value-of-a-1f2e', b: 'value-of-b-3d4c', c: 'value-of-c-5b6a' };
const WEST = 'value-in-us-west-2-7980';
const HOUR = 3_600_000;
let proxy: FaultProxy;
let clock: JumpingClock;
let stale: { ref: string; ageMs: number }[];
const onStale = (event: unknown) => stale.push(event as { ref: string; ageMs: number });

/** The transports the matrix runs on (the agent's own faults have theirs: agent.integration.test.ts). */
const TRANSPORTS = ['sdk', 'fetch'] as const;
type Transport = (typeof TRANSPORTS)[number];
let transport: Transport = 'sdk';

function resolver(): Resolver {
  return createResolver({
    providers: [ssmProvider({ transport, clientConfig: localAwsConfig(proxy.endpoint) })],
    clock,
    jitter: 0,
    ttlMs: 60_000,
    timeoutMs: 1500,
    // The pauses of a cold key's retries: 50 ms, then 100 ms.
    random: () => 0.5,
  });
}

const ref = (name: keyof typeof VALUES) => `ssm:${prefix}/${name}`;

/** What a call gives: its value, or its error's class and transience. */
async function outcome(r: Resolver, reference: string): Promise<unknown> {
  try {
    return { value: await r.resolve(reference) };
  } catch (error) {
    expect(error).toBeInstanceOf(SecretrefError);
    const text = inspect(error, { showHidden: true, depth: 10 });
    expect(text).not.toContain(MALFORMED_SECRET);
    for (const value of Object.values(VALUES)) expect(text).not.toContain(value);
    return { error: (error as SecretrefError).name, transient: (error as SecretrefError).transient };
  }
}

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint);
  const east = new SSMClient(localAwsConfig(endpoint));
  for (const [name, Value] of Object.entries(VALUES)) {
    await east.send(new PutParameterCommand({ Name: `${prefix}/${name}`, Value, Type: 'SecureString' }));
  }
  await new SSMClient(localAwsConfig(endpoint, 'us-west-2')).send(
    new PutParameterCommand({ Name: `${prefix}/a`, Value: WEST, Type: 'SecureString' }),
  );
  subscribe(CHANNELS.staleServed, onStale);
});

afterAll(async () => {
  unsubscribe(CHANNELS.staleServed, onStale);
  await proxy.close();
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

const TRANSIENT = (name: string) => ({ error: name, transient: true });

for (const name of TRANSPORTS) {
  describe(`the ${name} transport`, () => {
    beforeAll(() => {
      transport = name;
    });
    describe('fault x cold key (nothing cached)', () => {
      it.each<[Fault | 'signature-expired once' | 'throttle once', unknown, number]>([
        // A transient failure of a key with nothing to serve is tried 3 times within the deadline;
        // throttling twice (the governor's quick call after a first throttle, a blip's), as its next
        // turn then lies past the deadline.
        ['throttle', TRANSIENT('ThrottledError'), 2],
        ['server-error', TRANSIENT('ProviderError'), 3],
        ['unavailable', TRANSIENT('ProviderError'), 3],
        ['reset', TRANSIENT('ProviderError'), 3],
        ['hang', TRANSIENT('TimeoutError'), 1],
        ['malformed', TRANSIENT('ProviderError'), 3],
        ['throttle once', { value: VALUES.a }, 2],
        ['trickle', { value: VALUES.a }, 1],
        ['signature-expired once', { value: VALUES.a }, 2],
        ['signature-expired', { error: 'AccessDeniedError', transient: false }, 2],
      ])('%s: %j in %i call(s)', async (fault, expected, calls) => {
        proxy.fault =
          fault === 'signature-expired once'
            ? first('signature-expired')
            : fault === 'throttle once'
              ? first('throttle')
              : fault;
        expect(await outcome(resolver(), ref('a'))).toEqual(expected);
        expect(proxy.count()).toBe(calls);
      });
    });

    describe('fault x expired key with a last good value', () => {
      it.each<[Fault, string]>([
        ['throttle', VALUES.a],
        ['server-error', VALUES.a],
        ['unavailable', VALUES.a],
        ['reset', VALUES.a],
        ['hang', VALUES.a],
        ['malformed', VALUES.a],
      ])('%s: the last good value, and a stale-served event', async (fault, expected) => {
        const r = resolver();
        expect(await r.resolve(ref('a'))).toBe(VALUES.a);
        clock.jump(61_000);
        proxy.fault = fault;
        expect(await r.resolve(ref('a'))).toBe(expected);
        expect(stale).toHaveLength(1);
        // The jump, plus the real milliseconds the calls took.
        expect(stale[0]?.ageMs).toBeGreaterThanOrEqual(61_000);
        expect(stale[0]?.ageMs).toBeLessThan(61_000 + 10_000);
      });

      it('trickle and a signature expired once: a fresh value, no stale one', async () => {
        for (const fault of ['trickle', first('signature-expired')] as const) {
          const r = resolver();
          await r.resolve(ref('b'));
          clock.jump(61_000);
          proxy.fault = fault;
          expect(await r.resolve(ref('b'))).toBe(VALUES.b);
          expect(r.stats().staleServed).toBe(0);
        }
      });
    });

    describe('a batch where only some references fail', () => {
      it('each reference gets its own value or its own error; none gets another one’s value', async () => {
        proxy.fault = (_operation, region) => (region === 'us-west-2' ? 'throttle' : undefined);
        const r = resolver();
        const results = await Promise.allSettled([
          r.resolve(ref('a')),
          r.resolve(ref('b')),
          r.resolve(`${ref('a')}?region=us-west-2`),
          r.resolve(ref('c')),
        ]);
        expect(results.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).name))).toEqual([
          VALUES.a,
          VALUES.b,
          'ThrottledError',
          VALUES.c,
        ]);
        proxy.fault = undefined;
        clock.jump(5000); // past the turn us-west-2's governor gives the next call
        expect(await r.resolve(`${ref('a')}?region=us-west-2`)).toBe(WEST);
      });
    });

    describe('a Lambda-style freeze: the clock jumps', () => {
      it('2 hours later, AWS throttled: the last good value (within maxStaleMs, 24 h)', async () => {
        const r = resolver();
        await r.resolve(ref('c'));
        clock.jump(2 * HOUR);
        proxy.fault = 'throttle';
        expect(await r.resolve(ref('c'))).toBe(VALUES.c);
        expect(stale[0]?.ageMs).toBeGreaterThanOrEqual(2 * HOUR);
        expect(stale[0]?.ageMs).toBeLessThan(2 * HOUR + 10_000);
      });

      it('25 hours later: too old to serve, a typed error', async () => {
        const r = resolver();
        await r.resolve(ref('c'));
        clock.jump(25 * HOUR);
        proxy.fault = 'throttle';
        await expect(r.resolve(ref('c'))).rejects.toBeInstanceOf(ThrottledError);
      });

      it('a request signed before the freeze (Signature expired) is sent again once, with a fresh signature', async () => {
        const r = resolver();
        proxy.fault = first('signature-expired');
        expect(await r.resolve(ref('c'))).toBe(VALUES.c);
        expect(proxy.calls).toEqual(['GetParameters', 'GetParameters']);
      });
    });

    describe('bounds', () => {
      it('never more than one call in flight per key: 50 callers of a hanging key share one call', async () => {
        proxy.fault = 'hang';
        const r = resolver();
        const results = await Promise.allSettled(Array.from({ length: 50 }, () => r.resolve(ref('a'))));
        expect(results.every((x) => x.status === 'rejected' && x.reason instanceof TimeoutError)).toBe(true);
        expect(proxy.count()).toBe(1);
        expect(proxy.peakConcurrent).toBe(1);
      });

      it('no retry loop: failures back off (1 s, doubling), however often callers ask', async () => {
        proxy.fault = 'server-error';
        const r = resolver();
        // Each fetch of the cold key is 3 attempts within its deadline; then the key backs off.
        for (let i = 0; i < 20; i++) await expect(r.resolve(ref('b'))).rejects.toBeInstanceOf(ProviderError);
        expect(proxy.count()).toBe(3);
        clock.jump(1000);
        await expect(r.resolve(ref('b'))).rejects.toBeInstanceOf(ProviderError);
        clock.jump(1000);
        await expect(r.resolve(ref('b'))).rejects.toBeInstanceOf(ProviderError);
        expect(proxy.count()).toBe(6); // the second backoff is 2 s
      });

      it('a 60 s throttling storm with a last good value: every read served, calls bounded by the governor', async () => {
        const r = resolver();
        const storm = `${ref('a')}?ttl=1s`;
        expect(await r.resolve(storm)).toBe(VALUES.a);
        proxy.reset();
        proxy.fault = 'throttle';
        const reads: unknown[] = [];
        for (let t = 0; t < 60_000; t += 100) {
          clock.jump(100);
          reads.push(await r.resolve(storm));
        }
        expect(reads).toHaveLength(600);
        expect(reads.every((value) => value === VALUES.a)).toBe(true);
        // Expired at 1 s and throttled; the governor's quick call 50 ms later, throttled; then its turns,
        // the rate halved on each throttle (and grown with the time between): 7 calls in 60 s, for 600 reads.
        expect(proxy.count()).toBe(7);
        expect(r.stats().errors).toBe(0);
      });
    });
  });
}

/**
 * What applications call: loadEnvWith / resolveEnvWith, loadConfigWith with Standard Schema
 * validators, Secret, watch (on a manual clock). All on the in-memory provider. The Lambda wrappers are
 * tested in packages/aws.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import {
  CHANNELS,
  ConfigError,
  createResolver,
  InvalidOptionError,
  loadConfigWith,
  loadEnvWith,
  ResolveAllError,
  resolveEnvWith,
  Secret,
  SecretNotFoundError,
  type SecretrefError,
  secret,
  ThrottledError,
  WatchCallbackError,
} from '@secretref/core';
import { manualClock, memoryProvider } from '@secretref/core/testing';
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { observable } from './helpers.ts';

const VALUES = {
  'db/password': 'pw-\u00e9-7f3a9c',
  'db/config': '{"host":"db.internal","port":5432}',
  'api/key': 'api-key-51c0ffee',
  port: '8080',
};

function setup() {
  const clock = manualClock();
  const provider = memoryProvider({ schemes: ['mem'], values: { ...VALUES }, batchSize: 50 });
  const resolver = createResolver({ providers: [provider], jitter: 0, clock });
  return { provider, resolver, clock };
}

describe('loadEnv', () => {
  it('resolves references and templates in one batch, leaves plain values alone, and writes back', async () => {
    const { provider, resolver } = setup();
    const env: Record<string, string | undefined> = {
      DB_PASSWORD: 'mem:db/password',
      DB_URL: 'postgres://app:{{ mem:db/password }}@{{mem:db/config#host}}:5432/app',
      CFN: '{{resolve:mem:api/key}}',
      PLAIN_URL: 'postgres://localhost:5432/app',
      PATH: '/usr/bin:/bin',
      GO_TEMPLATE: 'hello {{ .Name }}',
      UNKNOWN_SCHEME: 'vault:secret/x',
    };
    const values = await loadEnvWith(resolver, { env });
    expect(values).toEqual({
      DB_PASSWORD: VALUES['db/password'],
      DB_URL: `postgres://app:${VALUES['db/password']}@db.internal:5432/app`,
      CFN: VALUES['api/key'],
    });
    expect(env.DB_URL).toBe(values.DB_URL);
    expect(env.PLAIN_URL).toBe('postgres://localhost:5432/app');
    expect(env.GO_TEMPLATE).toBe('hello {{ .Name }}');
    expect(env.UNKNOWN_SCHEME).toBe('vault:secret/x');
    expect(provider.calls).toHaveLength(1); // one batch
  });

  it('writes nothing when any variable fails, and names every failing variable with a reason code', async () => {
    const { resolver } = setup();
    const env: Record<string, string | undefined> = {
      GOOD: 'mem:db/password',
      MISSING: 'mem:nope',
      BAD: 'mem:db/password?flavour=x',
      IN_TEMPLATE: 'x={{ mem:also-missing }}',
    };
    const error = await loadEnvWith(resolver, { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResolveAllError);
    const { errors } = error as ResolveAllError;
    expect(Object.keys(errors).sort()).toEqual(['BAD', 'IN_TEMPLATE', 'MISSING']);
    expect(errors.MISSING?.code).toBe('NOT_FOUND');
    expect(errors.BAD?.code).toBe('INVALID_REFERENCE');
    expect((error as Error).message).toMatch(/MISSING: NOT_FOUND/);
    // Each line prefixed once: the scheme, then the detail, not `[secretref] [mem]` again.
    expect((error as Error).message).toMatch(/\n {2}MISSING: NOT_FOUND \[mem\] (?!\[secretref\])/);
    expect(env.GOOD).toBe('mem:db/password');
    expect(observable(error)).not.toContain(VALUES['db/password']);
  });

  it('unsets a variable whose optional reference does not exist; an optional template part is empty', async () => {
    const { resolver } = setup();
    const env: Record<string, string | undefined> = {
      GONE: 'mem:nope?optional=true',
      PART: 'a{{ mem:nope?optional=true }}b',
    };
    await loadEnvWith(resolver, { env });
    expect('GONE' in env).toBe(false);
    expect(env.PART).toBe('ab');
  });

  it('env: and file: values are not references unless asked for (Prisma: DATABASE_URL=file:./dev.db)', async () => {
    const { resolver } = setup();
    const env: Record<string, string | undefined> = {
      DATABASE_URL: 'file:./dev.db',
      HOME_REF: 'env:HOME',
      TEMPLATE: 'x{{ file:/etc/hostname }}',
      A: 'mem:api/key',
    };
    expect(await loadEnvWith(resolver, { env, write: false })).toEqual({ A: VALUES['api/key'] });
    const onlyEnv = await loadEnvWith(resolver, { env, write: false, schemes: ['env'], names: ['HOME_REF'] });
    expect(onlyEnv).toEqual({ HOME_REF: process.env.HOME });
  });

  it('write: false returns the values and leaves the environment; names limits the variables', async () => {
    const { resolver } = setup();
    const env: Record<string, string | undefined> = { A: 'mem:api/key', B: 'mem:nope' };
    expect(await loadEnvWith(resolver, { env, names: ['A'], write: false })).toEqual({ A: VALUES['api/key'] });
    expect(env.A).toBe('mem:api/key');
    const resolution = await resolveEnvWith(resolver, { env });
    expect(resolution.references.A).toEqual([{ ref: 'mem:api/key', value: VALUES['api/key'] }]);
    expect(Object.keys(resolution.errors)).toEqual(['B']);
  });

  it('writes JSON for an object value and base64 for bytes', async () => {
    const { resolver } = setup();
    const env: Record<string, string | undefined> = {
      CONFIG: 'mem:db/config?as=json',
      BYTES: 'mem:api/key?as=binary',
    };
    // api/key is not base64, so as=binary fails: only CONFIG is checked here.
    await expect(loadEnvWith(resolver, { env })).rejects.toBeInstanceOf(ResolveAllError);
    delete env.BYTES;
    await loadEnvWith(resolver, { env });
    expect(JSON.parse(env.CONFIG as string)).toEqual({ host: 'db.internal', port: 5432 });
  });
});

describe('Secret', () => {
  const value = 'the-secret-value-91b2';
  const wrapped = new Secret(value);

  it('prints [redacted] everywhere and reveals on request', () => {
    expect(wrapped.reveal()).toBe(value);
    expect(String(wrapped)).toBe('[redacted]');
    expect(`${wrapped}`).toBe('[redacted]');
    expect(JSON.stringify({ wrapped })).toBe('{"wrapped":"[redacted]"}');
    expect(inspect(wrapped, { showHidden: true, depth: 10 })).toBe('Secret([redacted])');
    expect(inspect({ a: { b: wrapped } }, { showHidden: true })).not.toContain(value);
    expect(observable({ ...wrapped })).not.toContain(value);
    expect(observable(structuredClone(wrapped))).not.toContain(value);
    expect(Object.entries(wrapped)).toEqual([]);
    expect(Secret.of(wrapped)).toBe(wrapped);
    expect(Secret.isSecret(wrapped)).toBe(true);
  });
});

describe('loadConfig', () => {
  it('resolves references in one batch, keeps secret() values wrapped, and validates with zod', async () => {
    const { provider, resolver } = setup();
    const schema = z.object({
      db: z.object({ password: z.instanceof(Secret), host: z.string(), port: z.coerce.number() }),
      apiKey: z.string(),
      name: z.string(),
      debug: z.boolean(),
    });
    const config = await loadConfigWith(
      resolver,
      {
        db: { password: secret('mem:db/password'), host: 'mem:db/config#host', port: 'mem:port' },
        apiKey: 'mem:api/key',
        name: 'orders',
        debug: false,
      },
      { schema },
    );
    expect(config.db.port).toBe(8080);
    expect(config.db.password.reveal()).toBe(VALUES['db/password']);
    expect(config.apiKey).toBe(VALUES['api/key']);
    expect(JSON.stringify(config.db)).not.toContain(VALUES['db/password']);
    expect(inspect(config)).not.toContain(VALUES['db/password']);
    expect(provider.calls).toHaveLength(1);
  });

  it('works with valibot, and without a schema', async () => {
    const { resolver } = setup();
    const schema = v.object({ port: v.pipe(v.string(), v.transform(Number)) });
    expect(await loadConfigWith(resolver, { port: 'mem:port' }, { schema })).toEqual({ port: 8080 });
    const plain = await loadConfigWith(resolver, { key: secret('mem:api/key'), n: 3 });
    expect(plain.n).toBe(3);
    expect((plain.key as Secret<string>).reveal()).toBe(VALUES['api/key']);
  });

  it('schema issues: a ConfigError by path, with every resolved value redacted from the messages', async () => {
    const { resolver } = setup();
    const schema = z.object({ apiKey: z.enum(['a', 'b']), port: z.coerce.number().max(100) });
    const error = await loadConfigWith(resolver, { apiKey: 'mem:api/key', port: 'mem:port' }, { schema }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path).sort()).toEqual(['apiKey', 'port']);
    expect(observable(error)).not.toContain(VALUES['api/key']);
  });

  it('reference failures: one ResolveAllError keyed by path', async () => {
    const { resolver } = setup();
    const error = await loadConfigWith(resolver, { db: { password: 'mem:nope', ok: 'mem:port' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResolveAllError);
    expect(Object.keys((error as ResolveAllError).errors)).toEqual(['db.password']);
    expect((error as ResolveAllError).errors['db.password']).toBeInstanceOf(SecretNotFoundError);
  });
});

describe('watch', () => {
  it('re-resolves on its interval and calls back only when the value changed', async () => {
    const { provider, resolver, clock } = setup();
    const changes: [string, string | undefined][] = [];
    const watcher = resolver.watch(
      'mem:db/password',
      (value: string, previous) => {
        changes.push([value, previous]);
      },
      { intervalMs: 60_000 },
    );
    await watcher.ready;
    expect(provider.calls).toHaveLength(1);
    await clock.advanceAsync(60_000);
    expect(provider.calls).toHaveLength(2);
    expect(changes).toEqual([]); // same value: no callback
    provider.set('db/password', 'rotated');
    await clock.advanceAsync(60_000);
    expect(changes).toEqual([['rotated', VALUES['db/password']]]);
    watcher.stop();
    provider.set('db/password', 'again');
    await clock.advanceAsync(600_000);
    expect(changes).toHaveLength(1);
    expect(provider.calls).toHaveLength(3);
  });

  it('reports failures to onError and keeps watching; dispose stops every watch', async () => {
    const { provider, resolver, clock } = setup();
    const errors: string[] = [];
    const changes: string[] = [];
    const watcher = resolver.watch('mem:api/key', (value: string) => void changes.push(value), {
      intervalMs: 1000,
      onError: (error) => errors.push(error.code),
    });
    await watcher.ready;
    provider.delete('api/key'); // not found is never masked by the old value
    await clock.advanceAsync(1000);
    expect(errors).toEqual(['NOT_FOUND']);
    provider.set('api/key', 'back');
    await clock.advanceAsync(2000);
    expect(changes).toEqual(['back']);
    resolver.dispose();
    const calls = provider.calls.length;
    await clock.advanceAsync(10_000);
    expect(provider.calls.length).toBe(calls);
  });

  it('an onChange that throws is reported and called again on the next check, until it succeeds', async () => {
    const { provider, resolver, clock } = setup();
    const errors: SecretrefError[] = [];
    const seen: string[] = [];
    let failing = true;
    const watcher = resolver.watch(
      'mem:db/password',
      (value: string) => {
        seen.push(value);
        if (failing) throw new Error('pool rebuild failed');
      },
      { intervalMs: 1000, onError: (error) => errors.push(error) },
    );
    await watcher.ready;
    provider.set('db/password', 'rotated');
    await clock.advanceAsync(1000);
    expect(seen).toEqual(['rotated']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(WatchCallbackError);
    expect(errors[0]).toMatchObject({ code: 'WATCH_CALLBACK_FAILED', transient: true });
    expect((errors[0]!.cause as Error).message).toBe('pool rebuild failed');
    failing = false;
    await clock.advanceAsync(1000);
    expect(seen).toEqual(['rotated', 'rotated']); // retried with the value it failed on
    await clock.advanceAsync(3000);
    expect(seen).toHaveLength(2); // taken as current now: no more calls
    expect(errors).toHaveLength(1);
    watcher.stop();
  });

  it('a check answered with the last good value during an outage reaches onError as transient', async () => {
    const { provider, resolver, clock } = setup();
    const errors: SecretrefError[] = [];
    const watcher = resolver.watch('mem:api/key', () => {}, {
      intervalMs: 1000,
      onError: (error) => errors.push(error),
    });
    await watcher.ready;
    provider.fail('api/key', (r) => new ThrottledError('Rate exceeded', { ref: r.ref, scheme: r.scheme }));
    await clock.advanceAsync(1000);
    expect(errors.map((e) => [e.code, e.transient])).toEqual([['THROTTLED', true]]);
    expect(resolver.stats().staleServed).toBe(1);
    watcher.stop();
  });

  it('refuses an option it does not know, naming its own options', () => {
    const { resolver } = setup();
    expect(() => resolver.watch('mem:port', () => {}, { interval: 1000 } as never)).toThrow(
      /unknown option "interval" of watch \(known: as, optional, timeoutMs, intervalMs, onError\)/,
    );
    expect(() => resolver.watch('mem:port', () => {}, { forceFetch: true } as never)).toThrow(InvalidOptionError);
  });

  it('an onChange that throws is an error event too, and without onError a process warning, once', async () => {
    const { provider, resolver, clock } = setup();
    const events: { ref?: string; error: SecretrefError }[] = [];
    const listener = (event: unknown) => events.push(event as { ref?: string; error: SecretrefError });
    subscribe(CHANNELS.error, listener);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const watcher = resolver.watch(
        'mem:port',
        () => {
          throw new Error('boom');
        },
        { intervalMs: 1000 },
      );
      await watcher.ready;
      provider.set('port', '9090');
      await clock.advanceAsync(3000); // fails on three checks: one warning
      watcher.stop();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[1]).toEqual({ code: 'SECRETREF_WATCH' });
      expect(String(warn.mock.calls[0]?.[0])).toContain('pass onError to handle it');
    } finally {
      unsubscribe(CHANNELS.error, listener);
      warn.mockRestore();
    }
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      ref: 'mem:port',
      error: { code: 'WATCH_CALLBACK_FAILED', ref: 'mem:port', scheme: 'mem' },
    });
    expect(events[0]?.error.message).toContain('called again with the new value on the next check');
  });

  it.each([
    [
      'a JSON value with a PIN',
      'mem:cfg?as=json',
      '{"pin":440177}',
      (v: unknown) => `pin ${(v as { pin: number }).pin} rejected`,
    ],
    ['an upper-cased value', 'mem:tok', 'S3cr3t-token-abc', (v: unknown) => `bad ${String(v).toUpperCase()}`],
    [
      'a Basic header of the value',
      'mem:tok',
      'S3cr3t-token-abc',
      (v: unknown) => `Basic ${Buffer.from(String(v)).toString('base64')}`,
    ],
    [
      'bytes',
      'mem:bin?as=binary',
      'UzNjcjN0LWJ5dGVzLWFiYw==',
      (v: unknown) => `bad certificate ${Buffer.from(v as Uint8Array).toString()}`,
    ],
  ])('the cause of a failed onChange keeps no message quoting the value: %s', async (_, ref, raw, message) => {
    const { provider, resolver, clock } = setup();
    const body = ref.slice(4).split('?')[0] as string;
    provider.set(body, raw);
    const errors: SecretrefError[] = [];
    const watcher = resolver.watch(
      ref,
      (value: unknown) => {
        throw new Error(message(value));
      },
      { intervalMs: 1000, onError: (error) => errors.push(error) },
    );
    await watcher.ready;
    const rotated = ref.includes('binary')
      ? Buffer.from('S3cr3t-bytes-abd').toString('base64')
      : raw.replace('177', '278').replace('abc', 'abd');
    provider.set(body, rotated);
    await clock.advanceAsync(1000);
    watcher.stop();
    expect(errors).toHaveLength(1);
    const cause = errors[0]?.cause as Error;
    expect(cause.message).toContain('withheld');
    // What onChange quoted of the new value is nowhere.
    const quoted = message(
      ref.includes('as=json') ? JSON.parse(rotated) : ref.includes('binary') ? Buffer.from(rotated, 'base64') : rotated,
    );
    expect(observable(errors[0])).not.toContain(quoted.split(' ').at(-1) as string);
  });

  it('an onChange that never settles does not stop the checks, and is reported once', async () => {
    const { provider, resolver, clock } = setup();
    const errors: SecretrefError[] = [];
    let calls = 0;
    const watcher = resolver.watch(
      'mem:port',
      () => {
        calls++;
        return new Promise<void>(() => {});
      },
      { intervalMs: 1000, onError: (error) => errors.push(error) },
    );
    await watcher.ready;
    provider.set('port', '1');
    await clock.advanceAsync(1000);
    const fetches = provider.calls.length;
    provider.set('port', '2');
    await clock.advanceAsync(3000);
    expect(calls).toBe(1);
    expect(provider.calls.length).toBe(fetches + 3); // the checks went on
    expect(errors.map((e) => e.code)).toEqual(['WATCH_CALLBACK_FAILED']);
    expect(errors[0]?.message).toContain('has not settled');
    watcher.stop();
  });

  it('an onError that throws does not stop the watch', async () => {
    const { provider, resolver, clock } = setup();
    const changes: string[] = [];
    const watcher = resolver.watch('mem:port', (value: string) => void changes.push(value), {
      intervalMs: 1000,
      onError: () => {
        throw new Error('logger down');
      },
    });
    await watcher.ready;
    provider.delete('port');
    await clock.advanceAsync(1000);
    provider.set('port', '9090');
    await clock.advanceAsync(2000);
    expect(changes).toEqual(['9090']);
    watcher.stop();
  });

  it('its timer never keeps the process alive, and bad options are refused', async () => {
    const provider = memoryProvider({ schemes: ['mem'], values: { port: '1' } });
    const resolver = createResolver({ providers: [provider] });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const watcher = resolver.watch('mem:port', () => {}, { intervalMs: 1000 });
    await watcher.ready;
    await new Promise((resolve) => setImmediate(resolve));
    // The watch's own timer: the one set for its interval (the resolver's deadline timers are cleared).
    const timers = spy.mock.calls.flatMap(([, ms], i) =>
      ms === 1000 ? [spy.mock.results[i]?.value as NodeJS.Timeout] : [],
    );
    expect(timers).toHaveLength(1);
    expect(timers.every((t) => !t.hasRef())).toBe(true);
    watcher.stop();
    spy.mockRestore();
    // An interval given is named, with no advice to pass one; a TTL taken as the interval says so.
    expect(() => resolver.watch('mem:port', () => {}, { intervalMs: 10 })).toThrow(/at least 1000 ms, got 10$/);
    expect(() => resolver.watch('mem:port?ttl=0', () => {})).toThrow(/got the reference's TTL, 0 ms; pass intervalMs/);
    expect(() => resolver.watch('mem:port', 'nope' as never)).toThrow('onChange');
  });
});

/**
 * The security suite: bad input gets a typed error and fetches nothing (a table, and fuzzing with
 * fast-check: SECRETREF_FUZZ_RUNS cases, 100,000 in `pnpm fuzz`); distinctive secret values never show
 * up anywhere observable on any failure path; the cache stays bounded; dispose forgets values.
 * Everything runs on the real providers' parsers with in-memory values (no AWS).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import {
  CHANNELS,
  createResolver,
  loadConfig,
  loadEnv,
  ResolveAllError,
  Secret,
  SecretrefError,
  secret,
  watch,
} from 'secretref';
import { memoryProvider, mockSecrets } from 'secretref/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

const RUNS = Number(process.env.SECRETREF_FUZZ_RUNS ?? 3000);

// Distinctive values: if any of them shows up in anything observable, it leaked.
const SECRETS = {
  plain: 'LEAK-plain-7c3e9f1a',
  json: '{"password":"LEAK-json-2b8d","nested":{"token":"LEAK-nested-51fe"}}',
  notJson: 'LEAK-notjson-{"unterminated": "LEAK-inside-json-9a0b',
  notBase64: 'LEAK-not-base64-***-4d2c',
  list: 'LEAK-list-a,LEAK-list-b',
};
const NEEDLES = [
  'LEAK-plain',
  'LEAK-json',
  'LEAK-nested',
  'LEAK-notjson',
  'LEAK-inside-json',
  'LEAK-not-base64',
  'LEAK-list',
  'LEAK-bytes',
];

/** Every rendering of a value an attacker or a log could see. */
function observable(value: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || v === undefined || seen.has(v)) return;
    seen.add(v);
    parts.push(inspect(v, { showHidden: true, depth: 10, getters: true }), String(v));
    try {
      parts.push(JSON.stringify(v) ?? '');
    } catch {}
    try {
      parts.push(inspect(structuredClone(v), { showHidden: true, depth: 10 }));
    } catch {}
    if (typeof v === 'object') {
      parts.push(inspect({ ...(v as object) }, { showHidden: true, depth: 10 }));
      if (v instanceof Error) {
        parts.push(v.message, v.stack ?? '');
        visit(v.cause, depth + 1);
      }
      if (v instanceof ResolveAllError) for (const inner of Object.values(v.errors)) visit(inner, depth + 1);
    }
  };
  visit(value, 0);
  return parts.join('\n');
}

function expectNoLeak(value: unknown, what: string): void {
  const text = observable(value);
  for (const needle of NEEDLES) expect(text, `${what} shows ${needle}`).not.toContain(needle);
}

const mocked = () =>
  mockSecrets({
    'ssm:/app/plain': SECRETS.plain,
    'ssm:/app/json': SECRETS.json,
    'ssm:/app/not-json': SECRETS.notJson,
    'ssm:/app/not-base64': SECRETS.notBase64,
    'ssm:/app/list': SECRETS.list,
    'secretsmanager:app/json': SECRETS.json,
    'secretsmanager:app/bytes': new Uint8Array([0xff, 0xfe, ...Buffer.from('LEAK-bytes-e0e1')]),
  });

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe('bad input: a typed error before any fetch', () => {
  const cases: [string, string][] = [
    ['ssm:', 'an empty body'],
    ['ssm:/a?flavour=1', 'an unknown parameter'],
    ['ssm:/a?ttl=soon', 'a malformed ttl'],
    ['ssm:/a?as=yaml', 'an unknown as'],
    ['ssm:/a?region=mars', 'a malformed region'],
    ['ssm:/a?region=us-east-1&region=eu-west-1', 'a parameter twice'],
    ['ssm:/a\u0000b', 'a control character'],
    ['ssm:/a\nb', 'a newline'],
    ['ssm:/a#%ZZ', 'a malformed percent-escape'],
    ['secretsmanager:db?versionStage=A&versionId=EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE', 'conflicting parameters'],
    ['arn:aws:ssm:eu-west-1:123456789012:parameter/a?region=us-east-1', 'a region that contradicts the ARN'],
    ['vault:secret/x', 'an unknown scheme'],
    ['kms:not*base64', 'a body that is not base64'],
    ['{{resolve:ssm:/a', 'an unterminated CloudFormation reference'],
    [`ssm:/${'a'.repeat(3000)}`, 'an oversize name'],
    ['no scheme at all', 'no scheme'],
  ];

  it.each(cases)('%j (%s)', async (input) => {
    const mock = mocked();
    restore = mock.restore;
    const calls = mock.calls.length;
    const error = await mock.resolver.resolve(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretrefError);
    expect(['INVALID_REFERENCE', 'UNKNOWN_SCHEME']).toContain((error as SecretrefError).code);
    expect(mock.calls.length).toBe(calls);
  });

  it('values: oversize, invalid UTF-8, malformed JSON, a missing pointer each get a typed error', async () => {
    const mock = mocked();
    restore = mock.restore;
    mock.set('ssm:/app/huge', 'x'.repeat(8 * 1024 * 1024));
    expect((await mock.resolver.resolve('ssm:/app/huge')).length).toBe(8 * 1024 * 1024);
    for (const ref of [
      'secretsmanager:app/bytes', // invalid UTF-8 as a string
      'ssm:/app/not-json?as=json', // malformed JSON
      'ssm:/app/json#/nested/missing', // a missing pointer
      'ssm:/app/json#absent', // a missing key
      'ssm:/app/not-base64?as=binary', // not base64
      'ssm:/app/json#nested?as=list', // neither a string nor an array of strings
    ]) {
      const error = await mock.resolver.resolve(ref).catch((e: unknown) => e);
      expect(error, ref).toBeInstanceOf(SecretrefError);
      expect((error as SecretrefError).code, ref).toBe('INVALID_VALUE');
      expectNoLeak(error, ref);
    }
  });

  it(
    `fuzzing: any string is a value or a typed error, and an invalid one fetches nothing (${RUNS} cases)`,
    async () => {
      const mock = mocked();
      restore = mock.restore;
      const valid = fc.constantFrom(
        'ssm:/app/plain',
        'ssm:/app/json#/nested/token',
        '{{resolve:ssm-secure:/app/plain}}',
        'secretsmanager:app/json:password::',
        'arn:aws:ssm:us-east-1:123456789012:parameter/app/plain',
        'kms:AQICAHh4?context.App=web',
      );
      // Valid references, mutated: a character inserted, deleted or replaced, or pieces glued together.
      const mutated = fc
        .tuple(valid, fc.nat(80), fc.string({ maxLength: 3, unit: 'binary' }), fc.nat(3))
        .map(
          ([ref, at, insert, cut]) =>
            ref.slice(0, at % (ref.length + 1)) + insert + ref.slice((at % (ref.length + 1)) + cut),
        );
      const input = fc.oneof(fc.string({ maxLength: 60, unit: 'binary' }), mutated, valid);
      await fc.assert(
        fc.asyncProperty(input, async (ref) => {
          let parsed = true;
          try {
            mock.resolver.parse(ref);
          } catch (error) {
            parsed = false;
            expect(error).toBeInstanceOf(SecretrefError);
          }
          const calls = mock.calls.length;
          try {
            await mock.resolver.resolve(ref, { timeoutMs: 1000 });
          } catch (error) {
            expect(error).toBeInstanceOf(SecretrefError);
            expectNoLeak(error, ref);
          }
          if (!parsed) expect(mock.calls.length).toBe(calls);
        }),
        { numRuns: RUNS },
      );
    },
    Math.max(30_000, RUNS * 3),
  );
});

describe('leak hunt: every failure path, everything observable', () => {
  it('errors, causes, events, inspect, JSON, structuredClone and spreading hold no value', async () => {
    const mock = mocked();
    restore = mock.restore;
    const events: unknown[] = [];
    const listener = (event: unknown) => events.push(event);
    for (const name of Object.values(CHANNELS)) subscribe(name, listener);
    try {
      const failures: unknown[] = [];
      const catchIt = (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (e: unknown) => failures.push(e),
        );
      await catchIt(mock.resolver.resolve('ssm:/app/not-json?as=json'));
      await catchIt(mock.resolver.resolve('ssm:/app/json#/nested/nope'));
      await catchIt(mock.resolver.resolveAll({ a: 'ssm:/app/not-json#k', b: 'ssm:/app/plain', c: 'ssm:/app/missing' }));
      const env: Record<string, string | undefined> = {
        A: 'ssm:/app/plain',
        B: 'postgres://u:{{ ssm:/app/plain }}@{{ ssm:/app/missing }}/db',
        C: `prefix-${SECRETS.plain}-{{ ssm:/app/missing }}`,
      };
      await catchIt(loadEnv({ env }));
      expect(env.A).toBe('ssm:/app/plain'); // nothing written
      await catchIt(
        loadConfig(
          { key: 'ssm:/app/plain', list: 'ssm:/app/list?as=list', hidden: secret('ssm:/app/plain') },
          { schema: z.object({ key: z.enum(['a', 'b']), list: z.array(z.enum(['x'])), hidden: z.string() }) },
        ),
      );
      const watchErrors: unknown[] = [];
      const watcher = watch('ssm:/app/not-json?as=json', () => {}, { onError: (e) => watchErrors.push(e) });
      await watcher.ready.catch((e: unknown) => failures.push(e));
      watcher.stop();
      expect(failures.length).toBeGreaterThanOrEqual(6);
      for (const failure of [...failures, ...watchErrors]) expectNoLeak(failure, inspect(failure).slice(0, 80));
      expectNoLeak(events, 'diagnostics events');
      expectNoLeak(mock.resolver, 'the resolver object');
    } finally {
      for (const name of Object.values(CHANNELS)) unsubscribe(name, listener);
    }
  });

  it('the Secret wrapper: every path but reveal() prints [redacted]', () => {
    const wrapped = new Secret(SECRETS.plain);
    const container = { db: { password: wrapped }, list: [wrapped] };
    expectNoLeak(wrapped, 'Secret');
    expectNoLeak(container, 'a config holding a Secret');
    expect(`${wrapped}`).toBe('[redacted]');
    expect(JSON.stringify(container)).toBe('{"db":{"password":"[redacted]"},"list":["[redacted]"]}');
    expect(Object.keys(wrapped)).toEqual([]);
    expect(Object.getOwnPropertyNames(wrapped)).toEqual([]);
    expect(wrapped.reveal()).toBe(SECRETS.plain);
  });
});

describe('memory stays bounded', () => {
  it('100,000 distinct references through maxEntries 1000 keep 1000 entries and a bounded heap', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const provider = memoryProvider({ schemes: ['mem'], values: {}, batchSize: 100 });
    for (let i = 0; i < 100_000; i++) provider.set(`k${i}`, `value-${i}-${'x'.repeat(100)}`);
    const resolver = createResolver({ providers: [provider], maxEntries: 1000 });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => resolver.resolve(`mem:k${i + j}`)));
    }
    gc();
    const after = process.memoryUsage().heapUsed;
    // 1000 entries of ~120 bytes plus their keys and 10,000 parsed references: far below 20 MB. Without
    // the bound, 100,000 entries would hold well over 20 MB.
    expect(after - before).toBeLessThan(20 * 1024 * 1024);
    expect(resolver.stats().entries).toBe(1000);
    resolver.dispose();
    expect(resolver.stats().entries).toBe(0);
  });
});

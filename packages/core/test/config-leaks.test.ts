/**
 * `loadConfig` never lets a schema's issue quote a resolved value: every string of every resolved
 * value (at any depth, object keys too, inside `Secret`s as well), in raw and JSON-escaped forms, and
 * numbers of 3 or more characters, are redacted from `ConfigError`'s message and issues; an issue
 * that could quote a value too short to redact gets a generic message. With real zod 4 and valibot.
 */
import { ConfigError, createResolver, InvalidOptionError, loadConfigWith, Secret, secret } from '@secretref/core';
import { memoryProvider } from '@secretref/core/testing';
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { observable } from './helpers.ts';

// Every string here is a secret; the JSON-escaped form of the password differs from its raw form.
const PASSWORD = 'pa"ss\\w0rd-\n91';
const DOCUMENT = {
  user: 'app-user-7f3a',
  password: PASSWORD,
  hosts: ['alpha-host-c0ffee', 'beta-host-51ab'],
  pin: 48213,
  nested: { deep: { token: 'tok-deep-5511' } },
  'k3y-s3cret-name': 'keyed-value-990',
};
const SECRETS = [
  'app-user-7f3a',
  PASSWORD,
  JSON.stringify(PASSWORD).slice(1, -1),
  'alpha-host-c0ffee',
  'beta-host-51ab',
  '48213',
  'tok-deep-5511',
  'k3y-s3cret-name',
  'keyed-value-990',
];
const WITHHELD = 'the value does not match the schema (message withheld: it could quote a secret)';

function setup(values: Record<string, string> = {}) {
  const provider = memoryProvider({
    schemes: ['mem'],
    values: { 'db/config': JSON.stringify(DOCUMENT), ...values },
    batchSize: 50,
  });
  return createResolver({ providers: [provider], jitter: 0 });
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

function expectNoSecret(error: ConfigError, secrets: readonly string[] = SECRETS): void {
  const seen = observable(error);
  for (const value of secrets) expect(seen, value).not.toContain(value);
}

describe('loadConfig redacts every resolved value from schema issues', () => {
  it('zod 4: strings nested in objects and arrays, keys, numbers and JSON-escaped forms (?as=json)', async () => {
    const resolver = setup();
    const quoting = { error: (issue: { input?: unknown }) => `got ${JSON.stringify(issue.input)}` };
    const schema = z.object({
      db: z
        .object({
          user: z.enum(['admin', 'root'], quoting),
          password: z.string().regex(/^x$/, quoting),
          hosts: z.array(z.literal('h', quoting)),
          pin: z.string(quoting),
          nested: z.object({ deep: z.object({ token: z.number(quoting) }) }),
        })
        .strict(), // zod quotes unrecognized keys
    });
    const error = await configError(loadConfigWith(resolver, { db: 'mem:db/config?as=json' }, { schema }));
    expect(error.issues.length).toBeGreaterThanOrEqual(6);
    expect(error.message).toContain('[redacted]');
    expectNoSecret(error);
  });

  it('zod 4: a #key that selects an object, and a Secret whose content a refinement quotes', async () => {
    const resolver = setup();
    const schema = z.object({
      deep: z.object({ token: z.enum(['a', 'b'], { error: (issue) => `got ${String(issue.input)}` }) }),
      wrapped: z.instanceof(Secret).refine(() => false, {
        error: (issue) => `user ${String((issue.input as Secret<{ user: string }>).reveal().user)}`,
      }),
    });
    const error = await configError(
      loadConfigWith(
        resolver,
        { deep: 'mem:db/config#/nested/deep', wrapped: secret('mem:db/config?as=json') },
        { schema },
      ),
    );
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['deep.[redacted]', 'wrapped']);
    expectNoSecret(error);
  });

  it('valibot: an enum mismatch, a number, array items and keys, at any depth', async () => {
    const resolver = setup();
    const schema = v.object({
      db: v.object({
        user: v.picklist(['admin', 'root']),
        password: v.picklist(['x']),
        hosts: v.array(v.literal('h')),
        pin: v.string(),
        nested: v.object({ deep: v.object({ token: v.literal('t') }) }),
        'k3y-s3cret-name': v.literal('k'),
      }),
      keys: v.record(v.picklist(['a']), v.unknown()),
    });
    const error = await configError(
      loadConfigWith(resolver, { db: 'mem:db/config?as=json', keys: 'mem:db/config#nested' }, { schema }),
    );
    expect(error.issues.length).toBeGreaterThanOrEqual(7);
    expect(error.issues.find((issue) => issue.path === 'db.[redacted]')?.message).toMatch(/received "\[redacted\]"/);
    expectNoSecret(error);
  });

  it('a value too short to redact withholds the messages of the issues that could quote it, and only those', async () => {
    const resolver = setup({ short: 'ab', port: 'x9', tiny: JSON.stringify({ code: 'q', long: 'long-secret-42' }) });
    const schema = v.object({
      mode: v.picklist(['on', 'off']),
      port: v.pipe(v.string(), v.regex(/^\d+$/)),
      tiny: v.object({ code: v.picklist(['a']), long: v.picklist(['b']) }),
      name: v.picklist(['orders']),
    });
    const error = await configError(
      loadConfigWith(
        resolver,
        { mode: 'mem:short', port: 'mem:port', tiny: 'mem:tiny?as=json', name: 'billing' },
        { schema },
      ),
    );
    const at = (path: string) => error.issues.filter((issue) => issue.path === path).map((issue) => issue.message);
    expect(at('mode')).toEqual([WITHHELD]);
    expect(at('port')).toEqual([WITHHELD]);
    // tiny.code holds the short value; its sibling tiny.long keeps its (redacted) message.
    expect(at('tiny.[redacted]').sort()).toEqual([expect.stringMatching(/received "\[redacted\]"$/), WITHHELD]);
    // A plain value of the spec is no secret: its issue keeps its message.
    expect(at('name')).toEqual([expect.stringMatching(/received "billing"/)]);
    const seen = observable(error);
    expect(seen).not.toMatch(/"ab"|"x9"|"q"/);
    expect(seen).not.toContain('long-secret-42');
  });
});

describe('loadConfig checks its input before resolving anything', () => {
  it('refuses an array in the spec, unknown options, and a schema that is none', async () => {
    const resolver = setup();
    const resolve = vi.spyOn(resolver, 'resolve');
    await expect(loadConfigWith(resolver, { a: 'mem:db/config', list: ['mem:x'] } as never)).rejects.toThrow(
      /array at list/,
    );
    await expect(loadConfigWith(resolver, { a: 'mem:db/config' }, { schemas: {} } as never)).rejects.toThrow(
      /unknown option "schemas" of loadConfig/,
    );
    await expect(loadConfigWith(resolver, { a: 'mem:db/config' }, { schema: {} as never })).rejects.toThrow(
      /Standard Schema/,
    );
    expect(resolve).not.toHaveBeenCalled();
  });

  it('redacts a value however a message formats it: upper-cased, as a locale number, or inside a JSON text', async () => {
    const resolver = setup({ pin: '98765', json: '{"password":"pa55-word-abc"}', name: 'quiet-river-42' });
    const schema = z.object({
      pin: z.coerce.number().refine(() => false, { message: 'pin 98,765 refused' }),
      json: z.string().refine(() => false, { message: 'password=pa55-word-abc is weak' }),
      name: z
        .string()
        .refine((v) => v === 'x', { error: (issue) => `${String(issue.input).toUpperCase()} is no name` }),
    });
    const error = (await loadConfigWith(
      resolver,
      { pin: 'mem:pin', json: 'mem:json', name: 'mem:name' },
      { schema },
    ).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    const seen = observable(error);
    for (const leak of ['98,765', 'pa55-word-abc', 'QUIET-RIVER-42']) expect(seen).not.toContain(leak);
  });
});

describe('loadConfig refuses a spec it cannot build, before resolving anything', () => {
  it.each([
    ['a Map', { m: new Map([['a', 'mem:db/config']]) }],
    ['a Date', { d: new Date(0) }],
    [
      'a cycle',
      (() => {
        const spec: Record<string, unknown> = { a: 'mem:db/config' };
        spec.self = spec;
        return spec;
      })(),
    ],
  ])('%s', async (_, spec) => {
    const resolver = setup();
    const resolve = vi.spyOn(resolver, 'resolve');
    await expect(loadConfigWith(resolver, spec as never)).rejects.toBeInstanceOf(InvalidOptionError);
    expect(resolve).not.toHaveBeenCalled();
  });

  it('secret() refuses options that are none', () => {
    expect(() => secret('mem:db/config', 5 as never)).toThrow(InvalidOptionError);
    expect(() => secret('mem:db/config', { as: 'yaml' } as never)).toThrow(InvalidOptionError);
  });
});

describe('loadConfig never passes on what a schema throws', () => {
  it.each([
    ['a transform that parses the value as JSON', z.string().transform((s) => JSON.parse(s) as unknown)],
    ['a transform that makes a BigInt of it', z.string().transform((s) => BigInt(s))],
    ['a transform that makes a URL of it', z.string().transform((s) => new URL(s).host)],
    [
      'a refinement that throws',
      z.string().refine((s) => {
        throw new Error(`no ${s}`);
      }),
    ],
  ])('%s: a ConfigError whose cause keeps no value', async (_, field) => {
    const resolver = setup({ pw: 'S3CR3T-thrown-pw-19' });
    const error = await loadConfigWith(resolver, { pw: 'mem:pw' }, { schema: z.object({ pw: field }) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(observable(error)).not.toContain('S3CR3T-thrown-pw-19');
    expect(observable(error)).not.toContain('S3CR3T');
  });

  it('a Standard Schema whose validate throws: the same', async () => {
    const resolver = setup({ pw: 'S3CR3T-thrown-pw-19' });
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: (value: unknown) => {
          throw new TypeError(`cannot validate ${JSON.stringify(value)}`);
        },
      },
    };
    const error = await loadConfigWith(resolver, { pw: 'mem:pw' }, { schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error & { cause?: Error }).cause?.name).toBe('TypeError');
    expect(observable(error)).not.toContain('S3CR3T');
  });
});

describe('loadConfig redacts what the first passes did not', () => {
  it('a message with İ (lower-casing changes its length), base64 and URL-encoded forms, a path the schema made up', async () => {
    const resolver = setup({ pw: 'S3CR3T-forms-pw-20' });
    const b64 = Buffer.from('S3CR3T-forms-pw-20').toString('base64');
    const url = encodeURIComponent('S3CR3T-forms-pw-20');
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: () => ({
          issues: [
            { message: 'İnvalid S3CR3T-FORMS-PW-20', path: ['pw'] },
            { message: `basic ${b64} and ${url}`, path: ['pw'] },
            { message: 'bad', path: ['S3CR3T-forms-pw-20'] },
          ],
        }),
      },
    };
    const error = (await loadConfigWith(resolver, { pw: 'mem:pw' }, { schema }).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    const seen = observable(error);
    for (const leak of ['S3CR3T', b64.slice(0, 12), url.slice(0, 12)]) expect(seen).not.toContain(leak);
    expect(error.issues.map((issue) => issue.path)).toEqual(['pw', 'pw', '[redacted]']);
  });
});

describe('redaction of values with characters beyond the BMP', () => {
  it('ends, and redacts them (an emoji is two UTF-16 units)', async () => {
    const resolver = setup({ pw: 'pw-😀😀-S3CR3T' });
    const schema = z.object({ pw: z.string().refine(() => false, { message: 'got pw-😀😀-S3CR3T and 😀' }) });
    const error = (await loadConfigWith(resolver, { pw: 'mem:pw' }, { schema }).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(error.issues[0]?.message).toBe('got [redacted] and 😀');
  });
});

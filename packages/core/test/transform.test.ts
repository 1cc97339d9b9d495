import { InvalidValueError } from '@secretref/core';
import { describe, expect, it } from 'vitest';
import { observable, setup } from './helpers.ts';

function resolverWith(values: Record<string, string | Uint8Array | Record<string, string>>) {
  const t = setup();
  for (const [k, v] of Object.entries(values)) t.provider.set(k, v);
  return t.resolver;
}

describe('as', () => {
  const r = resolverWith({
    text: 'plain',
    list: 'a,b,c',
    b64: Buffer.from('bytes\u00e9').toString('base64'),
    bytes: new Uint8Array([0xe2, 0x82, 0xac]),
    invalidUtf8: new Uint8Array([0xff, 0xfe]),
    json: '{"user":"u","nested":{"a/b":1,"t~":2},"hosts":["h1","h2"],"n":null}',
    path: { 'db/password': 'p', 'db/user': 'u' },
  });

  it('string is the default and returns the value as is', async () => {
    expect(await r.resolve('mem:text')).toBe('plain');
    expect(await r.resolve('mem:text?as=string')).toBe('plain');
  });

  it('list splits a StringList at commas', async () => {
    expect(await r.resolve('mem:list', { as: 'list' })).toEqual(['a', 'b', 'c']);
    expect(await r.resolve('mem:json#hosts', { as: 'list' })).toEqual(['h1', 'h2']);
  });

  it('binary decodes base64 strings and passes bytes through', async () => {
    expect(Buffer.from(await r.resolve('mem:b64', { as: 'binary' })).toString()).toBe('bytes\u00e9');
    expect([...(await r.resolve('mem:bytes', { as: 'binary' }))]).toEqual([0xe2, 0x82, 0xac]);
  });

  it('bytes read as text are decoded as UTF-8, and invalid UTF-8 is an error, not mojibake', async () => {
    expect(await r.resolve('mem:bytes')).toBe('\u20ac');
    await expect(r.resolve('mem:invalidUtf8')).rejects.toThrow(/not valid UTF-8/);
  });

  it('json parses, and a fragment implies json', async () => {
    expect(await r.resolve('mem:json', { as: 'json' })).toMatchObject({ user: 'u' });
    expect(await r.resolve('mem:json#user')).toBe('u');
    expect(await r.resolve('mem:json#n')).toBeNull();
  });

  it('follows RFC 6901 pointers, with ~1 for / and ~0 for ~, and array indexes', async () => {
    expect(await r.resolve('mem:json#/nested/a~1b')).toBe(1);
    expect(await r.resolve('mem:json#/nested/t~0')).toBe(2);
    expect(await r.resolve('mem:json#/hosts/1')).toBe('h2');
    expect(await r.resolve('mem:json#/nested', { as: 'string' })).toBe('{"a/b":1,"t~":2}');
  });

  it('a whole path is an object keyed by relative name, and a fragment picks one', async () => {
    expect(await r.resolve('mem:path')).toEqual({ 'db/password': 'p', 'db/user': 'u' });
    expect(await r.resolve('mem:path#db/password')).toBe('p');
  });

  it.each([
    ['mem:text?as=json', /not valid JSON/],
    ['mem:json#missing', /JSON key "missing" is not in the value/],
    ['mem:json#/hosts/2', /JSON key "\/hosts\/2" is not in the value/],
    ['mem:json#/hosts/01', /is not in the value/],
    ['mem:json#__proto__', /is not in the value/],
    ['mem:json#/user/x', /is not in the value/],
    ['mem:text?as=binary', /not base64/],
    ['mem:json?as=list#nested', /neither a comma-separated string nor an array of strings/],
    ['mem:json?as=binary#nested', /not a base64 string/],
  ])('%s is an InvalidValueError (%s)', async (ref, message) => {
    const error = await r.resolve(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toMatch(message);
    expect((error as InvalidValueError).ref).toBe(ref);
  });

  it('JSON errors never carry the value, not even in a cause (V8 quotes JSON.parse input)', async () => {
    const t = resolverWith({ bad: '{"password": "SECRET-VALUE-123"' });
    const error = await t.resolve('mem:bad#password').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).cause).toBeUndefined();
    expect(observable(error)).not.toContain('SECRET-VALUE-123');
  });
});

describe('deep JSON', () => {
  it('a value nested 50,000 deep resolves, frozen all the way down (no recursion to overflow)', async () => {
    const depth = 50_000;
    const r = resolverWith({ deep: `${'['.repeat(depth)}1${']'.repeat(depth)}` });
    let node = (await r.resolve('mem:deep?as=json')) as unknown;
    for (let i = 0; i < depth; i++) {
      expect(Object.isFrozen(node)).toBe(true);
      node = (node as unknown[])[0];
    }
    expect(node).toBe(1);
  });
});

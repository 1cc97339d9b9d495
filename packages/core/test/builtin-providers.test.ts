import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessDeniedError, createResolver, InvalidReferenceError, SecretNotFoundError } from '@secretref/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('env:', () => {
  it('reads the process environment', async () => {
    process.env.SECRETREF_TEST_VAR = 'from-env';
    const resolver = createResolver();
    expect(await resolver.resolve('env:SECRETREF_TEST_VAR')).toBe('from-env');
    delete process.env.SECRETREF_TEST_VAR;
  });

  it('a missing variable is not found, or undefined when optional', async () => {
    const resolver = createResolver();
    await expect(resolver.resolve('env:SECRETREF_SURELY_UNSET')).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await resolver.resolve('env:SECRETREF_SURELY_UNSET?optional=true')).toBeUndefined();
  });

  it('rejects names that cannot be variables', async () => {
    await expect(createResolver().resolve('env:1ABC')).rejects.toBeInstanceOf(InvalidReferenceError);
  });
});

describe('file:', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secretref-file-'));
    await writeFile(join(dir, 'db_password'), 'p\u00e4ss\n');
    await writeFile(join(dir, 'config.json'), '{"user":"app"}');
    await writeFile(join(dir, 'locked'), 'x');
    await chmod(join(dir, 'locked'), 0o000);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a mounted secret exactly, as UTF-8, in path and file URL form', async () => {
    const resolver = createResolver();
    expect(await resolver.resolve(`file:${dir}/db_password`)).toBe('p\u00e4ss\n');
    expect(await resolver.resolve(`file://${dir}/db_password`)).toBe('p\u00e4ss\n');
    expect(await resolver.resolve(`file:${dir}/config.json#user`)).toBe('app');
  });

  it('a missing file is not found; an unreadable one is access denied', async () => {
    const resolver = createResolver();
    await expect(resolver.resolve(`file:${dir}/nope`)).rejects.toBeInstanceOf(SecretNotFoundError);
    // root reads any file, so the permission check only means something for other users.
    if (process.getuid?.() !== 0) {
      await expect(resolver.resolve(`file:${dir}/locked`)).rejects.toBeInstanceOf(AccessDeniedError);
    }
  });
});

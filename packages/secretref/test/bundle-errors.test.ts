/**
 * An ESM bundle built without the `createRequire` banner has the SDK client inside, but the SDK's
 * CommonJS parts cannot `require` Node's modules (esbuild: `Dynamic require of "node:https" is not
 * supported`). The error says that, and points at the bundling guide: not "add it to your
 * dependencies", which sends the user after a package that is already there.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AwsClient, awsClientPool } from '@secretref/aws';
import type { FetchRequest } from '@secretref/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'secretref-bundle-errors-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * Bundles `source` the way a first esbuild command does (`--bundle --platform=node --format=esm`): no
 * banner, and esbuild's default main fields, which take the SDK's CommonJS builds. Runs it in a fresh
 * node and returns what it printed.
 */
async function bundleAndRun(source: string): Promise<string> {
  const outfile = join(work, 'handler.mjs');
  await build({
    stdin: { contents: source, resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@secretref/source'],
    outfile,
    logLevel: 'silent',
  });
  // No AWS: the SDK is loaded on the first fetch, which would go to a port nothing listens on.
  const { stdout } = await run(process.execPath, [outfile], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    timeout: 30_000,
  });
  return stdout;
}

describe('a bundle without the createRequire banner', () => {
  it('fails saying the SDK failed to load on a dynamic require, and points at the bundling guide', async () => {
    const printed = await bundleAndRun(`
      import { createResolver } from '@secretref/core';
      import { ssmProvider } from '@secretref/ssm';
      const resolver = createResolver({ providers: [ssmProvider({ clientConfig: { maxAttempts: 1 } })] });
      try {
        await resolver.resolve('ssm:/app/db');
        console.log('resolved');
      } catch (error) {
        console.log(error.message);
      } finally {
        resolver.dispose();
      }
    `);
    expect(printed).not.toContain('add it to your dependencies');
    expect(printed).toContain('[secretref] [ssm] @aws-sdk/client-ssm failed to load');
    expect(printed).toMatch(/Dynamic require of "node:[a-z]+" is not supported/);
    expect(printed).toContain('docs/guides/lambda.md#bundle-size-and-import-time');
    expect(printed).toContain('createRequire');
  }, 60_000);
});

describe('the message of an SDK module that failed to load', () => {
  const request: FetchRequest = { ref: 'ssm:/app/db', scheme: 'ssm', locator: { key: '/app/db' }, params: {} };
  const message = (error: unknown): string => {
    const pool = awsClientPool<AwsClient, object, never>(
      '@aws-sdk/client-ssm',
      {},
      async () => {
        throw error;
      },
      () => {
        throw new Error('unreachable');
      },
    );
    const [result] = pool.unavailable([request], error);
    expect((result as { error: Error }).error.cause).toBe(error);
    return (result as { error: Error }).error.message;
  };
  const notFound = (text: string, code: string) => Object.assign(new Error(text), { code });

  it.each([
    [notFound("Cannot find package '@aws-sdk/client-ssm' imported from /app/index.mjs", 'ERR_MODULE_NOT_FOUND')],
    [notFound("Cannot find module '@aws-sdk/client-ssm'\nRequire stack:\n- /app/index.cjs", 'MODULE_NOT_FOUND')],
  ])('the package itself missing: add it to your dependencies (%s)', (error) => {
    expect(message(error)).toBe(
      '[secretref] [ssm] @aws-sdk/client-ssm could not be loaded; add it to your dependencies',
    );
  });

  it('a dependency of it missing, or anything else: what failed, first line only, length-capped', () => {
    const dependency = notFound(
      "Cannot find package '@smithy/smithy-client' imported from /app/node_modules/@aws-sdk/client-ssm/dist-es/index.js\nmore",
      'ERR_MODULE_NOT_FOUND',
    );
    expect(message(dependency)).toBe(
      "[secretref] [ssm] @aws-sdk/client-ssm failed to load: Error: Cannot find package '@smithy/smithy-client' imported from /app/node_modules/@aws-sdk/client-ssm/dist-es/index.js",
    );
    const long = message(new SyntaxError(`Unexpected token ${'x'.repeat(1000)}`));
    expect(long).toMatch(/failed to load: SyntaxError: Unexpected token x+\.\.\.$/);
    expect(long.length).toBeLessThan(300);
    expect(message(new Error('Dynamic require of "node:https" is not supported'))).toContain(
      'see docs/guides/lambda.md#bundle-size-and-import-time',
    );
  });
});

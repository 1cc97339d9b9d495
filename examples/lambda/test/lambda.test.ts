/**
 * The Lambda example as Lambda runs it: each handler bundled with esbuild, imported in a fresh node
 * process (INIT) and invoked with a fake context, against moto through the call-counting proxy. The
 * bundles are built from the packages' sources (the `@secretref/source` condition), so no build is
 * needed first.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ResolveAllError, TimeoutError } from '@secretref/core';
import { type FaultProxy, localAwsConfig, localAwsEnv, startFaultProxy, startProcess } from '@secretref/local-aws';
import type { Context } from 'aws-lambda';
import { mockSecrets } from 'secretref/testing';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, inject, it, vi } from 'vitest';
// @ts-expect-error: a plain .mjs script, without types
import { bundle, formatReport, report } from '../scripts/bundle.mjs';

const endpoint = inject('awsEndpoint');
const conditions = ['@secretref/source'];
const prefix = `/lambda-${randomUUID().slice(0, 8)}`;
const VALUES = {
  'db-password': 'lambda-db-password-\u00e9-51a2',
  'api-key': 'lambda-api-key-93c1f0',
  'signing-key': 'lambda-signing-key-7e44d2',
};
const SDK_QUIET = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
let proxy: FaultProxy;
let handlerFile: string;
let middyFile: string;
let fetchFile: string;

/** This process's environment without what Lambda never sets. */
const lambdaEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'AWS_CA_BUNDLE'));

function expectNoValue(text: string): void {
  for (const value of Object.values(VALUES)) expect(text).not.toContain(value);
}

/**
 * Imports a bundle in a fresh process, as Lambda's INIT does, and invokes its handler once per event
 * (test/run-handler.mjs). Started asynchronously: the proxy it calls through runs in this process.
 */
async function run(file: string, events: unknown[]) {
  const started = startProcess(
    process.execPath,
    [fileURLToPath(new URL('run-handler.mjs', import.meta.url)), file, JSON.stringify(events)],
    // Lambda's environment: keys and a region, no AWS_CA_BUNDLE (which this machine may set).
    { env: { ...lambdaEnv(), ...localAwsEnv(proxy.endpoint), ...SDK_QUIET, PARAMETER_PREFIX: prefix } },
  );
  const { code } = await started.exited;
  const { stdout, stderr } = started.output();
  expectNoValue(stdout + stderr);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as { results: unknown[]; stats?: { calls: number; hits: number } };
}

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint);
  const ssm = new SSMClient(localAwsConfig(endpoint));
  for (const [name, Value] of Object.entries(VALUES)) {
    await ssm.send(new PutParameterCommand({ Name: `${prefix}/${name}`, Value, Type: 'SecureString' }));
  }
  ssm.destroy();
  handlerFile = await bundle('src/handler.ts', 'dist/handler.mjs', { conditions });
  middyFile = await bundle('src/handler-middy.ts', 'dist/handler-middy.mjs', { conditions });
  fetchFile = await bundle('src/handler-fetch.ts', 'dist/handler-fetch.mjs', { conditions });
});

afterEach(() => {
  proxy.reset();
});

afterAll(async () => {
  await proxy.close();
});

describe('the bundled ESM handler', () => {
  it('resolves its secrets during INIT, in one GetParameters call', async () => {
    const { results, stats } = await run(handlerFile, []); // import only: INIT, no invocation
    expect(results).toEqual([]);
    expect(proxy.calls).toEqual(['GetParameters']);
    expect(stats?.calls).toBe(1);
  });

  it('then serves invocations within the TTL from the cache: no more calls', async () => {
    const { results, stats } = await run(handlerFile, [{ orderId: 'o-1' }, { orderId: 'o-2' }]);
    expect(results).toEqual([
      { orderId: 'o-1', ready: true },
      { orderId: 'o-2', ready: true },
    ]);
    expect(proxy.calls).toEqual(['GetParameters']); // INIT's, and nothing for the two invocations
    expect(stats).toMatchObject({ calls: 1, hits: 6 }); // 3 references x 2 invocations
  });
});

describe('the fetch-only handler (ssmFetchProvider)', () => {
  it('resolves during INIT in one signed GetParameters call, then from the cache', async () => {
    const { results, stats } = await run(fetchFile, [{ orderId: 'o-6' }]);
    expect(results).toEqual([{ orderId: 'o-6', ready: true }]);
    expect(proxy.calls).toEqual(['GetParameters']);
    expect(stats).toMatchObject({ calls: 1, hits: 2 });
  });

  it('bundles no @aws-sdk module', () => {
    const code = readFileSync(fetchFile, 'utf8');
    expect(code).toContain('AmazonSSM');
    for (const pattern of [/GetParametersCommand/, /SSMClient/, /@smithy/, /client-ssm/]) {
      expect(code, String(pattern)).not.toMatch(pattern);
    }
  });
});

describe('the middy handler', () => {
  it('bundled: resolves on the first invocation, from the cache on the second', async () => {
    const { results } = await run(middyFile, [{ orderId: 'o-3' }, { orderId: 'o-4' }]);
    expect(results).toEqual([
      { orderId: 'o-3', ready: true },
      { orderId: 'o-4', ready: true },
    ]);
    expect(proxy.calls).toEqual(['GetParameters']);
  });

  // The 5 s test timeout is the check: without the deadline from the context, the resolver's default
  // (10 s) would apply.
  it('in process: a fetch that hangs fails at half of the remaining time, as a TimeoutError', {
    timeout: 5000,
  }, async () => {
    vi.stubEnv('PARAMETER_PREFIX', prefix);
    for (const [name, value] of Object.entries({ ...localAwsEnv(proxy.endpoint), ...SDK_QUIET })) {
      vi.stubEnv(name, value);
    }
    try {
      const { handler } = await import('../src/handler-middy.ts');
      // @ts-expect-error: middy's `use` types this handler `never`: it infers the context type from the
      // middleware's request, and @secretref/core's MiddyRequestLike adds `& Record<string, unknown>` to
      // it, which aws-lambda's Context interface does not satisfy. Delete this directive once it is fixed.
      expectTypeOf(handler).not.toBeNever();
      const invoke = handler as unknown as (event: { orderId?: string }, context: Partial<Context>) => Promise<unknown>;
      proxy.fault = 'hang';
      // 400 ms left: the middleware gives resolving 200 ms; the SDK request is aborted then.
      const getRemainingTimeInMillis = vi.fn(() => 400);
      const error = await invoke({ orderId: 'o-5' }, { getRemainingTimeInMillis }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(ResolveAllError);
      expect((error as ResolveAllError).errors.apiKey).toBeInstanceOf(TimeoutError);
      expectNoValue(String(error));
      expect(getRemainingTimeInMillis).toHaveBeenCalled();
      expect(proxy.calls).toEqual(['GetParameters']);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('the CommonJS-style handler (secretref, the default resolver)', () => {
  it('runs under mockSecrets, without AWS', async () => {
    const mock = mockSecrets({
      'ssm:/orders/db-password': 'test-password',
      'secretsmanager:orders/stripe': '{"key":"sk_test_x"}',
    });
    try {
      // Imported after mockSecrets: the wrapper takes the default resolver when the module loads.
      const { handler } = await import('../src/handler-cjs-style.ts');
      const context = { getRemainingTimeInMillis: () => 3000 };
      expect(await handler({}, context)).toEqual({ ready: true });
      expect(await handler({}, context)).toEqual({ ready: true });
      expect(mock.calls.map((call) => call.scheme).sort()).toEqual(['secretsmanager', 'ssm']); // once each
    } finally {
      mock.restore();
    }
  });
});

describe('the bundles', () => {
  it('of the composed handlers hold the SSM client and nothing of Secrets Manager or KMS', () => {
    for (const file of [handlerFile, middyFile]) {
      const code = readFileSync(file, 'utf8');
      expect(code).toContain('GetParametersCommand');
      for (const pattern of [/secretsmanager/i, /BatchGetSecretValue/, /client-kms/, /KMSClient/, /GenerateDataKey/]) {
        expect(code, `${file}: ${pattern}`).not.toMatch(pattern);
      }
    }
  });

  it('are measured by the size script: the fetch-only handler is the smallest, the secretref one brings Secrets Manager', async () => {
    // moto itself, not the proxy: the import-time measurement blocks this process while it runs.
    const env = { ...lambdaEnv(), ...localAwsEnv(endpoint), ...SDK_QUIET, PARAMETER_PREFIX: prefix };
    const rows = (await report({ conditions, runs: 3, env })) as {
      file: string;
      bytes: number;
      importMs: number | undefined;
      error?: string;
    }[];
    expect(rows.map((row) => [row.file, row.error])).toEqual([
      ['dist/handler.mjs', undefined],
      ['dist/handler-fetch.mjs', undefined],
      ['dist/handler-middy.mjs', undefined],
      ['dist/handler-cjs-style.mjs', undefined],
    ]);
    for (const row of rows) expect(row.importMs).toBeGreaterThan(0);
    const [composed, fetchOnly, , full] = rows;
    expect(composed!.bytes).toBeLessThan(full!.bytes);
    expect(fetchOnly!.bytes).toBeLessThan(composed!.bytes / 5);
    expect(readFileSync(fileURLToPath(new URL('../dist/handler-cjs-style.mjs', import.meta.url)), 'utf8')).toMatch(
      /BatchGetSecretValue/,
    );
    const table = formatReport(rows, 3) as string;
    expect(table).toMatch(/^bundle +contents +bytes +KB +import ms \(median of 3\)\n[- ]+\n/);
    expect(table).toMatch(new RegExp(`\\ndist/handler\\.mjs +.+ +${composed!.bytes} +\\d+\\.\\d +\\d+\\.\\d\\n`));
    expectNoValue(table);
  });
});

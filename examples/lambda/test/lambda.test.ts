/**
 * The Lambda example as Lambda runs it: the handler bundled with esbuild, imported in a fresh node
 * process (INIT), invoked twice with a fake context, against moto through the call-counting proxy.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type FaultProxy, localAwsConfig, localAwsEnv, startFaultProxy, startProcess } from '@secretref/local-aws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, without types
import { bundle } from '../scripts/bundle.mjs';

const endpoint = inject('awsEndpoint');
const root = fileURLToPath(new URL('..', import.meta.url));
const prefix = `/lambda-${randomUUID().slice(0, 8)}`;
const VALUES = {
  'db-password': 'lambda-db-password-\u00e9-51a2',
  'api-key': 'lambda-api-key-93c1f0',
  'signing-key': 'lambda-signing-key-7e44d2',
};
let proxy: FaultProxy;
let handlerFile: string;
let middyFile: string;

/** Imports the bundle in a fresh process and invokes it (asynchronously: the proxy runs in this process). */
async function run(file: string, events: unknown[]) {
  const started = startProcess(
    process.execPath,
    [fileURLToPath(new URL('run-handler.mjs', import.meta.url)), file, JSON.stringify(events)],
    {
      env: {
        ...process.env,
        ...localAwsEnv(proxy.endpoint),
        PARAMETER_PREFIX: prefix,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    },
  );
  const { code } = await started.exited;
  const { stdout, stderr } = started.output();
  for (const value of Object.values(VALUES)) expect(stdout + stderr).not.toContain(value);
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
  handlerFile = await bundle('src/handler.ts', 'dist/handler.mjs');
  middyFile = await bundle('src/handler-middy.ts', 'dist/handler-middy.mjs');
});

afterAll(async () => {
  await proxy.close();
});

describe('the bundled Lambda handler', () => {
  it('resolves during INIT in one GetParameters call; a warm invocation makes none', async () => {
    proxy.calls.length = 0;
    const { results, stats } = await run(handlerFile, [{ orderId: 'o-1' }, { orderId: 'o-2' }]);
    expect(results).toEqual([
      { orderId: 'o-1', ready: true },
      { orderId: 'o-2', ready: true },
    ]);
    expect(proxy.calls).toEqual(['GetParameters']);
    expect(stats?.calls).toBe(1);
  });

  it('works the same behind the middy middleware', async () => {
    proxy.calls.length = 0;
    const { results } = await run(middyFile, [{ orderId: 'o-3' }, { orderId: 'o-4' }]);
    expect(results).toEqual([
      { orderId: 'o-3', ready: true },
      { orderId: 'o-4', ready: true },
    ]);
    expect(proxy.calls).toEqual(['GetParameters']); // the second invocation is served from the cache
  });

  it('holds the SSM client and nothing of Secrets Manager or KMS', () => {
    const code = readFileSync(handlerFile, 'utf8');
    expect(code).toContain('GetParametersCommand');
    for (const pattern of [/secretsmanager/i, /BatchGetSecretValue/, /KMSClient/, /GenerateDataKey/]) {
      expect(code, String(pattern)).not.toMatch(pattern);
    }
  });

  it('the size script reports the bundle size and the import time', () => {
    const report = spawnSync(process.execPath, ['scripts/bundle.mjs', '--report'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        ...localAwsEnv(endpoint),
        PARAMETER_PREFIX: prefix,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    expect(report.status).toBe(0);
    expect(report.stdout).toMatch(/^dist\/handler\.mjs {2}\d+ bytes \(\d+\.\d KB\)\n/);
    expect(report.stdout).toMatch(/import \+ INIT \(median of 5 fresh processes\) {2}\d+\.\d ms\n$/);
  });
});

/**
 * The Express example as a real process against moto: config loaded before listen, a route guarded by
 * a secret, and a password rotation picked up by watch without a restart. No secret in any response
 * or log line.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { localAwsConfig, localAwsEnv, type StartedProcess, startProcess } from '@secretref/local-aws';
import { mockSecrets } from 'secretref/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadAppConfig } from '../src/config.ts';
import { SEEDED, seed } from '../src/seed.ts';

const endpoint = inject('awsEndpoint');
const root = fileURLToPath(new URL('..', import.meta.url));
const prefix = `express-${randomUUID().slice(0, 8)}`;
const ROTATED = 'express-db-password-v2-\u2603';
const secrets = new SecretsManagerClient(localAwsConfig(endpoint));
let server: StartedProcess;
const output = (): string => server.output().stdout + server.output().stderr;
let url = '';

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, { headers });
  const text = await response.text();
  for (const secret of [SEEDED.apiKey, SEEDED.dbPassword, ROTATED]) expect(text).not.toContain(secret);
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  await seed(new SSMClient(localAwsConfig(endpoint)), secrets, prefix);
  server = startProcess(process.execPath, ['--conditions=@secretref/source', '--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...localAwsEnv(endpoint),
      APP_PREFIX: prefix,
      PORT: '0',
      SECRETREF_WATCH_INTERVAL_MS: '1000',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  url = await until('listening', () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1]);
});

afterAll(() => {
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

describe('the Express example', () => {
  it('serves a route guarded by the API key from SSM, never echoing it', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { ok: true } });
    expect((await get('/orders', { 'x-api-key': SEEDED.apiKey })).status).toBe(200);
    expect(await get('/orders', { 'x-api-key': 'wrong' })).toEqual({ status: 401, body: { error: 'invalid API key' } });
    expect((await get('/orders')).status).toBe(401);
  });

  it('picks up a rotated database password without a restart', async () => {
    const before = await get('/db');
    expect(before.body).toMatchObject({ user: 'orders_app', generation: 1 });
    await secrets.send(
      new PutSecretValueCommand({
        SecretId: `${prefix}/db`,
        SecretString: JSON.stringify({ username: 'orders_app', password: ROTATED }),
      }),
    );
    const after = await until('the rebuilt pool', async () => {
      const { body } = await get('/db');
      return body.generation === 2 ? body : undefined;
    });
    expect(after).toMatchObject({ user: 'orders_app', generation: 2 });
    expect(output()).toContain('database password rotated: pool rebuilt (generation 2)');
  });

  it('stops cleanly on SIGTERM, and its output never held a secret', async () => {
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    expect(code).toBe(0);
    for (const secret of [SEEDED.apiKey, SEEDED.dbPassword, ROTATED]) expect(output()).not.toContain(secret);
  });
});

describe('the config loader, without AWS', () => {
  it('resolves and validates with mocked secrets; secrets stay wrapped', async () => {
    const mock = mockSecrets({
      'ssm:/test-app/port': '3000',
      'ssm:/test-app/api-key': 'k',
      'secretsmanager:test-app/db': '{"username":"u","password":"p"}',
    });
    try {
      const config = await loadAppConfig('test-app');
      expect(config.port).toBe(3000);
      expect(config.db.user).toBe('u');
      expect(config.db.password.reveal()).toBe('p');
      expect(JSON.stringify(config)).toBe(
        '{"port":3000,"db":{"user":"u","password":"[redacted]"},"apiKey":"[redacted]"}',
      );
    } finally {
      mock.restore();
    }
  });
});

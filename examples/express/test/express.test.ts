/**
 * The Express example as a real process against moto: config loaded before listen, a route guarded by
 * a secret, and a password rotation picked up by watch without a restart. No secret in any response
 * or log line.
 */
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { localAwsConfig, localAwsEnv, type StartedProcess, startProcess } from '@secretref/local-aws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SEEDED, seed } from '../src/seed.ts';

const endpoint = inject('awsEndpoint');
const root = fileURLToPath(new URL('..', import.meta.url));
const prefix = `express-demo/${randomUUID().slice(0, 8)}`; // names no other test uses
const ROTATED = 'express-db-password-v2-\u2603';
const SECRETS = [SEEDED.apiKey, SEEDED.dbPassword, ROTATED];
const secrets = new SecretsManagerClient(localAwsConfig(endpoint));

/** Starts src/server.ts as a user would, on a free port, against moto. */
function startServer(env: Record<string, string> = {}): StartedProcess {
  return startProcess(process.execPath, ['--conditions=@secretref/source', '--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...localAwsEnv(endpoint),
      APP_PREFIX: prefix,
      PORT: '0',
      SECRETREF_WATCH_INTERVAL_MS: '1000',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
  });
}

const outputOf = (started: StartedProcess): string => started.output().stdout + started.output().stderr;

let server: StartedProcess;
let url = '';

/** Polls `check` until it gives a value, for `ms` at most. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${outputOf(server)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, { headers });
  const text = await response.text();
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  await seed(new SSMClient(localAwsConfig(endpoint)), secrets, prefix);
  server = startServer();
  url = await until('listening', () => /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(outputOf(server))?.[1]);
});

afterAll(() => {
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

describe('the Express example', () => {
  it('serves a route guarded by the API key from SSM, never echoing it', async () => {
    expect(await get('/health')).toEqual({ status: 200, body: { ok: true } });
    expect(await get('/orders', { 'x-api-key': SEEDED.apiKey })).toEqual({
      status: 200,
      body: { orders: [{ id: 'o-1', total: 42 }] },
    });
    expect(await get('/orders', { 'x-api-key': 'wrong' })).toEqual({ status: 401, body: { error: 'invalid API key' } });
    expect((await get('/orders')).status).toBe(401);
  });

  it('picks up a rotated database password without a restart', async () => {
    const before = await get('/db');
    expect(before.body).toMatchObject({
      user: 'orders_app',
      generation: 1,
    });
    await secrets.send(
      new PutSecretValueCommand({
        SecretId: `${prefix}/db`,
        SecretString: JSON.stringify({ username: 'orders_app', password: ROTATED }),
      }),
    );
    // The pool in use now is a new one, built after the rotation: same process, no restart.
    const after = await until('the rebuilt pool', async () => {
      const { body } = await get('/db');
      return body.generation === 2 ? body : undefined;
    });
    expect(after).toMatchObject({ user: 'orders_app', generation: 2 });
    expect(server.child.exitCode).toBeNull();
    expect(outputOf(server)).toContain('database password rotated: pool rebuilt (generation 2)');
    // Later checks see the same value: no second rebuild.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await get('/db')).body).toMatchObject({ generation: 2 });
  });

  it('stops cleanly on SIGTERM, and its output never held a secret', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output().stderr).toBe('');
    for (const secret of SECRETS) expect(outputOf(server)).not.toContain(secret);
  });
});

describe('the Express example, started without what it needs', () => {
  it('does not listen when its config cannot be loaded, and says which keys are missing', async () => {
    const started = startServer({ APP_PREFIX: `express-demo/missing-${randomUUID().slice(0, 8)}` });
    const { code } = await started.exited;
    expect(code).not.toBe(0);
    const output = outputOf(started);
    expect(output).not.toContain('listening');
    for (const key of ['port', 'db.user', 'db.password', 'apiKey']) expect(output).toContain(`${key}: NOT_FOUND`);
  });

  it('refuses a watch interval under one second before loading anything', async () => {
    const started = startServer({ SECRETREF_WATCH_INTERVAL_MS: '500' });
    const { code } = await started.exited;
    expect(code).not.toBe(0);
    expect(outputOf(started)).toContain('SECRETREF_WATCH_INTERVAL_MS must be a whole number of milliseconds');
    expect(outputOf(started)).not.toContain('listening');
  });

  it('exits with an error when its port is taken, instead of claiming to listen', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const started = startServer({ PORT: String(port) });
      expect((await started.exited).code).toBe(1);
      expect(outputOf(started)).toContain('cannot listen: listen EADDRINUSE');
      expect(outputOf(started)).not.toContain('listening on');
    } finally {
      taken.close();
    }
  });
});

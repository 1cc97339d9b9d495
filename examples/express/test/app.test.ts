/** The config and the app without AWS: `secretref/testing` answers the references from memory. */
import type { AddressInfo } from 'node:net';
import { ConfigError } from 'secretref';
import { type MockedSecrets, mockSecrets } from 'secretref/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadAppConfig } from '../src/config.ts';
import { createPool } from '../src/db.ts';

let mock: MockedSecrets;

beforeEach(() => {
  mock = mockSecrets({
    'ssm:/test-app/port': '3000',
    'ssm:/test-app/api-key': 'test-api-key',
    'secretsmanager:test-app/db': '{"username":"u","password":"test-db-password"}',
  });
});

afterEach(() => mock.restore());

describe('loadAppConfig', () => {
  it('resolves and validates in one batch per service; secrets stay wrapped', async () => {
    const config = await loadAppConfig('test-app');
    expect(config.port).toBe(3000);
    expect(config.db.user).toBe('u');
    expect(config.db.password.reveal()).toBe('test-db-password');
    expect(JSON.stringify(config)).toBe(
      '{"port":3000,"db":{"user":"u","password":"[redacted]"},"apiKey":"[redacted]"}',
    );
    expect(mock.calls.map((call) => call.scheme).sort()).toEqual(['secretsmanager', 'ssm']);
  });

  it('rejects a config that does not fit the schema, quoting no value', async () => {
    mock.set('ssm:/test-app/port', 'eighty');
    mock.set('secretsmanager:test-app/db', '{"username":"u","password":""}');
    const error: unknown = await loadAppConfig('test-app').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.path).sort()).toEqual(['db.password', 'port']);
    expect((error as ConfigError).message).not.toContain('eighty');
  });
});

describe('createApp', () => {
  async function serve() {
    const config = await loadAppConfig('test-app');
    const app = createApp({ apiKey: config.apiKey, pool: () => createPool(config.db.user, config.db.password) });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it('guards /orders with the API key and reports the pool without its password', async () => {
    const { url, close } = await serve();
    try {
      const ok = await fetch(`${url}/orders`, { headers: { 'x-api-key': 'test-api-key' } });
      expect(ok.status).toBe(200);
      for (const key of ['wrong', 'test-api-ke', 'test-api-key2', '']) {
        const denied = await fetch(`${url}/orders`, { headers: { 'x-api-key': key } });
        expect(denied.status).toBe(401);
        expect(await denied.text()).not.toContain('test-api-key');
      }
      const db = await (await fetch(`${url}/db`)).text();
      expect(JSON.parse(db)).toMatchObject({ user: 'u', generation: expect.any(Number) });
      expect(db).not.toContain('test-db-password');
    } finally {
      await close();
    }
  });
});

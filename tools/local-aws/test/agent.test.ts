import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FaultProxy,
  type LocalAgent,
  type Moto,
  startAgent,
  startFaultProxy,
  startMoto,
} from '@secretref/local-aws';
import { AwsClient } from 'aws4fetch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'session-token-abc';
const P = '/agent-test';
let moto: Moto;
const running: { close(): Promise<void> }[] = [];

/** Seeds moto over the wire, as the emulator calls it. */
async function aws(
  service: 'ssm' | 'secretsmanager',
  operation: string,
  input: object,
): Promise<Record<string, unknown>> {
  const client = new AwsClient({ accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1', service });
  const target = `${service === 'ssm' ? 'AmazonSSM' : 'secretsmanager'}.${operation}`;
  const response = await client.fetch(moto.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(input),
  });
  if (!response.ok) throw new Error(`${operation}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function start(options: Partial<Parameters<typeof startAgent>[0]> = {}): Promise<LocalAgent> {
  const agent = await startAgent({ backend: moto.endpoint, token: TOKEN, ...options });
  running.push(agent);
  return agent;
}

async function get(
  agent: LocalAgent,
  path: string,
  headers: Record<string, string> = { 'X-Aws-Parameters-Secrets-Token': TOKEN },
) {
  const response = await fetch(`${agent.endpoint}${path}`, { headers });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
let versions: { current: string; previous: string };

beforeAll(async () => {
  moto = await startMoto();
  await aws('ssm', 'PutParameter', { Name: `${P}/plain`, Value: 'v1', Type: 'String' });
  await aws('ssm', 'PutParameter', { Name: `${P}/plain`, Value: 'v2', Type: 'String', Overwrite: true });
  await aws('ssm', 'LabelParameterVersion', { Name: `${P}/plain`, ParameterVersion: 1, Labels: ['release'] });
  await aws('ssm', 'PutParameter', { Name: `${P}/secure`, Value: 'hunter2', Type: 'SecureString' });
  const first = await aws('secretsmanager', 'CreateSecret', { Name: 'agent-test/db', SecretString: 'old' });
  const second = await aws('secretsmanager', 'PutSecretValue', { SecretId: 'agent-test/db', SecretString: 'new' });
  versions = { previous: String(first.VersionId), current: String(second.VersionId) };
  await aws('secretsmanager', 'CreateSecret', {
    Name: 'agent-test/bin',
    SecretBinary: Buffer.from('bytes').toString('base64'),
  });
}, 60_000);
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await moto?.stop();
});

describe('startAgent: the Lambda extension', () => {
  it('serves a parameter by name, version and label as the Go SDK struct, in text/plain', async () => {
    const agent = await start();
    const latest = await get(agent, `/systemsmanager/parameters/get?name=${encodeURIComponent(`${P}/plain`)}`);
    expect(latest.status).toBe(200);
    expect(latest.type).toBe('text/plain');
    const body = json(latest.text);
    expect(body).toMatchObject({
      Parameter: { Name: `${P}/plain`, Value: 'v2', Version: 2, Selector: null },
      ResultMetadata: {},
    });
    expect(Object.keys(body.Parameter as object)).toEqual([
      'ARN',
      'DataType',
      'LastModifiedDate',
      'Name',
      'Selector',
      'SourceResult',
      'Type',
      'Value',
      'Version',
    ]);
    expect(body).toMatchObject({ Parameter: { LastModifiedDate: expect.stringMatching(RFC3339) } });
    const path = `/systemsmanager/parameters/get/?name=${encodeURIComponent(`${P}/plain`)}`;
    expect(json((await get(agent, `${path}&version=1`)).text)).toMatchObject({
      Parameter: { Value: 'v1', Version: 1 },
    });
    expect(json((await get(agent, `${path}&label=release`)).text)).toMatchObject({ Parameter: { Value: 'v1' } });
    // Version or label: only the first one after `?` counts.
    expect(json((await get(agent, `${path}&label=release&version=2`)).text)).toMatchObject({
      Parameter: { Value: 'v1' },
    });
    // The last one is `name:release` again: served from the cache.
    expect(agent.upstream).toEqual(['GetParameter', 'GetParameter', 'GetParameter']);
    expect(agent.calls).toEqual(['parameters', 'parameters', 'parameters', 'parameters']);
  });

  it('decrypts a SecureString only with withDecryption=true', async () => {
    const agent = await start();
    const name = encodeURIComponent(`${P}/secure`);
    const clear = json((await get(agent, `/systemsmanager/parameters/get?name=${name}&withDecryption=true`)).text);
    expect(clear).toMatchObject({ Parameter: { Type: 'SecureString', Value: 'hunter2' } });
    const raw = json((await get(agent, `/systemsmanager/parameters/get?name=${name}`)).text);
    expect(raw).toMatchObject({ Parameter: { Type: 'SecureString' } });
    expect(raw).not.toMatchObject({ Parameter: { Value: 'hunter2' } });
  });

  it('serves a secret by id, versionStage and versionId, with base64 binaries and RFC 3339 dates', async () => {
    const agent = await start();
    const current = json((await get(agent, '/secretsmanager/get?secretId=agent-test%2Fdb')).text);
    expect(current).toMatchObject({
      Name: 'agent-test/db',
      SecretString: 'new',
      SecretBinary: null,
      ResultMetadata: {},
    });
    expect(current).toMatchObject({ CreatedDate: expect.stringMatching(RFC3339) });
    expect(
      json((await get(agent, '/secretsmanager/get?secretId=agent-test%2Fdb&versionStage=AWSPREVIOUS')).text),
    ).toMatchObject({
      SecretString: 'old',
      VersionId: versions.previous,
    });
    const byId = await get(agent, `/secretsmanager/get?secretId=agent-test%2Fdb&versionId=${versions.previous}`);
    expect(json(byId.text)).toMatchObject({ SecretString: 'old' });
    const binary = json((await get(agent, '/secretsmanager/get?secretId=agent-test%2Fbin')).text);
    expect(binary).toMatchObject({ SecretString: null, SecretBinary: Buffer.from('bytes').toString('base64') });
  });

  it('answers 401 without the session token, before any AWS call', async () => {
    const agent = await start();
    for (const headers of [{}, { 'X-Aws-Parameters-Secrets-Token': 'wrong' }]) {
      expect(await get(agent, '/secretsmanager/get?secretId=agent-test%2Fdb', headers)).toEqual({
        status: 401,
        type: 'text/plain',
        text: 'bad session token or header key',
      });
    }
    expect(agent.upstream).toEqual([]);
  });

  it('turns any AWS error into the same 400 plain-text body', async () => {
    const agent = await start();
    const generic = { status: 400, type: 'text/plain', text: 'an unexpected error occurred while executing request' };
    expect(await get(agent, '/systemsmanager/parameters/get?name=%2Fno%2Fsuch')).toEqual(generic);
    expect(await get(agent, '/secretsmanager/get?secretId=no-such-secret')).toEqual(generic);
    expect(await get(agent, '/systemsmanager/parameters/get')).toEqual(generic); // no name
    expect(agent.upstream).toEqual(['GetParameter', 'GetSecretValue']);
    expect((await get(agent, '/nowhere')).status).toBe(404);
  });

  it('caches per name and version for the TTL on the injected clock, and ignores refreshNow', async () => {
    let now = 1_000;
    const agent = await start({ now: () => now, ttlMs: 60_000 });
    const path = `/systemsmanager/parameters/get?name=${encodeURIComponent(`${P}/cached`)}`;
    await aws('ssm', 'PutParameter', { Name: `${P}/cached`, Value: 'a', Type: 'String' });
    expect(json((await get(agent, path)).text)).toMatchObject({ Parameter: { Value: 'a' } });
    await aws('ssm', 'PutParameter', { Name: `${P}/cached`, Value: 'b', Type: 'String', Overwrite: true });
    now += 60_000;
    expect(json((await get(agent, path)).text)).toMatchObject({ Parameter: { Value: 'a' } });
    expect(json((await get(agent, `${path}&refreshNow=true`)).text)).toMatchObject({ Parameter: { Value: 'a' } });
    expect(agent.upstream).toEqual(['GetParameter']);
    expect(json((await get(agent, `${path}&version=2`)).text)).toMatchObject({ Parameter: { Value: 'b' } });
    expect(agent.upstream).toHaveLength(2);
    now += 1;
    expect(json((await get(agent, path)).text)).toMatchObject({ Parameter: { Value: 'b' } });
    expect(agent.upstream).toHaveLength(3);
  });

  it('calls AWS every time with a TTL of 0, and clamps a TTL over 5 minutes', async () => {
    let now = 0;
    const uncached = await start({ ttlMs: 0, now: () => now });
    await get(uncached, '/secretsmanager/get?secretId=agent-test%2Fdb');
    await get(uncached, '/secretsmanager/get?secretId=agent-test%2Fdb');
    expect(uncached.upstream).toHaveLength(2);
    const clamped = await start({ ttlMs: 3_600_000, now: () => now });
    await get(clamped, '/secretsmanager/get?secretId=agent-test%2Fdb');
    now = 300_001;
    await get(clamped, '/secretsmanager/get?secretId=agent-test%2Fdb');
    expect(clamped.upstream).toHaveLength(2);
  });

  it('answers 400 "not ready" during INIT, then serves', async () => {
    const agent = await start();
    agent.notReady = true;
    expect(await get(agent, '/secretsmanager/get?secretId=agent-test%2Fdb')).toEqual({
      status: 400,
      type: 'text/plain',
      text: 'not ready to serve traffic, please wait',
    });
    expect(agent.upstream).toEqual([]);
    agent.notReady = false;
    expect((await get(agent, '/secretsmanager/get?secretId=agent-test%2Fdb')).status).toBe(200);
  });
});

describe('startAgent: the Secrets Manager Agent', () => {
  const kind = 'secrets-manager-agent';

  it('serves a secret by query and by path, as its own struct without a content type', async () => {
    const agent = await start({ kind });
    const current = await get(agent, '/secretsmanager/get?secretId=agent-test%2Fdb');
    expect(current.status).toBe(200);
    expect(current.type).toBeNull();
    const body = json(current.text);
    expect(Object.keys(body)).toEqual(['ARN', 'Name', 'VersionId', 'SecretString', 'VersionStages', 'CreatedDate']);
    expect(body).toMatchObject({ Name: 'agent-test/db', SecretString: 'new', VersionStages: ['AWSCURRENT'] });
    expect(body).toMatchObject({ CreatedDate: expect.stringMatching(/^\d+(\.\d+)?$/) });
    expect(json((await get(agent, '/v1/agent-test/db?versionStage=AWSPREVIOUS')).text)).toMatchObject({
      SecretString: 'old',
    });
    expect(json((await get(agent, `/v1/agent-test/db?versionId=${versions.current}`)).text)).toMatchObject({
      SecretString: 'new',
    });
    const binary = json((await get(agent, '/v1/agent-test/bin')).text);
    expect(binary).not.toHaveProperty('SecretString');
    expect(binary).toMatchObject({ SecretBinary: Buffer.from('bytes').toString('base64') });
  });

  it('wants the token (also as X-Vault-Token or from a file), rejects X-Forwarded-For, pings without it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'agent-token-')), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    const agent = await start({ kind, token: `file://${file}` });
    const path = '/secretsmanager/get?secretId=agent-test%2Fdb';
    expect(await get(agent, path, {})).toEqual({ status: 403, type: null, text: 'Bad Token' });
    expect((await get(agent, path, { 'X-Vault-Token': TOKEN })).status).toBe(200);
    const forwarded = { 'X-Aws-Parameters-Secrets-Token': TOKEN, 'X-Forwarded-For': '203.0.113.9' };
    expect(await get(agent, path, forwarded)).toEqual({ status: 400, type: null, text: 'Forwarded' });
    expect(await get(agent, '/ping', {})).toEqual({ status: 200, type: null, text: 'healthy' });
    expect(agent.upstream).toEqual(['GetSecretValue']);
  });

  it('has no parameter route, and rejects bad queries and other methods', async () => {
    const agent = await start({ kind });
    expect(await get(agent, '/systemsmanager/parameters/get?name=x')).toMatchObject({ status: 404, text: 'Not found' });
    expect(await get(agent, '/systemsmanager/parameters/get?name=x', {})).toMatchObject({ status: 403 });
    expect(await get(agent, '/secretsmanager/get?secretId=a&name=b')).toMatchObject({
      status: 400,
      text: 'unknown parameter: name',
    });
    expect(await get(agent, '/secretsmanager/get')).toMatchObject({ status: 400, text: 'missing parameter secretId' });
    expect(await get(agent, '/v1/a?refreshNow=maybe')).toMatchObject({ status: 400, text: 'invalid refreshNow value' });
    const post = await fetch(`${agent.endpoint}/secretsmanager/get?secretId=a`, {
      method: 'POST',
      headers: { 'X-Aws-Parameters-Secrets-Token': TOKEN },
    });
    expect([post.status, await post.text()]).toEqual([405, 'Not allowed']);
    expect(agent.upstream).toEqual([]);
  });

  it('relays the AWS status and error as hand-made JSON', async () => {
    const agent = await start({ kind });
    const missing = await get(agent, '/secretsmanager/get?secretId=no-such-secret');
    // moto answers 404 (AWS: 400); the agent relays whatever status came back.
    expect(missing.status).toBe(404);
    expect(missing.text).toBe(
      '{"__type":"ResourceNotFoundException", "message":"Secrets Manager can\'t find the specified secret."}',
    );
  });

  it('caches for the TTL, then checks with DescribeSecret before fetching again; refreshNow fetches at once', async () => {
    let now = 0;
    const agent = await start({ kind, now: () => now, ttlMs: 10_000 });
    await aws('secretsmanager', 'CreateSecret', { Name: 'agent-test/rotating', SecretString: 'one' });
    const path = '/secretsmanager/get?secretId=agent-test%2Frotating';
    await get(agent, path);
    now = 10_000;
    await get(agent, path);
    expect(agent.upstream).toEqual(['GetSecretValue']);
    now = 10_001; // expired, unchanged: DescribeSecret only, the cached value served again
    expect(json((await get(agent, path)).text)).toMatchObject({ SecretString: 'one' });
    expect(agent.upstream).toEqual(['GetSecretValue', 'DescribeSecret']);
    await aws('secretsmanager', 'PutSecretValue', { SecretId: 'agent-test/rotating', SecretString: 'two' });
    expect(json((await get(agent, path)).text)).toMatchObject({ SecretString: 'one' }); // TTL renewed at 10_001
    expect(json((await get(agent, `${path}&refreshNow=true`)).text)).toMatchObject({ SecretString: 'two' });
    expect(agent.upstream).toEqual(['GetSecretValue', 'DescribeSecret', 'GetSecretValue']);
    await aws('secretsmanager', 'PutSecretValue', { SecretId: 'agent-test/rotating', SecretString: 'three' });
    now = 30_000; // expired and rotated: DescribeSecret sees a new AWSCURRENT, so GetSecretValue
    expect(json((await get(agent, path)).text)).toMatchObject({ SecretString: 'three' });
    expect(agent.upstream.slice(3)).toEqual(['DescribeSecret', 'GetSecretValue']);
  });

  it('resets connections while not ready (it is not listening yet)', async () => {
    const agent = await start({ kind });
    agent.notReady = true;
    await expect(get(agent, '/ping')).rejects.toThrow();
    agent.notReady = false;
    expect((await get(agent, '/ping')).text).toBe('healthy');
  });
});

describe('startAgent: AWS failures behind both kinds', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(moto.endpoint);
  });
  afterEach(() => proxy.reset());
  afterAll(async () => {
    await proxy.close();
  });

  it('retries throttling like the SDKs (3 attempts), then relays it', async () => {
    proxy.fault = 'throttle';
    const agent = await start({ kind: 'secrets-manager-agent', backend: proxy.endpoint });
    expect(await get(agent, '/v1/agent-test/db')).toMatchObject({
      status: 400,
      text: '{"__type":"ThrottlingException", "message":"Rate exceeded"}',
    });
    expect(agent.upstream).toEqual(['GetSecretValue', 'GetSecretValue', 'GetSecretValue']);
    const extension = await start({ backend: proxy.endpoint });
    expect(await get(extension, '/secretsmanager/get?secretId=agent-test%2Fdb')).toMatchObject({
      status: 400,
      text: 'an unexpected error occurred while executing request',
    });
  });

  it('the agent: a body that is not an AWS error gives 500 InternalFailure; a 5xx after expiry serves the stale value', async () => {
    let now = 0;
    const agent = await start({ kind: 'secrets-manager-agent', backend: proxy.endpoint, now: () => now, ttlMs: 1_000 });
    proxy.fault = { status: 403, body: '<AccessDenied/>', contentType: 'text/xml' };
    expect(await get(agent, '/v1/agent-test/db')).toMatchObject({ status: 500, text: '{"__type":"InternalFailure"}' });
    proxy.fault = undefined;
    expect(json((await get(agent, '/v1/agent-test/db')).text)).toMatchObject({ SecretString: 'new' });
    proxy.fault = 'unavailable';
    now = 5_000;
    expect(json((await get(agent, '/v1/agent-test/db')).text)).toMatchObject({ SecretString: 'new' });
    expect(agent.upstream.slice(2)).toEqual(['DescribeSecret', 'DescribeSecret', 'DescribeSecret']);
  });
});

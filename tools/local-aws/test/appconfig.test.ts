import {
  AppConfigDataClient,
  BadRequestException,
  GetLatestConfigurationCommand,
  type GetLatestConfigurationCommandOutput,
  InternalServerException,
  ResourceNotFoundException,
  StartConfigurationSessionCommand,
  ThrottlingException,
} from '@aws-sdk/client-appconfigdata';
import {
  type LocalAppConfig,
  type LocalAppConfigAgent,
  startAppConfig,
  startAppConfigAgent,
  startFaultProxy,
} from '@secretref/local-aws';
import { AwsClient } from 'aws4fetch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const HOUR = 3_600_000;
let now: number;
let plane: LocalAppConfig;
const running: { close(): Promise<void> }[] = [];

const sdk = (endpoint = plane.endpoint): AppConfigDataClient =>
  new AppConfigDataClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

async function session(client: AppConfigDataClient, profile = 'settings', interval?: number): Promise<string> {
  const out = await client.send(
    new StartConfigurationSessionCommand({
      ApplicationIdentifier: 'shop',
      EnvironmentIdentifier: 'prod',
      ConfigurationProfileIdentifier: profile,
      ...(interval !== undefined && { RequiredMinimumPollIntervalInSeconds: interval }),
    }),
  );
  return out.InitialConfigurationToken ?? '';
}

const latest = (client: AppConfigDataClient, token: string): Promise<GetLatestConfigurationCommandOutput> =>
  client.send(new GetLatestConfigurationCommand({ ConfigurationToken: token }));
const text = (out: GetLatestConfigurationCommandOutput): string => new TextDecoder().decode(out.Configuration);
const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'no error',
    (e: unknown) => e,
  );

let ids: { app: string; env: string; settings: string; flags: string };
beforeEach(async () => {
  now = Date.parse('2026-11-28T10:00:00Z');
  plane = await startAppConfig({ now: () => now });
  running.push(plane);
  const app = plane.createApplication('shop');
  const env = plane.createEnvironment('shop', 'prod');
  const settings = plane.createProfile(app, 'settings');
  const flags = plane.createProfile('shop', 'flags', 'AWS.AppConfig.FeatureFlags');
  plane.deploy('shop', 'prod', 'settings', '{"db":"v1"}', { contentType: 'application/json', versionLabel: 'v1' });
  ids = { app, env, settings, flags };
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

describe('startAppConfig: the data plane, through the real SDK', () => {
  it('answers a session in full first, then empty until a deployment, then in full with the new label', async () => {
    const client = sdk();
    const first = await latest(client, await session(client));
    expect(text(first)).toBe('{"db":"v1"}');
    expect(first).toMatchObject({ ContentType: 'application/json', VersionLabel: 'v1', NextPollIntervalInSeconds: 60 });
    now += 60_000;
    const second = await latest(client, first.NextPollConfigurationToken ?? '');
    expect(second.Configuration?.length ?? 0).toBe(0);
    expect(second.VersionLabel).toBeUndefined();
    expect(second.NextPollConfigurationToken).not.toBe(first.NextPollConfigurationToken);
    plane.deploy('shop', 'prod', 'settings', '{"db":"v2"}', { versionLabel: 'v2' });
    now += 60_000;
    const third = await latest(client, second.NextPollConfigurationToken ?? '');
    expect(text(third)).toBe('{"db":"v2"}');
    expect(third).toMatchObject({ VersionLabel: 'v2', ContentType: 'text/plain' });
    expect(plane.sessions).toBe(1);
    expect(plane.calls.map((c) => `${c.operation} ${c.status}`)).toEqual([
      'StartConfigurationSession 201',
      'GetLatestConfiguration 200',
      'GetLatestConfiguration 200',
      'GetLatestConfiguration 200',
    ]);
  });

  it('refuses a poll before the interval ("Request too early") and keeps the token usable', async () => {
    const client = sdk();
    const first = await latest(client, await session(client, 'settings', 15));
    expect(first.NextPollIntervalInSeconds).toBe(15);
    const token = first.NextPollConfigurationToken ?? '';
    now += 14_999;
    const early = await failure(latest(client, token));
    expect(early).toBeInstanceOf(BadRequestException);
    expect(early).toMatchObject({
      message: 'Request too early',
      Reason: 'InvalidParameters',
      Details: { InvalidParameters: { ConfigurationToken: { Problem: 'PollIntervalNotSatisfied' } } },
    });
    now += 1;
    expect((await latest(client, token)).NextPollConfigurationToken).toBeTruthy();
  });

  it('refuses a used, an expired and an unknown token', async () => {
    const client = sdk();
    const initial = await session(client);
    await latest(client, initial);
    now += 60_000;
    const reused = await failure(latest(client, initial));
    expect(reused).toBeInstanceOf(BadRequestException);
    expect(reused).toMatchObject({ Details: { InvalidParameters: { ConfigurationToken: { Problem: 'Corrupted' } } } });
    const stale = await session(client);
    now += 24 * HOUR;
    const expired = await failure(latest(client, stale));
    expect(expired).toBeInstanceOf(BadRequestException);
    expect(expired).toMatchObject({ Details: { InvalidParameters: { ConfigurationToken: { Problem: 'Expired' } } } });
    expect(await failure(latest(client, 'guessed-token'))).toBeInstanceOf(BadRequestException);
  });

  it('accepts ids and names alike, and says which resource it cannot find', async () => {
    const client = sdk();
    const byIds = await client.send(
      new StartConfigurationSessionCommand({
        ApplicationIdentifier: ids.app,
        EnvironmentIdentifier: 'prod',
        ConfigurationProfileIdentifier: ids.settings,
      }),
    );
    expect(text(await latest(client, byIds.InitialConfigurationToken ?? ''))).toBe('{"db":"v1"}');
    expect(ids.app).toMatch(/^[a-z0-9]{7}$/);
    const start = (app: string, env: string, profile: string) =>
      failure(
        client.send(
          new StartConfigurationSessionCommand({
            ApplicationIdentifier: app,
            EnvironmentIdentifier: env,
            ConfigurationProfileIdentifier: profile,
          }),
        ),
      );
    const app = await start('nope', 'prod', 'settings');
    expect(app).toBeInstanceOf(ResourceNotFoundException);
    expect(app).toMatchObject({ ResourceType: 'Application', $metadata: { httpStatusCode: 404 } });
    expect(await start('shop', 'nope', 'settings')).toMatchObject({ ResourceType: 'Environment' });
    expect(await start('shop', ids.env, 'nope')).toMatchObject({ ResourceType: 'ConfigurationProfile' });
    const undeployed = await failure(latest(client, await session(client, 'flags')));
    expect(undeployed).toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'Deployment' });
    const interval = await failure(session(client, 'settings', 5));
    expect(interval).toBeInstanceOf(BadRequestException);
    expect((interval as Error).message).toMatch(/greater than or equal to 15/);
  });

  it('answers a feature flag profile in the values form', async () => {
    plane.setFlag('shop', 'prod', 'flags', 'checkout', true, { limit: 5, theme: 'dark' });
    plane.setFlag('shop', 'prod', ids.flags, 'beta', false, { cohort: 'a' });
    const client = sdk();
    const out = await latest(client, await session(client, 'flags'));
    expect(out.ContentType).toBe('application/json');
    expect(JSON.parse(text(out))).toEqual({
      checkout: { enabled: true, limit: 5, theme: 'dark' },
      beta: { enabled: false },
    });
    const stored = {
      version: '1',
      flags: { a: { name: 'A' } },
      values: { a: { enabled: true, attributeValues: { x: 1 } } },
    };
    plane.deploy('shop', 'prod', 'flags', JSON.stringify(stored));
    now += 60_000;
    expect(JSON.parse(text(await latest(client, out.NextPollConfigurationToken ?? '')))).toEqual({
      a: { enabled: true, x: 1 },
    });
    expect(() => plane.deploy('shop', 'prod', 'flags', '{"flags":{}}')).toThrow(/version/);
  });

  it('throttles and fails the next calls when told, and refuses unsigned or wrongly scoped requests', async () => {
    const client = sdk();
    plane.throttle();
    expect(await failure(session(client))).toBeInstanceOf(ThrottlingException);
    plane.fail(1);
    const failed = await failure(session(client));
    expect(failed).toBeInstanceOf(InternalServerException);
    expect(failed).toMatchObject({ $metadata: { httpStatusCode: 500 } });
    expect(await session(client)).toBeTruthy();
    expect(plane.calls.map((c) => c.error)).toEqual(['ThrottlingException', 'InternalServerException', undefined]);
    const unsigned = await fetch(`${plane.endpoint}/configurationsessions`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    const ssm = new AwsClient({ accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1', service: 'ssm' });
    const scoped = await ssm.fetch(`${plane.endpoint}/configuration?configuration_token=x`);
    expect(scoped.status).toBe(403);
    expect(await scoped.json()).toEqual({ message: "Credential should be scoped to correct service: 'appconfig'. " });
  });

  it('is seeded and switched over its /_emulator/ control routes', async () => {
    const call = async (method: string, path: string, body?: object) => {
      const res = await fetch(`${plane.endpoint}/_emulator${path}`, {
        method,
        ...(body && { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const app = await call('POST', '/applications', { name: 'demo' });
    expect(app).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^[a-z0-9]{7}$/) } });
    expect((await call('POST', '/applications', { name: 'demo' })).status).toBe(409);
    expect((await call('POST', `/applications/${app.body.id}/environments`, { name: 'dev' })).status).toBe(201);
    await call('POST', '/applications/demo/profiles', { name: 'ff', type: 'AWS.AppConfig.FeatureFlags' });
    await call('POST', '/applications/demo/profiles', { name: 'raw' });
    const raw = await call('POST', '/applications/demo/environments/dev/profiles/raw/deployments', {
      contentBase64: Buffer.from([0, 1, 2]).toString('base64'),
    });
    expect(raw).toEqual({ status: 201, body: { versionNumber: 1 } });
    const flag = await call('PUT', '/applications/demo/environments/dev/profiles/ff/flags/dark', { enabled: true });
    expect(flag).toEqual({ status: 200, body: { versionNumber: 1 } });
    expect((await call('POST', '/applications/nope/environments', { name: 'x' })).status).toBe(404);
    expect(
      (await call('PUT', '/applications/demo/environments/dev/profiles/raw/flags/x', { enabled: true })).status,
    ).toBe(400);
    expect(await call('POST', '/faults', { throttle: 1 })).toEqual({ status: 200, body: { throttle: 1, fail: 0 } });
    const client = sdk();
    const start = () =>
      client.send(
        new StartConfigurationSessionCommand({
          ApplicationIdentifier: 'demo',
          EnvironmentIdentifier: 'dev',
          ConfigurationProfileIdentifier: 'raw',
        }),
      );
    expect(await failure(start())).toBeInstanceOf(ThrottlingException);
    const out = await latest(client, (await start()).InitialConfigurationToken ?? '');
    expect([...(out.Configuration ?? [])]).toEqual([0, 1, 2]);
    expect(out.ContentType).toBe('application/octet-stream');
    expect((await call('GET', '/calls')).body).toEqual({
      calls: [
        { operation: 'StartConfigurationSession', status: 429, error: 'ThrottlingException' },
        { operation: 'StartConfigurationSession', status: 201 },
        { operation: 'GetLatestConfiguration', status: 200 },
      ],
      sessions: 1,
    });
  });

  it('is counted and faulted per operation through the fault proxy', async () => {
    const proxy = await startFaultProxy(plane.endpoint);
    running.push(proxy);
    const client = sdk(proxy.endpoint);
    const token = await session(client);
    proxy.fault = (operation) => (operation === 'GetLatestConfiguration' ? 'throttle' : undefined);
    expect(await failure(latest(client, token))).toBeInstanceOf(ThrottlingException);
    proxy.fault = 'server-error';
    expect(await failure(latest(client, token))).toMatchObject({ name: 'InternalServerError', $fault: 'server' });
    proxy.fault = undefined;
    expect(text(await latest(client, token))).toBe('{"db":"v1"}');
    expect(proxy.calls).toEqual([
      'StartConfigurationSession',
      'GetLatestConfiguration',
      'GetLatestConfiguration',
      'GetLatestConfiguration',
    ]);
  });
});

describe('startAppConfigAgent', () => {
  const get = async (agent: LocalAppConfigAgent, path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${agent.endpoint}${path}`, { headers });
    return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, text: await res.text() };
  };
  const start = async (options: Partial<Parameters<typeof startAppConfigAgent>[0]> = {}) => {
    const agent = await startAppConfigAgent({ backend: plane.endpoint, now: () => now, ...options });
    running.push(agent);
    return agent;
  };
  const SETTINGS = '/applications/shop/environments/prod/configurations/settings';
  const FLAGS = '/applications/shop/environments/prod/configurations/flags';

  it('answers from one session and its cache, with the headers, and the port in env', async () => {
    const agent = await start();
    const [first, concurrent] = await Promise.all([get(agent, SETTINGS), get(agent, SETTINGS)]);
    expect(concurrent.text).toBe(first.text);
    expect(first).toMatchObject({ status: 200, type: 'application/json', text: '{"db":"v1"}' });
    expect(first.headers.get('version-label')).toBe('v1');
    expect(first.headers.get('configuration-version')).toBe('1');
    expect(
      (await get(agent, `/applications/${ids.app}/environments/${ids.env}/configurations/${ids.settings}`)).text,
    ).toBe('{"db":"v1"}');
    await get(agent, SETTINGS);
    expect(agent.upstream).toEqual([
      'StartConfigurationSession',
      'GetLatestConfiguration',
      'StartConfigurationSession',
      'GetLatestConfiguration',
    ]);
    expect(agent.calls.map((c) => c.status)).toEqual([200, 200, 200, 200]);
    expect(agent.env).toEqual({ AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(agent.port) });
  });

  it('refreshes once the poll interval has passed, keeps the cache on an empty answer and on failures', async () => {
    const agent = await start({ pollIntervalMs: 45_000 });
    await get(agent, SETTINGS);
    plane.deploy('shop', 'prod', 'settings', '{"db":"v2"}');
    now += 44_999;
    expect((await get(agent, SETTINGS)).text).toBe('{"db":"v1"}');
    now += 1;
    expect((await get(agent, SETTINGS)).text).toBe('{"db":"v2"}');
    now += 45_000;
    expect((await get(agent, SETTINGS)).text).toBe('{"db":"v2"}'); // an empty answer
    plane.fail(3);
    now += 45_000;
    expect(await get(agent, SETTINGS)).toMatchObject({ status: 200, text: '{"db":"v2"}' });
    expect(agent.upstream.filter((op) => op === 'GetLatestConfiguration')).toHaveLength(6);
    now += 25 * HOUR;
    expect((await get(agent, SETTINGS)).status).toBe(200); // the token expired: a new session
    expect(agent.upstream.slice(-3)).toEqual([
      'GetLatestConfiguration',
      'StartConfigurationSession',
      'GetLatestConfiguration',
    ]);
  });

  it('serves one flag, several flags, and refuses unknown flags and flags of freeform data', async () => {
    plane.setFlag('shop', 'prod', 'flags', 'checkout', true, { limit: 5 });
    plane.setFlag('shop', 'prod', 'flags', 'beta', false);
    const agent = await start();
    expect(JSON.parse((await get(agent, FLAGS)).text)).toEqual({
      checkout: { enabled: true, limit: 5 },
      beta: { enabled: false },
    });
    expect(await get(agent, `${FLAGS}?flag=checkout`)).toMatchObject({
      status: 200,
      type: 'application/json',
      text: '{"enabled":true,"limit":5}',
    });
    expect(JSON.parse((await get(agent, `${FLAGS}?flag=checkout&flag=beta`)).text)).toEqual({
      checkout: { enabled: true, limit: 5 },
      beta: { enabled: false },
    });
    expect((await get(agent, `${FLAGS}?flag=nope`)).status).toBe(404);
    plane.deploy('shop', 'prod', 'settings', 'plain text');
    expect((await get(agent, `${SETTINGS}?flag=x`)).status).toBe(400);
  });

  it('relays upstream errors without a cache: 404, throttling after retries, 502 without a backend', async () => {
    const agent = await start();
    expect(await get(agent, '/applications/shop/environments/prod/configurations/nope')).toMatchObject({
      status: 404,
      text: expect.stringContaining('ResourceNotFoundException'),
    });
    plane.throttle(3);
    expect((await get(agent, SETTINGS)).status).toBe(429);
    plane.throttle(1);
    expect((await get(agent, SETTINGS)).status).toBe(200);
    expect((await get(agent, '/nothing')).status).toBe(404);
    const down = await startAppConfig();
    await down.close();
    const orphan = await start({ backend: down.endpoint });
    expect((await get(orphan, SETTINGS)).status).toBe(502);
  });

  it('prefetches and checks the container agent access token', async () => {
    const agent = await start({ prefetch: [SETTINGS], accessToken: 'secret' });
    expect(agent.upstream).toEqual(['StartConfigurationSession', 'GetLatestConfiguration']);
    expect((await get(agent, SETTINGS)).status).toBe(401);
    expect((await get(agent, SETTINGS, { authorization: 'Bearer secret' })).text).toBe('{"db":"v1"}');
    expect(agent.upstream).toHaveLength(2);
  });
});

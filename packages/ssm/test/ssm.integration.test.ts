/**
 * The SSM provider with the real SDK client against moto (see ../shared/LOCAL-AWS.md), through the
 * fault proxy, which counts the calls that reach the service.
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:net';
import { inspect } from 'node:util';
import {
  LabelParameterVersionCommand,
  PutParameterCommand,
  type PutParameterCommandInput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  AccessDeniedError,
  CHANNELS,
  createResolver,
  InvalidValueError,
  ProviderError,
  type Resolver,
  type ResolverOptions,
  SecretNotFoundError,
  ThrottledError,
  TimeoutError,
} from '@secretref/core';
import { type FaultProxy, jumpingClock, localAwsConfig, MALFORMED_SECRET, startFaultProxy } from '@secretref/local-aws';
import { ssmProvider } from '@secretref/ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ACCOUNT = '123456789012';
const prefix = `/it-${randomUUID().slice(0, 8)}`;
const endpoint = inject('awsEndpoint');
const admin = new SSMClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });
const adminWest = new SSMClient({ ...localAwsConfig(endpoint, 'eu-west-1'), maxAttempts: 1 });
let proxy: FaultProxy;

async function put(input: Omit<PutParameterCommandInput, 'Overwrite'>, client = admin): Promise<void> {
  await client.send(new PutParameterCommand({ Type: 'String', ...input, Overwrite: true }));
}

/** A resolver whose SSM clients go through the proxy, with no SDK retries so faults show at once. */
function resolver(options: ResolverOptions = {}): Resolver {
  return createResolver({
    ...options,
    providers: [ssmProvider({ clientConfig: { ...localAwsConfig(proxy.endpoint), maxAttempts: 1 } })],
  });
}

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint);
  await put({ Name: `${prefix}/db/password`, Value: 'p\u00e4ssw\u00f6rd-\u2603', Type: 'SecureString' });
  await put({ Name: `${prefix}/db/password`, Value: 'rotated', Type: 'SecureString' });
  await admin.send(
    new LabelParameterVersionCommand({ Name: `${prefix}/db/password`, ParameterVersion: 1, Labels: ['previous'] }),
  );
  await put({ Name: `${prefix}/db/user`, Value: 'app' });
  await put({ Name: `${prefix}/hosts`, Value: 'h1,h2,h3', Type: 'StringList' });
  await put({ Name: `${prefix}/json`, Value: '{"host":"db.internal","port":5432}' });
  for (let i = 0; i < 25; i++) await put({ Name: `${prefix}/many/p${i}`, Value: `value-${i}`, Type: 'SecureString' });
  await put({ Name: `${prefix}/west`, Value: 'from eu-west-1' }, adminWest);
});

afterAll(async () => {
  await proxy.close();
});

describe('SecureString, versions, labels', () => {
  it('decrypts SecureStrings, non-ASCII included', async () => {
    const r = resolver();
    expect(await r.resolve(`ssm:${prefix}/db/password:1`)).toBe('p\u00e4ssw\u00f6rd-\u2603');
    expect(await r.resolve(`ssm-secure:${prefix}/db/password`)).toBe('rotated');
  });

  it('resolves the latest, a version and a label of one name asked together, each to its own value', async () => {
    const r = resolver();
    proxy.calls.length = 0;
    const values = await r.resolveAll({
      latest: `ssm:${prefix}/db/password`,
      v1: `ssm:${prefix}/db/password:1`,
      v2: `ssm:${prefix}/db/password:2`,
      label: `ssm:${prefix}/db/password:previous`,
      user: `ssm:${prefix}/db/user`,
    });
    expect(values).toEqual({
      latest: 'rotated',
      v1: 'p\u00e4ssw\u00f6rd-\u2603',
      v2: 'rotated',
      label: 'p\u00e4ssw\u00f6rd-\u2603',
      user: 'app',
    });
    // The label goes in a call of its own: moto does not echo selectors, so it could not be told apart.
    expect(proxy.count('GetParameters')).toBe(2);
  });

  it('CloudFormation forms resolve as-is', async () => {
    const r = resolver();
    expect(await r.resolve(`{{resolve:ssm:${prefix}/db/user}}`)).toBe('app');
    expect(await r.resolve(`{{resolve:ssm-secure:${prefix}/db/password:1}}`)).toBe('p\u00e4ssw\u00f6rd-\u2603');
  });

  it('ssm-secure refuses a parameter that is not a SecureString', async () => {
    await expect(resolver().resolve(`ssm-secure:${prefix}/db/user`)).rejects.toBeInstanceOf(InvalidValueError);
  });

  it('StringList becomes an array with as=list; JSON parameters take fragments', async () => {
    const r = resolver();
    expect(await r.resolve(`ssm:${prefix}/hosts`, { as: 'list' })).toEqual(['h1', 'h2', 'h3']);
    expect(await r.resolve(`ssm:${prefix}/hosts`)).toBe('h1,h2,h3');
    expect(await r.resolve(`ssm:${prefix}/json#port`)).toBe(5432);
  });
});

describe('not found', () => {
  it('a missing name, version or label is SecretNotFoundError; the rest of the batch resolves', async () => {
    const r = resolver();
    proxy.calls.length = 0;
    const results = await Promise.allSettled([
      r.resolve(`ssm:${prefix}/nope`),
      r.resolve(`ssm:${prefix}/db/user:99`),
      r.resolve(`ssm:${prefix}/db/user`),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.any(SecretNotFoundError) });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(SecretNotFoundError) });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'app' });
    expect(proxy.count('GetParameters')).toBe(1);
    await expect(r.resolve(`ssm:${prefix}/db/user:nolabel`)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await r.resolve(`ssm:${prefix}/nope?optional=true`)).toBeUndefined();
  });
});

describe('batching', () => {
  it('25 references make 3 GetParameters calls, all in flight together, each value matched by name', async () => {
    const r = resolver();
    proxy.calls.length = 0;
    proxy.latencyMs = 50;
    let concurrent = 0;
    let maxConcurrent = 0;
    const fault = proxy.fault;
    proxy.fault = () => {
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      setTimeout(() => concurrent--, 50);
      return undefined;
    };
    try {
      const refs = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${i}`, `ssm:${prefix}/many/p${i}`]));
      const values = await r.resolveAll(refs);
      expect(values).toEqual(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${i}`, `value-${i}`])));
    } finally {
      proxy.latencyMs = 0;
      proxy.fault = fault;
    }
    expect(proxy.calls).toEqual(['GetParameters', 'GetParameters', 'GetParameters']);
    expect(maxConcurrent).toBe(3);
  });
});

describe('paths', () => {
  it('returns every parameter under a path, recursively, paged, keyed relative to the path', async () => {
    const r = resolver();
    proxy.calls.length = 0;
    const many = await r.resolve<Record<string, string>>(`ssm:${prefix}/many/`);
    expect(Object.keys(many)).toHaveLength(25);
    expect(many.p7).toBe('value-7');
    expect(proxy.count('GetParametersByPath')).toBeGreaterThanOrEqual(3);
    const all = await r.resolve<Record<string, string>>(`ssm:${prefix}/`);
    expect(all['db/password']).toBe('rotated');
    expect(all['db/user']).toBe('app');
    expect(await r.resolve(`ssm:${prefix}/db/#password`)).toBe('rotated');
  });

  it('an empty path is not found', async () => {
    await expect(resolver().resolve(`ssm:${prefix}/empty/`)).rejects.toBeInstanceOf(SecretNotFoundError);
  });
});

describe('ARNs and regions', () => {
  const arn = (region: string, name: string) => `arn:aws:ssm:${region}:${ACCOUNT}:parameter${name}`;

  it('resolves bare and ssm: ARNs, with selectors, in the region the ARN names', async () => {
    const r = resolver();
    expect(await r.resolve(arn('us-east-1', `${prefix}/db/user`))).toBe('app');
    expect(await r.resolve(`ssm:${arn('us-east-1', `${prefix}/db/password`)}:1`)).toBe('p\u00e4ssw\u00f6rd-\u2603');
    expect(await r.resolve(arn('eu-west-1', `${prefix}/west`))).toBe('from eu-west-1');
    await expect(r.resolve(arn('us-east-1', `${prefix}/west`))).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it('?region= picks the region; one client per region', async () => {
    const regions: (string | undefined)[] = [];
    const r = createResolver({
      providers: [
        ssmProvider({
          clientFor: (region) => {
            regions.push(region);
            return new SSMClient({ ...localAwsConfig(endpoint), ...(region ? { region } : {}), maxAttempts: 1 });
          },
        }),
      ],
    });
    expect(regions).toEqual([]); // no client before the first fetch
    expect(await r.resolve(`ssm:${prefix}/west?region=eu-west-1`)).toBe('from eu-west-1');
    expect(await r.resolve(`ssm:${prefix}/db/user`)).toBe('app');
    expect(await r.resolve(`ssm:${prefix}/db/user?region=eu-west-1`).catch((e: unknown) => e)).toBeInstanceOf(
      SecretNotFoundError,
    );
    await r.resolve(`ssm:${prefix}/hosts`);
    expect(regions).toEqual(['eu-west-1', undefined]);
  });
});

describe('one parameter spelled two ways', () => {
  const arn = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter${prefix}/db/password`;

  it.each([
    [`${arn}`, `ssm:${prefix}/db/password:1?region=us-east-1`],
    [`${arn}:previous`, `ssm:${prefix}/db/password?region=us-east-1`],
    [`${arn}:1`, `ssm:${prefix}/db/password?region=us-east-1`],
  ])('%s and %s asked together each get their own value', async (x, y) => {
    const together = await resolver().resolveAll({ x, y });
    const alone = { x: await resolver().resolve(x), y: await resolver().resolve(y) };
    expect(together).toEqual(alone);
    expect(alone.x).not.toBe(alone.y);
  });

  it('ssm: and ssm-secure: of one parameter are cached apart: the type check is never skipped', async () => {
    const r = resolver();
    expect(await r.resolve(`ssm:${prefix}/db/user`)).toBe('app');
    await expect(r.resolve(`ssm-secure:${prefix}/db/user`)).rejects.toBeInstanceOf(InvalidValueError);
  });
});

describe('the SDK configuration chain', () => {
  it('honours AWS_ENDPOINT_URL and AWS_REGION when no client or config is given', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      proxy.calls.length = 0;
      const r = createResolver({ providers: [ssmProvider()] });
      const events: { region?: string }[] = [];
      const listener = (event: unknown) => events.push(event as { region?: string });
      subscribe(CHANNELS.fetch, listener);
      try {
        expect(await r.resolve(`ssm:${prefix}/west`)).toBe('from eu-west-1');
      } finally {
        unsubscribe(CHANNELS.fetch, listener);
      }
      expect(proxy.count('GetParameters')).toBe(1);
      // The fetch event names the region the SDK chain chose.
      expect(events.map((e) => e.region)).toEqual(['eu-west-1']);
    } finally {
      process.env = saved;
    }
  });

  it('uses an injected client for references without a region', async () => {
    proxy.calls.length = 0;
    const client = new SSMClient({ ...localAwsConfig(proxy.endpoint), maxAttempts: 1 });
    const r = createResolver({ providers: [ssmProvider({ client })] });
    expect(await r.resolve(`ssm:${prefix}/db/user`)).toBe('app');
    expect(proxy.count()).toBe(1);
    r.dispose();
    // The caller's client is not destroyed by dispose.
    expect(await client.config.region()).toBe('us-east-1');
  });
});

describe('faults through the proxy', () => {
  it('throttling becomes ThrottledError; a last good value is served through it', async () => {
    const clock = jumpingClock();
    const r = resolver({ clock, ttlMs: 1000 });
    expect(await r.resolve(`ssm:${prefix}/db/user`)).toBe('app');
    proxy.fault = 'throttle';
    try {
      clock.jump(1000);
      expect(await r.resolve(`ssm:${prefix}/db/user`)).toBe('app');
      expect(r.stats().staleServed).toBe(1);
      await expect(r.resolve(`ssm:${prefix}/hosts`)).rejects.toBeInstanceOf(ThrottledError);
    } finally {
      proxy.fault = undefined;
    }
  });

  it.each([
    ['server-error', ProviderError, true],
    ['unavailable', ProviderError, true],
    ['reset', ProviderError, true],
    ['malformed', ProviderError, true],
  ] as const)('%s becomes a transient %o that carries nothing of the response body', async (fault, type, transient) => {
    proxy.fault = fault;
    try {
      const error = await resolver()
        .resolve(`ssm:${prefix}/db/user`)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as ProviderError).transient).toBe(transient);
      // The malformed body holds a value (see the fault proxy); nothing observable may repeat it.
      for (let e: unknown = error; e; e = (e as Error).cause) {
        const seen = [inspect(e, { showHidden: true, depth: 10 }), JSON.stringify(e), (e as Error).message];
        expect(seen.join('\n')).not.toContain(MALFORMED_SECRET);
      }
    } finally {
      proxy.fault = undefined;
    }
  });

  it('a hang becomes a TimeoutError at the deadline, through the abort signal', async () => {
    proxy.fault = 'hang';
    try {
      const error = await resolver({ timeoutMs: 200 })
        .resolve(`ssm:${prefix}/db/user`)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
    } finally {
      proxy.fault = undefined;
    }
  });
});

describe('answers without the documented shape, off the wire', () => {
  const evil = JSON.stringify({ Parameters: [{ Name: `${prefix}/db/user`, Value: { evil: 1 }, Type: 'String' }] });
  it.each(['{}', '', 'null', '[]', evil])(
    'a 200 with %j: the last good value is served; a cold reference gets a transient error',
    async (body) => {
      const clock = jumpingClock();
      const r = resolver({ clock, ttlMs: 1000, jitter: 0 });
      const name = `ssm:${prefix}/db/user`;
      const path = `ssm:${prefix}/db/`;
      expect(await r.resolve(name)).toBe('app');
      expect(await r.resolve<Record<string, string>>(path)).toMatchObject({ user: 'app' });
      proxy.fault = { status: 200, body };
      try {
        clock.jump(1000);
        expect(await r.resolve(name)).toBe('app');
        expect(await r.resolve<Record<string, string>>(path)).toMatchObject({ user: 'app' });
        expect(r.stats().staleServed).toBe(2);
        // A path answered so is not "no parameters": ?optional=true does not turn it into undefined.
        const cold = await r.resolve(`ssm:${prefix}/many/?optional=true`).catch((e: unknown) => e);
        expect(cold).toBeInstanceOf(ProviderError);
        expect((cold as ProviderError).transient).toBe(true);
      } finally {
        proxy.fault = undefined;
      }
    },
  );

  it('an HTTP 403 with an XML body is access denied: the last good value is dropped, the body not quoted', async () => {
    const clock = jumpingClock();
    const r = resolver({ clock, ttlMs: 1000, jitter: 0 });
    expect(await r.resolve(`ssm:${prefix}/db/user`)).toBe('app');
    proxy.fault = {
      status: 403,
      contentType: 'text/xml',
      body: '<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>S3CR3T-in-xml</Message></Error></Errors></ErrorResponse>',
    };
    try {
      clock.jump(1000);
      const error = await r.resolve(`ssm:${prefix}/db/user`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(r.stats().staleServed).toBe(0);
      expect(r.peek(`ssm:${prefix}/db/user`, { allowStale: true })).toBeUndefined();
      expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain('S3CR3T');
    } finally {
      proxy.fault = undefined;
    }
  });
});

describe('error answers that pass for AWS, through the proxy', () => {
  it.each([
    ['an HTTP 429 with an empty body', { status: 429, body: '', headers: { 'x-amzn-requestid': 'S3CR3T-q7Zk9x' } }],
    [
      'an HTTP 429 with a Message only',
      { status: 429, body: '{"Message":"Rate exceeded"}', headers: { 'x-amzn-requestid': 'S3CR3T-q7Zk9x' } },
    ],
  ])('%s is throttling: the last good value is served; a request id that is no UUID is dropped', async (_, fault) => {
    const clock = jumpingClock();
    const r = resolver({ clock, ttlMs: 1000, jitter: 0 });
    const events: unknown[] = [];
    const listener = (event: unknown) => events.push(event);
    subscribe(CHANNELS.staleServed, listener);
    subscribe(CHANNELS.error, listener);
    expect(await r.resolve(`ssm:${prefix}/db/user`)).toBe('app');
    proxy.fault = fault;
    try {
      clock.jump(1000);
      expect(await r.resolve(`ssm:${prefix}/db/user`)).toBe('app');
      expect(r.stats().staleServed).toBe(1);
      const cold = await r.resolve(`ssm:${prefix}/hosts`).catch((e: unknown) => e);
      expect(cold).toBeInstanceOf(ThrottledError);
      expect(inspect([cold, events], { showHidden: true, depth: 10 })).not.toContain('S3CR3T');
    } finally {
      proxy.fault = undefined;
      unsubscribe(CHANNELS.staleServed, listener);
      unsubscribe(CHANNELS.error, listener);
    }
  });

  it('an HTTP 503 HTML answer with an x-amz-request-id that is no UUID: transient, the id dropped', async () => {
    proxy.fault = {
      status: 503,
      body: '<html>busy</html>',
      contentType: 'text/html',
      headers: { 'x-amz-request-id': 'S3CR3T-q7Zk9x' },
    };
    try {
      const error = await resolver()
        .resolve(`ssm:${prefix}/db/user`)
        .catch((e: unknown) => e);
      expect((error as ProviderError).transient).toBe(true);
      expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain('S3CR3T');
    } finally {
      proxy.fault = undefined;
    }
  });

  it('a letters-only __type is not quoted', async () => {
    proxy.fault = { status: 400, body: '{"__type":"CorrectHorseBatteryStaple","message":"m"}' };
    try {
      const error = await resolver()
        .resolve(`ssm:${prefix}/db/user`)
        .catch((e: unknown) => e);
      expect((error as Error).message).toContain('an error without a recognised name (HTTP 400)');
      expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain('CorrectHorse');
    } finally {
      proxy.fault = undefined;
    }
  });

  it('a 200 with an empty Value: the last good value is served, never replaced by ""', async () => {
    const clock = jumpingClock();
    const r = resolver({ clock, ttlMs: 1000, jitter: 0 });
    const name = `${prefix}/db/user`;
    expect(await r.resolve(`ssm:${name}`)).toBe('app');
    proxy.fault = {
      status: 200,
      body: JSON.stringify({ Parameters: [{ Name: name, Value: '', Type: 'String', Version: 9 }] }),
    };
    try {
      clock.jump(1000);
      expect(await r.resolve(`ssm:${name}`)).toBe('app');
      expect(r.stats().staleServed).toBe(1);
    } finally {
      proxy.fault = undefined;
    }
  });
});

describe('a server that accepts and never answers', () => {
  let server: Server;
  let silent: string;
  let opened = 0;
  let closed = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      opened++;
      // Read (and drop) the request so that the client's close is seen.
      socket.resume();
      socket.on('close', () => closed++);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    silent = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => {
    server.close();
  });

  it('the SDK request is aborted at the deadline: its connection closes', async () => {
    const r = createResolver({
      timeoutMs: 1000,
      providers: [ssmProvider({ clientConfig: { ...localAwsConfig(silent), maxAttempts: 1 } })],
    });
    await expect(r.resolve(`ssm:${prefix}/db/user`)).rejects.toBeInstanceOf(TimeoutError);
    expect(opened).toBe(1);
    await expect.poll(() => closed, { timeout: 2000 }).toBe(1);
  });
});

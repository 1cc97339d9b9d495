/**
 * The agent transport's own fault matrix: AWS's local agent (the emulator of the Parameters and
 * Secrets Lambda Extension and of the Secrets Manager Agent, tools/local-aws/src/agent) in front of
 * moto, through the counting proxy. What the agent serves, what goes direct, and each way the agent
 * can fail to answer: refused, silent, not ready, no route, a token it refuses. docs/providers/transports.md
 * is this file as a table.
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AGENT_FALLBACK_CHANNEL, AGENT_SKIP_MS, AGENT_TIMEOUT_MS, type AgentFallbackEvent } from '@secretref/aws';
import { CHANNELS, createResolver, type Resolver, SecretNotFoundError, ThrottledError } from '@secretref/core';
import { type ManualClock, manualClock } from '@secretref/core/testing';
import { type FaultProxy, type LocalAgent, localAwsConfig, startAgent, startFaultProxy } from '@secretref/local-aws';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { ssmProvider } from '@secretref/ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';

const endpoint = inject('awsEndpoint');
const prefix = `/agent-${randomUUID().slice(0, 8)}`;
const secret = `agent-${randomUUID().slice(0, 8)}`;
const VALUES = { a: 'agent-value-a-91c2', b: 'agent-value-b-4d7e', secret: 'agent-secret-value-5f1a' };
let proxy: FaultProxy;
let agent: LocalAgent | undefined;
let fallbacks: AgentFallbackEvent[];
let via: string[][];
const onFallback = (event: unknown) => fallbacks.push(event as AgentFallbackEvent);
const onFetch = (event: unknown) => via.push([...(event as { via: string[] }).via]);
let clock: ManualClock;

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint);
  const ssm = new SSMClient(localAwsConfig(endpoint));
  await ssm.send(new PutParameterCommand({ Name: `${prefix}/a`, Value: VALUES.a, Type: 'SecureString' }));
  await ssm.send(new PutParameterCommand({ Name: `${prefix}/b`, Value: VALUES.b, Type: 'SecureString' }));
  await new SecretsManagerClient(localAwsConfig(endpoint)).send(
    new CreateSecretCommand({ Name: secret, SecretString: VALUES.secret }),
  );
  subscribe(AGENT_FALLBACK_CHANNEL, onFallback);
  subscribe(CHANNELS.fetch, onFetch);
});

afterAll(async () => {
  unsubscribe(AGENT_FALLBACK_CHANNEL, onFallback);
  unsubscribe(CHANNELS.fetch, onFetch);
  await proxy.close();
});

beforeEach(() => {
  proxy.reset();
  fallbacks = [];
  via = [];
  clock = manualClock();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await agent?.close();
  agent = undefined;
});

/** Starts an emulator in front of the proxy and gives this process its environment. */
async function useAgent(options: Partial<Parameters<typeof startAgent>[0]> = {}): Promise<LocalAgent> {
  agent = await startAgent({ backend: proxy.endpoint, token: 'session-token', ...options });
  for (const [name, value] of Object.entries(agent.env)) vi.stubEnv(name, value);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  return agent;
}

/** A resolver whose providers go through the agent, with the SDK (at the proxy) behind it. */
function resolver(): Resolver {
  const clientConfig = localAwsConfig(proxy.endpoint);
  return createResolver({
    providers: [
      ssmProvider({ transport: 'agent', clientConfig }),
      secretsManagerProvider({ transport: 'agent', clientConfig }),
    ],
    clock,
    retries: 0,
  });
}

const A = `ssm:${prefix}/a`;
const B = `ssm:${prefix}/b`;
const S = `secretsmanager:${secret}`;

/** Runs the clock's timers while `promise` settles (the agent's deadline is on the resolver's clock). */
async function driven<T>(promise: Promise<T>, stepMs = 100): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => {});
  for (let i = 0; i < 200 && !done; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(stepMs);
  }
  return watched;
}

describe('what the agent serves', () => {
  it('parameters and secrets, one GET each (no batch route), and nothing direct', async () => {
    const local = await useAgent();
    const r = resolver();
    expect(await r.resolveAll({ a: A, b: B, s: S })).toEqual({ a: VALUES.a, b: VALUES.b, s: VALUES.secret });
    expect(local.calls.sort()).toEqual(['parameters', 'parameters', 'secrets']);
    // What reached AWS is the agent's own calls.
    expect(proxy.calls.sort()).toEqual(['GetParameter', 'GetParameter', 'GetSecretValue']);
    expect(via.flat()).toEqual(['agent', 'agent']);
    expect(fallbacks).toEqual([]);
  });

  it('is one cache for the host: a second process gets its values with no AWS call', async () => {
    await useAgent();
    await resolver().resolveAll({ a: A, s: S });
    proxy.reset();
    expect(await resolver().resolveAll({ a: A, s: S })).toEqual({ a: VALUES.a, s: VALUES.secret });
    expect(proxy.calls).toEqual([]);
  });

  it('a version and a label go as the extension documents them (version=, label=)', async () => {
    const local = await useAgent();
    const r = resolver();
    expect(await r.resolve(`${A}:1`)).toBe(VALUES.a);
    expect(local.calls).toEqual(['parameters']);
  });
});

describe('what goes direct', () => {
  it('a forced parameter fetch (the extension cannot skip its cache for parameters)', async () => {
    await useAgent();
    const r = resolver();
    await r.resolve(A);
    proxy.reset();
    expect(await r.resolve(A, { forceFetch: true })).toBe(VALUES.a);
    expect(proxy.calls).toEqual(['GetParameters']);
    expect(fallbacks).toEqual([]);
  });

  it('a forced secret fetch asks the Secrets Manager Agent to refresh (refreshNow), and goes direct in Lambda', async () => {
    const client = new SecretsManagerClient(localAwsConfig(endpoint));
    const local = await useAgent({ kind: 'secrets-manager-agent' });
    const r = resolver();
    await r.resolve(S);
    await client.send(new PutSecretValueCommand({ SecretId: secret, SecretString: 'rotated-5f1a' }));
    proxy.reset();
    expect(await r.resolve(S, { forceFetch: true })).toBe('rotated-5f1a');
    expect(local.calls).toEqual(['secrets', 'secrets']);
    expect(proxy.calls).toEqual(['GetSecretValue']); // the agent's refresh
    await local.close();
    const extension = await useAgent();
    const lambda = resolver();
    await lambda.resolve(S);
    proxy.reset();
    expect(await lambda.resolve(S, { forceFetch: true })).toBe('rotated-5f1a');
    expect(extension.calls).toEqual(['secrets']);
    expect(proxy.calls).toEqual(['GetSecretValue']); // direct
    await client.send(new PutSecretValueCommand({ SecretId: secret, SecretString: VALUES.secret }));
  });

  it('a reference in another region than the agent’s', async () => {
    const local = await useAgent();
    const r = resolver();
    await expect(r.resolve(`${A}?region=us-west-2`)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(local.calls).toEqual([]);
    expect(proxy.calls).toEqual(['GetParameters']);
  });

  it('a path (the agent has no route for GetParametersByPath)', async () => {
    const local = await useAgent();
    expect(await resolver().resolve(`ssm:${prefix}/`)).toEqual({ a: VALUES.a, b: VALUES.b });
    expect(local.calls).toEqual([]);
    expect(proxy.calls).toEqual(['GetParametersByPath']);
  });
});

describe('when the agent cannot answer, the call goes direct, with an event', () => {
  it.each<[string, () => Promise<void>, AgentFallbackEvent['reason']]>([
    [
      'refused (nothing listens: the agent is not installed)',
      async () => {
        const local = await useAgent();
        await local.close();
      },
      'refused',
    ],
    [
      'not ready (the extension during Lambda INIT: 400 "not ready to serve traffic")',
      async () => {
        (await useAgent()).notReady = true;
      },
      'not-ready',
    ],
    [
      'a token it refuses (401)',
      async () => {
        await useAgent();
        vi.stubEnv('AWS_SESSION_TOKEN', 'another-token');
      },
      'token',
    ],
    [
      'no route for the service (the Secrets Manager Agent serves no parameters: 404)',
      async () => {
        await useAgent({ kind: 'secrets-manager-agent' });
      },
      'no-route',
    ],
  ])('%s', async (_, arrange, reason) => {
    await arrange();
    const r = resolver();
    expect(await r.resolve(A)).toBe(VALUES.a);
    expect(fallbacks).toEqual([{ service: 'ssm', reason, direct: 'sdk', skipping: false }]);
    expect(proxy.calls.filter((c) => c === 'GetParameters')).toEqual(['GetParameters']);
    expect(via.flat()).toEqual(['sdk']);
  });

  it('a token file the agent refuses is read again on the next call (an agent that restarted wrote a new one)', async () => {
    const file = join(tmpdir(), `awssmatoken-${randomUUID()}`);
    writeFileSync(file, 'old-token\n');
    const local = await useAgent({ kind: 'secrets-manager-agent', token: 'new-token' });
    vi.stubEnv('AWS_TOKEN', `file://${file}`);
    const r = resolver();
    expect(await r.resolve(S)).toBe(VALUES.secret);
    expect(fallbacks.map((e) => e.reason)).toEqual(['token']);
    writeFileSync(file, 'new-token\n');
    r.invalidate();
    expect(await r.resolve(S)).toBe(VALUES.secret);
    expect(local.calls).toEqual(['secrets']);
    expect(fallbacks).toHaveLength(1);
  });

  describe('silent past its deadline', () => {
    let silent: Server;
    beforeEach(async () => {
      silent = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      vi.stubEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', String((silent.address() as { port: number }).port));
      vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
      vi.stubEnv('AWS_REGION', 'us-east-1');
    });
    afterEach(() => {
      silent.closeAllConnections();
      silent.close();
    });

    it(`after ${AGENT_TIMEOUT_MS} ms on the resolver's clock`, async () => {
      expect(await driven(resolver().resolve(A))).toBe(VALUES.a);
      expect(fallbacks.map((e) => e.reason)).toEqual(['timeout']);
    });
  });

  it(`after 3 such failures in a row the agent is skipped for ${AGENT_SKIP_MS / 1000} s`, async () => {
    const local = await useAgent({ kind: 'secrets-manager-agent' });
    const r = resolver();
    for (const ref of [A, B, `${A}:1`]) await r.resolve(ref);
    expect(fallbacks.map((e) => [e.reason, e.skipping])).toEqual([
      ['no-route', false],
      ['no-route', false],
      ['no-route', true],
    ]);
    await r.resolve(`${B}:1`);
    expect(fallbacks.at(-1)).toMatchObject({ reason: 'skipped', skipping: true });
    // Secrets are still read through the agent: the skip is the service's.
    expect(await r.resolve(S)).toBe(VALUES.secret);
    expect(local.calls).toEqual(['secrets']);
    clock.advance(AGENT_SKIP_MS);
    r.invalidate();
    await r.resolve(A);
    expect(fallbacks.at(-1)).toMatchObject({ reason: 'no-route', skipping: false });
  });
});

describe('a batch the agent answers in part', () => {
  it('sends only what the agent did not answer direct, in one call, and joins the answers', async () => {
    const local = await useAgent();
    const r = resolver();
    const missing = `ssm:${prefix}/never-part`;
    const results = await Promise.allSettled([r.resolve(A), r.resolve(B), r.resolve(missing)]);
    expect(results.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).name))).toEqual([
      VALUES.a,
      VALUES.b,
      'SecretNotFoundError',
    ]);
    expect(local.calls).toEqual(['parameters', 'parameters', 'parameters']);
    // The agent's own calls, then one direct GetParameters for the name it could not answer.
    expect(proxy.calls.filter((c) => c === 'GetParameters')).toEqual(['GetParameters']);
    expect(via.flat()).toEqual(['sdk', 'agent']);
    expect(fallbacks.map((e) => e.reason)).toEqual(['unreadable']);
  });
});

describe('load', () => {
  it('at most 32 calls are open to the agent at once; the rest wait their turn', async () => {
    let open = 0;
    let peak = 0;
    let held: (() => void)[] = [];
    let received = 0;
    // Holds the GETs until all 40 came (the limit broken) or, 32 being open, no more came for 100 ms
    // (the limit held: the others wait for a slot). The wait decides nothing in the second case.
    const crowded = createServer((req, res) => {
      open++;
      received++;
      peak = Math.max(peak, open);
      const name = new URL(req.url ?? '/', 'http://x').searchParams.get('name');
      held.push(() => {
        open--;
        res.end(
          JSON.stringify({ Parameter: { Name: name, Value: `value of ${name}`, Type: 'SecureString', Version: 1 } }),
        );
      });
      const release = () => {
        const answers = held;
        held = [];
        for (const answer of answers) answer();
      };
      if (received === 40) release();
      else if (held.length === 32) setTimeout(() => held.length === 32 && release(), 100);
    });
    await new Promise<void>((resolve) => crowded.listen(0, '127.0.0.1', resolve));
    try {
      vi.stubEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', String((crowded.address() as { port: number }).port));
      vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
      vi.stubEnv('AWS_REGION', 'us-east-1');
      const names = Array.from({ length: 40 }, (_, i) => `/crowd/p${i}`);
      const values = await resolver().resolveAll(Object.fromEntries(names.map((n, i) => [`k${i}`, `ssm:${n}`])));
      expect(Object.values(values)).toEqual(names.map((n) => `value of ${n}`));
      expect(peak).toBe(32);
      expect(fallbacks).toEqual([]);
    } finally {
      crowded.closeAllConnections();
      crowded.close();
    }
  });
});

describe('an answer of the agent is an answer', () => {
  it('an AWS error it relays with its code (the Secrets Manager Agent): no direct call', async () => {
    const local = await useAgent({ kind: 'secrets-manager-agent' });
    await expect(resolver().resolve(`secretsmanager:${secret}-never`)).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(local.calls).toEqual(['secrets']);
    expect(proxy.calls).toEqual(['GetSecretValue']); // the agent's own
    expect(fallbacks).toEqual([]);
  });

  it('the extension says only "an unexpected error occurred": the call goes direct for the typed error, not counted as the agent failing', async () => {
    await useAgent();
    const r = resolver();
    for (let i = 0; i < 4; i++) {
      await expect(r.resolve(`ssm:${prefix}/never-${i}`)).rejects.toBeInstanceOf(SecretNotFoundError);
    }
    expect(fallbacks.map((e) => [e.reason, e.skipping])).toEqual(Array(4).fill(['unreadable', false]));
  });

  it('AWS throttling behind the agent: the same typed error as direct', async () => {
    await useAgent();
    proxy.fault = 'throttle';
    await expect(resolver().resolve(A)).rejects.toBeInstanceOf(ThrottledError);
  });
});

/**
 * Branches moto cannot produce, with the SDK client stubbed (aws-sdk-client-mock): AWS's own error
 * codes, echoed selectors, results in any order. Answers off the wire (error bodies, bodies without the
 * documented shape) go through the SDK's own deserializer, with an in-process transport.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterNotFound,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import {
  AccessDeniedError,
  CHANNELS,
  createResolver,
  DecryptionError,
  InvalidValueError,
  ProviderError,
  type Resolver,
  SecretNotFoundError,
  ThrottledError,
} from '@secretref/core';
import { type ManualClock, manualClock } from '@secretref/core/testing';
import { ssmProvider } from '@secretref/ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { observable } from '../../core/test/helpers.ts';

const client = new SSMClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
const ssm = mockClient(client);
const resolver = () => createResolver({ providers: [ssmProvider({ client })], retryBaseMs: 0, retries: 0 });

function awsError(name: string, status = 400): SSMServiceException {
  return new SSMServiceException({
    name,
    message: `${name} message`,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

beforeEach(() => {
  ssm.reset();
});

describe('error mapping', () => {
  it.each([
    ['ThrottlingException', ThrottledError, true],
    ['AccessDeniedException', AccessDeniedError, false],
    ['InvalidKeyId', DecryptionError, false],
    ['InternalServerError', ProviderError, true],
  ] as const)('a batch failing with %s fails each reference with %o', async (name, type, transient) => {
    ssm.on(GetParametersCommand).rejects(awsError(name, name === 'InternalServerError' ? 500 : 400));
    const r = resolver();
    const results = await Promise.allSettled([r.resolve('ssm:/a'), r.resolve('ssm:/b')]);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    results.forEach((result, i) => {
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(type);
      expect(reason.transient).toBe(transient);
      expect(reason.ref).toBe(['ssm:/a', 'ssm:/b'][i]);
      expect(reason.message).toContain(`GetParameters for "${reason.ref}"`);
    });
  });

  it('AWS ParameterVersionNotFound on a label (moto says ParameterNotFound) is not found too', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterVersionNotFound'));
    ssm
      .on(GetParametersCommand)
      .resolves({ Parameters: [], InvalidParameters: ['arn:aws:ssm:us-east-1:123456789012:parameter/a:prod'] });
    await expect(resolver().resolve('ssm:arn:aws:ssm:us-east-1:123456789012:parameter/a:prod')).rejects.toBeInstanceOf(
      SecretNotFoundError,
    );
  });

  it('a path read that is denied is denied, not empty', async () => {
    ssm.on(GetParametersByPathCommand).rejects(awsError('AccessDeniedException'));
    await expect(resolver().resolve('ssm:/app/')).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('a GetParameter not-found exception for an ARN is SecretNotFoundError', async () => {
    ssm.on(GetParametersCommand).resolves({ InvalidParameters: ['arn:aws:ssm:us-east-1:123456789012:parameter/a'] });
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: 'not found', $metadata: { httpStatusCode: 400 } }));
    await expect(resolver().resolve('arn:aws:ssm:us-east-1:123456789012:parameter/a')).rejects.toBeInstanceOf(
      SecretNotFoundError,
    );
  });
});

describe('matching results to requests', () => {
  it('matches by name and version whatever the order, never by position', async () => {
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: '/c', Value: 'C', Version: 1, Type: 'String' },
        { Name: '/a', Value: 'A-v1', Version: 1, Type: 'String' },
        { Name: '/b', Value: 'B', Version: 4, Type: 'String' },
        { Name: '/a', Value: 'A-v2', Version: 2, Type: 'String' },
      ],
    });
    const values = await resolver().resolveAll({ a1: 'ssm:/a:1', b: 'ssm:/b', a: 'ssm:/a', c: 'ssm:/c' });
    expect(values).toEqual({ a1: 'A-v1', b: 'B', a: 'A-v2', c: 'C' });
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParametersCommand)[0]?.args[0].input).toEqual({
      Names: ['/a:1', '/b', '/a', '/c'],
      WithDecryption: true,
    });
  });

  it('uses the Selector AWS echoes for labels', async () => {
    ssm
      .on(GetParametersCommand, { Names: ['/a:prod'] })
      .resolves({ Parameters: [{ Name: '/a', Value: 'prod-value', Version: 3, Selector: ':prod', Type: 'String' }] });
    ssm.on(GetParametersCommand, { Names: ['/a:canary'] }).resolves({
      Parameters: [{ Name: '/a', Value: 'canary-value', Version: 5, Selector: ':canary', Type: 'String' }],
    });
    const values = await resolver().resolveAll({ prod: 'ssm:/a:prod', canary: 'ssm:/a:canary' });
    expect(values).toEqual({ prod: 'prod-value', canary: 'canary-value' });
  });

  it('a name SSM neither returns nor lists as invalid is a provider error, not a wrong value', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/other', Value: 'x', Version: 1 }] });
    await expect(resolver().resolve('ssm:/a')).rejects.toBeInstanceOf(ProviderError);
  });

  it('always asks with decryption', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/p/x', Value: '1' }] });
    await resolver().resolve('ssm:/p/');
    expect(ssm.commandCalls(GetParametersByPathCommand)[0]?.args[0].input).toMatchObject({
      Path: '/p/',
      Recursive: true,
      WithDecryption: true,
    });
  });
});

describe('paths', () => {
  it('follows NextToken across an empty page until it is absent', async () => {
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [{ Name: '/p/a', Value: '1' }], NextToken: 't1' })
      .resolvesOnce({ Parameters: [], NextToken: 't2' })
      .resolvesOnce({ Parameters: [{ Name: '/p/b/c', Value: '2' }] });
    expect(await resolver().resolve('ssm:/p/')).toEqual({ a: '1', 'b/c': '2' });
    const tokens = ssm.commandCalls(GetParametersByPathCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 't1', 't2']);
  });
});

describe('clients', () => {
  it('creates no client until the first fetch, then one per region', async () => {
    const made: (string | undefined)[] = [];
    const r = createResolver({
      providers: [
        ssmProvider({
          clientFor: (region) => {
            made.push(region);
            return client;
          },
        }),
      ],
    });
    r.parse('ssm:/a?region=eu-west-1');
    expect(made).toEqual([]);
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/a', Value: 'v', Version: 1 }] });
    await r.resolve('ssm:/a');
    await r.resolve('ssm:/a?region=eu-west-1');
    expect(made).toEqual([undefined, 'eu-west-1']);
  });
});

// --- Answers off the wire, through the SDK's own deserializer ---------------------------------------

interface WireAnswer {
  readonly status?: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** A resolver over an SSM client whose transport answers in-process; the SDK deserializes the answer. */
function wire(respond: (operation: string, input: Record<string, unknown>) => WireAnswer): {
  resolver: Resolver;
  clock: ManualClock;
  operations: string[];
} {
  const operations: string[] = [];
  const requestHandler = {
    async handle(request: { headers: Record<string, string>; body?: unknown }) {
      const operation = String(request.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
      const { body } = request;
      const text = typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : '';
      operations.push(operation);
      const answer = respond(operation, JSON.parse(text || '{}') as Record<string, unknown>);
      return {
        response: {
          statusCode: answer.status ?? 200,
          headers: { 'content-type': 'application/x-amz-json-1.1', ...answer.headers },
          body: Buffer.from(answer.body),
        },
      };
    },
  };
  const wired = new SSMClient({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
    requestHandler: requestHandler as never,
  });
  const clock = manualClock();
  const resolver = createResolver({
    providers: [ssmProvider({ client: wired })],
    clock,
    ttlMs: 1000,
    jitter: 0,
    retryBaseMs: 0,
    retries: 0,
  });
  return { resolver, clock, operations };
}

const GOOD = JSON.stringify({
  Parameters: [{ Name: '/a', Value: 'good-value', Type: 'String', Version: 1 }],
  InvalidParameters: [],
});

/**
 * What `pending` settles with once its turn came: after a throttle, SSM's governor holds calls back
 * (at most 4 s at 0.5 calls/s; the clock is the test's).
 */
async function afterItsTurn(clock: ManualClock, pending: Promise<unknown>): Promise<unknown> {
  const settled = pending.catch((e: unknown) => e);
  await clock.advanceAsync(5000);
  return settled;
}

/** Answers GetParameters with GOOD the first time, then with `then` (for a name) or GOOD. */
function goodThen(then: WireAnswer): (operation: string) => WireAnswer {
  let first = true;
  return () => {
    if (first) {
      first = false;
      return { body: GOOD };
    }
    return then;
  };
}

const events: unknown[] = [];
const listener = (event: unknown) => events.push(event);
beforeEach(() => {
  events.length = 0;
  subscribe(CHANNELS.error, listener);
  subscribe(CHANNELS.staleServed, listener);
});
afterEach(() => {
  unsubscribe(CHANNELS.error, listener);
  unsubscribe(CHANNELS.staleServed, listener);
});

describe('AWS error bodies never reach an error, its cause or an event', () => {
  const THROTTLED: WireAnswer = {
    status: 400,
    body: JSON.stringify({
      __type: 'ThrottlingException',
      message: 'Rate exceeded S3CR3T-in-message',
      Value: 'S3CR3T-q7Zk9x-value',
    }),
    headers: { 'x-amzn-requestid': 'd1f0e3a2-0000-4000-8000-000000000001' },
  };

  it('a 400 ThrottlingException whose body holds a value: served stale; nothing of the body anywhere', async () => {
    const { resolver, clock } = wire(goodThen(THROTTLED));
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    clock.advance(1000);
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    const error = await afterItsTurn(clock, resolver.resolve('ssm:/b'));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(events).toHaveLength(2); // stale-served for /a, error for /b
    const seen = observable(error) + observable(events);
    expect(seen).not.toContain('S3CR3T');
    // What is kept: the name, the fault, the status, the request id.
    expect((error as Error).cause).toMatchObject({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'd1f0e3a2-0000-4000-8000-000000000001', attempts: 1 },
    });
  });

  it.each([
    ['a __type that looks like a name', { status: 400, body: '{"__type":"S3CR3T-q7Zk9x-type","message":"m"}' }],
    ['a namespaced __type', { status: 400, body: '{"__type":"com.amazonaws.ssm#S3CR3Tq7Zk9x","message":"m"}' }],
    [
      'an x-amzn-errortype header',
      { status: 400, body: '{}', headers: { 'x-amzn-errortype': 'S3CR3T-q7Zk9x-type:http://internal.example/' } },
    ],
  ])('%s is not quoted: "an error without a recognised name"', async (_, answer) => {
    const { resolver } = wire(() => answer);
    const error = await resolver.resolve('ssm:/a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toBe(
      '[secretref] [ssm] GetParameters for "ssm:/a" failed: an error without a recognised name (HTTP 400)',
    );
    expect(observable(error) + observable(events)).not.toContain('S3CR3T');
  });

  it("AccessDeniedException: the action from AWS's wording, nothing else of its message (user, resource ARN)", async () => {
    const arn = 'arn:aws:ssm:us-east-1:123456789012:parameter/S3CR3T-q7Zk9x';
    const { resolver } = wire(() => ({
      status: 400,
      body: JSON.stringify({
        __type: 'AccessDeniedException',
        message: `User: arn:aws:iam::123456789012:user/S3CR3T is not authorized to perform: ssm:GetParameters on resource: ${arn} because no identity-based policy allows the ssm:GetParameters action`,
      }),
    }));
    const error = await resolver.resolve('ssm:/a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as Error).message).toContain('the caller may not ssm:GetParameters (see');
    expect(observable(error) + observable(events)).not.toContain('S3CR3T');
    expect(observable(error)).not.toContain(arn);
  });

  it('an HTTP 403 with an XML body (what moto and IAM send) is access denied: the last good value is dropped', async () => {
    const { resolver, clock } = wire(
      goodThen({
        status: 403,
        body: '<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>S3CR3T</Message></Error></Errors></ErrorResponse>',
        headers: { 'content-type': 'text/xml' },
      }),
    );
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    clock.advance(1000);
    const error = await resolver.resolve('ssm:/a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).transient).toBe(false);
    expect(resolver.stats().staleServed).toBe(0);
    expect(resolver.peek('ssm:/a', { allowStale: true })).toBeUndefined();
    expect(observable(error)).not.toContain('S3CR3T');
    expect(observable(error)).not.toContain('<ErrorResp');
  });
});

describe('answers without the documented shape are transient: a last good value is served through them', () => {
  it.each([
    ['{}', '{}'],
    ['an empty body', ''],
    ['null', 'null'],
    ['[]', '[]'],
    ['Parameters that is no list', '{"Parameters":{"Name":"/a","Value":"x"}}'],
    ['a parameter that is no object', '{"Parameters":[null,"x"]}'],
    ['a Value that is no string', '{"Parameters":[{"Name":"/a","Value":{"evil":1},"Type":"String","Version":1}]}'],
    ['a parameter without a Value', '{"Parameters":[{"Name":"/a","Type":"String","Version":1}]}'],
  ])('GetParameters answering %s', async (_, body) => {
    const { resolver, clock } = wire(goodThen({ body }));
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    clock.advance(1000);
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    expect(resolver.stats().staleServed).toBe(1);
    const cold = await resolver.resolve('ssm:/b?optional=true').catch((e: unknown) => e);
    expect(cold).toBeInstanceOf(ProviderError);
    expect((cold as ProviderError).transient).toBe(true);
    expect((cold as Error).message).toContain('an answer without');
  });

  it.each([
    ['{}', '{}'],
    ['an empty body', ''],
    ['null', 'null'],
    ['[]', '[]'],
    ['a Value that is no string', '{"Parameters":[{"Name":"/p/x","Value":{"evil":1},"Type":"String"}]}'],
    ['a parameter without a Name', '{"Parameters":[{"Value":"x","Type":"String"}]}'],
  ])('GetParametersByPath answering %s: not "no parameters", and ?optional=true does not hide it', async (_, body) => {
    let first = true;
    const { resolver, clock } = wire(() => {
      if (!first) return { body };
      first = false;
      return { body: JSON.stringify({ Parameters: [{ Name: '/p/x', Value: 'good', Type: 'String' }] }) };
    });
    expect(await resolver.resolve('ssm:/p/')).toEqual({ x: 'good' });
    clock.advance(1000);
    expect(await resolver.resolve('ssm:/p/')).toEqual({ x: 'good' });
    const cold = await resolver.resolve('ssm:/q/?optional=true').catch((e: unknown) => e);
    expect(cold).toBeInstanceOf(ProviderError);
    expect((cold as ProviderError).transient).toBe(true);
    expect((cold as Error).message).toContain('an answer without');
  });

  it('a path answered with an empty Parameters list is not found; ?optional=true is undefined', async () => {
    const { resolver } = wire(() => ({ body: '{"Parameters":[]}' }));
    await expect(resolver.resolve('ssm:/p/')).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await resolver.resolve('ssm:/p/?optional=true')).toBeUndefined();
  });

  it('a name SSM lists in InvalidParameters is not found', async () => {
    const { resolver } = wire(() => ({ body: '{"Parameters":[],"InvalidParameters":["/gone"]}' }));
    await expect(resolver.resolve('ssm:/gone')).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(await resolver.resolve('ssm:/gone?optional=true')).toBeUndefined();
  });

  it.each([
    ['{}', '{}'],
    ['null', 'null'],
    ['a Parameter without a Value', '{"Parameter":{"Name":"/a","Type":"String"}}'],
  ])('GetParameter (an ARN) answering %s', async (_, body) => {
    const arn = 'arn:aws:ssm:us-east-1:123456789012:parameter/a';
    const { resolver } = wire((operation) =>
      operation === 'GetParameters' ? { body: JSON.stringify({ Parameters: [], InvalidParameters: [arn] }) } : { body },
    );
    const error = await resolver.resolve(arn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(true);
    expect((error as Error).message).toContain('an answer without');
  });
});

describe('ssm-secure and the parameter type', () => {
  it.each([
    ['String', 'is a String parameter'],
    ['StringList', 'is a StringList parameter'],
    ['S3CR3T-q7Zk9x-type', 'is a parameter of an unknown parameter type'],
    ['S3CR3Tq7Zk9x', 'is a parameter of an unknown parameter type'],
  ])('a parameter of Type %s', async (type, shown) => {
    const { resolver } = wire(() => ({
      body: JSON.stringify({ Parameters: [{ Name: '/a', Value: 'v', Type: type, Version: 1 }] }),
    }));
    const error = await resolver.resolve('ssm-secure:/a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toContain(shown);
    expect(observable(error)).not.toContain('S3CR3T');
  });
});

describe('a path holding a parameter named __proto__', () => {
  it('is an own key of the value, never its prototype', async () => {
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: '/tree/__proto__', Value: 'proto-value', Type: 'String' },
        { Name: '/tree/a', Value: 'a-value', Type: 'String' },
      ],
    });
    const value = await resolver().resolve<Record<string, string>>('ssm:/tree/');
    expect(Object.keys(value).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('proto-value');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe('throttling without an AWS error name', () => {
  it.each([
    ['an empty body', ''],
    ['{}', '{}'],
    ['a lower-case message', '{"message":"Too Many Requests"}'],
    ['an upper-case Message', '{"Message":"Rate exceeded"}'],
  ])('an HTTP 429 with %s is a ThrottledError: the last good value is served', async (_, body) => {
    const { resolver, clock } = wire(goodThen({ status: 429, body }));
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    clock.advance(1000);
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    expect(resolver.stats().staleServed).toBe(1);
    // A cold key waits its turn behind SSM's governor, then is throttled too.
    const cold = await afterItsTurn(clock, resolver.resolve('ssm:/b'));
    expect(cold).toBeInstanceOf(ThrottledError);
    expect((cold as ThrottledError).transient).toBe(true);
  });

  it.each([
    'ThrottledException',
    'PriorRequestNotComplete',
    'BandwidthLimitExceeded',
    'TransactionInProgressException',
  ])('an HTTP 400 %s is a ThrottledError', async (type) => {
    const { resolver } = wire(() => ({ status: 400, body: JSON.stringify({ __type: type, message: 'm' }) }));
    const error = await resolver.resolve('ssm:/a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toContain(`(${type})`);
  });
});

describe('error answers that look like AWS, and are not', () => {
  it.each([
    [
      'x-amzn-requestid on a 400',
      { status: 400, body: '{"__type":"ThrottlingException"}', headers: { 'x-amzn-requestid': 'S3CR3T-q7Zk9x' } },
    ],
    [
      'x-amz-request-id on a 503 HTML answer',
      {
        status: 503,
        body: '<html>busy</html>',
        headers: { 'x-amz-request-id': 'S3CR3T-q7Zk9x', 'content-type': 'text/html' },
      },
    ],
  ])('a request id that is no UUID (%s) is dropped', async (_, answer) => {
    const { resolver, clock } = wire(goodThen(answer));
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    clock.advance(1000);
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    const error = await afterItsTurn(clock, resolver.resolve('ssm:/b'));
    expect((error as ProviderError).transient).toBe(true);
    expect((error as Error).cause).toMatchObject({ $metadata: { httpStatusCode: answer.status } });
    expect(((error as Error).cause as { $metadata: object }).$metadata).not.toHaveProperty('requestId');
    expect(observable(error) + observable(events)).not.toContain('S3CR3T');
  });

  it.each([400, 500])('a letters-only name no AWS list holds is not quoted (HTTP %s)', async (status) => {
    const { resolver } = wire(() => ({ status, body: '{"__type":"CorrectHorseBatteryStaple","message":"m"}' }));
    const error = await resolver.resolve('ssm:/a').catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `[secretref] [ssm] GetParameters for "ssm:/a" failed: an error without a recognised name (HTTP ${status})`,
    );
    expect((error as ProviderError).transient).toBe(status === 500);
    expect(observable(error) + observable(events)).not.toContain('CorrectHorse');
  });

  it('a letters-only x-amzn-errortype header is not quoted either', async () => {
    const { resolver } = wire(() => ({
      status: 400,
      body: '{}',
      headers: { 'x-amzn-errortype': 'CorrectHorseBatteryStaple:http://internal.example/' },
    }));
    const error = await resolver.resolve('ssm:/a').catch((e: unknown) => e);
    expect(observable(error)).not.toContain('CorrectHorse');
  });

  it('a body field "code":"ECONNRESET" does not make a 400 a network failure', async () => {
    const { resolver, clock } = wire(
      goodThen({ status: 400, body: '{"__type":"ValidationException","message":"m","code":"ECONNRESET"}' }),
    );
    expect(await resolver.resolve('ssm:/a')).toBe('good-value');
    clock.advance(1000);
    const error = await resolver.resolve('ssm:/a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).transient).toBe(false);
    expect((error as Error).message).not.toContain('network');
    expect((error as Error).cause).not.toHaveProperty('code');
  });
});

describe('HTTP 200 answers that are not what SSM sends', () => {
  it.each([
    ['GetParameters', ''],
    ['GetParametersByPath', ''],
  ])(
    '%s with an empty Value (SSM values are at least 1 character): the last good value is served',
    async (operation) => {
      const empty = JSON.stringify({
        Parameters: [{ Name: operation === 'GetParameters' ? '/a' : '/p/x', Value: '', Type: 'String', Version: 2 }],
      });
      let first = true;
      const { resolver, clock } = wire((op) => {
        if (first || op !== operation) {
          first = false;
          return {
            body: JSON.stringify({
              Parameters: [{ Name: op === 'GetParameters' ? '/a' : '/p/x', Value: 'good', Version: 1 }],
            }),
          };
        }
        return { body: empty };
      });
      const ref = operation === 'GetParameters' ? 'ssm:/a' : 'ssm:/p/';
      const good = operation === 'GetParameters' ? 'good' : { x: 'good' };
      expect(await resolver.resolve(ref)).toEqual(good);
      clock.advance(1000);
      expect(await resolver.resolve(ref)).toEqual(good);
      expect(resolver.stats().staleServed).toBe(1);
      const cold = await resolver
        .resolve(operation === 'GetParameters' ? 'ssm:/b' : 'ssm:/q/')
        .catch((e: unknown) => e);
      expect(cold).toBeInstanceOf(ProviderError);
      expect((cold as ProviderError).transient).toBe(true);
      expect((cold as Error).message).toContain('an answer without');
    },
  );

  it('a GetParametersByPath answer holding a parameter outside the path is not taken', async () => {
    let first = true;
    const { resolver, clock } = wire((_, input) => {
      const Parameters = [{ Name: `${input.Path}a`, Value: 'a-value', Type: 'String' }];
      if (!first) Parameters.push({ Name: '/app/pw', Value: 'S3CR3T-other', Type: 'String' });
      first = false;
      return { body: JSON.stringify({ Parameters }) };
    });
    expect(await resolver.resolve('ssm:/tree/')).toEqual({ a: 'a-value' });
    clock.advance(1000);
    expect(await resolver.resolve('ssm:/tree/')).toEqual({ a: 'a-value' });
    expect(resolver.stats().staleServed).toBe(1);
    // Not "no parameters" either: ?optional=true does not hide it.
    const cold = await resolver.resolve('ssm:/other/?optional=true').catch((e: unknown) => e);
    expect(cold).toBeInstanceOf(ProviderError);
    expect((cold as ProviderError).transient).toBe(true);
    expect(observable(cold)).not.toContain('S3CR3T');
  });
});

import {
  AccessDeniedError,
  DecryptionError,
  fromAwsError,
  ProviderError,
  SecretNotFoundError,
  ThrottledError,
  TimeoutError,
} from '@secretref/core';
import { describe, expect, it } from 'vitest';
import { observable } from './helpers.ts';

const names = { notFound: ['ParameterNotFound'], decryption: ['InvalidKeyId'] };
const context = { ref: 'ssm:/a', scheme: 'ssm', operation: 'GetParameters' };

/** An error shaped like an SDK v3 service exception. */
function serviceError(name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client') {
  return Object.assign(new Error(`${name} message`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status, requestId: 'r-1' },
  });
}

describe('fromAwsError', () => {
  it.each([
    [serviceError('ParameterNotFound', 400), SecretNotFoundError, false],
    [serviceError('InvalidKeyId', 400), DecryptionError, false],
    [serviceError('AccessDeniedException', 400), AccessDeniedError, false],
    [serviceError('UnrecognizedClientException', 400), AccessDeniedError, false],
    [serviceError('ThrottlingException', 400), ThrottledError, true],
    [Object.assign(serviceError('SomethingNew', 400), { $retryable: { throttling: true } }), ThrottledError, true],
    [serviceError('InternalServerError', 500), ProviderError, true],
    [serviceError('ServiceUnavailable', 503), ProviderError, true],
    [serviceError('ValidationException', 400), ProviderError, false],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), ProviderError, true],
    [Object.assign(new Error('socket timeout'), { name: 'TimeoutError' }), ProviderError, true],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), TimeoutError, true],
    [Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }), ProviderError, true],
  ])('%s -> %o (transient: %s)', (error, type, transient) => {
    const mapped = fromAwsError(error, names, context);
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.transient).toBe(transient);
    expect(mapped.ref).toBe('ssm:/a');
    expect(mapped.message).toMatch(/^\[secretref\] \[ssm\] GetParameters for "ssm:\/a"/);
  });

  it('keeps none of a service exception in the cause: only its name, fault, status, request id and attempts', () => {
    // What the SDK makes of a 400 {"__type":"ThrottlingException","message":"Rate S3CR3T","Value":"S3CR3T..."}:
    // every field of the body becomes a property, the message too, and $response holds the body.
    const error = Object.assign(serviceError('ThrottlingException', 400), {
      message: 'Rate exceeded for S3CR3T-in-message',
      Value: 'S3CR3T-q7Zk9x-value',
      __type: 'ThrottlingException',
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400, requestId: 'r-1', attempts: 3, totalRetryDelay: 250, cfId: 'S3CR3T-cf' },
    });
    Object.defineProperty(error, '$response', { value: { body: 'S3CR3T-in-body' }, enumerable: false });
    const mapped = fromAwsError(error, names, context);
    expect(mapped).toBeInstanceOf(ThrottledError);
    const cause = mapped.cause as Error & Record<string, unknown>;
    expect(cause).not.toBe(error);
    expect(cause).toBeInstanceOf(Error);
    expect(cause.name).toBe('ThrottlingException');
    expect(Object.getOwnPropertyNames(cause).sort()).toEqual(['$fault', '$metadata', 'message', 'name', 'stack']);
    expect(cause.$fault).toBe('client');
    expect(cause.$metadata).toEqual({ httpStatusCode: 400, requestId: 'r-1', attempts: 3 });
    expect(cause.message).toContain('ThrottlingException (HTTP 400, request id r-1)');
    expect(cause.cause).toBeUndefined();
    expect(observable(mapped)).not.toContain('S3CR3T');
  });

  it('keeps a request id and attempts only when they look like one', () => {
    const error = Object.assign(serviceError('ThrottlingException', 400), {
      $metadata: { httpStatusCode: 400, requestId: 'S3CR3T value {"a":1}', attempts: 'S3CR3T' },
    });
    const mapped = fromAwsError(error, names, context);
    expect((mapped.cause as { $metadata?: unknown }).$metadata).toEqual({ httpStatusCode: 400 });
    expect(observable(mapped)).not.toContain('S3CR3T');
  });

  it.each([
    ['a reset', Object.assign(new Error('read ECONNRESET S3CR3T'), { code: 'ECONNRESET', host: 'S3CR3T.example' })],
    ['an abort', Object.assign(new Error('aborted S3CR3T'), { name: 'AbortError', reason: 'S3CR3T' })],
    ['a socket timeout', Object.assign(new Error('S3CR3T'), { name: 'TimeoutError', detail: 'S3CR3T' })],
  ])('keeps only the name and code of %s', (_, error) => {
    const mapped = fromAwsError(error, names, context);
    expect(mapped.transient).toBe(true);
    const cause = mapped.cause as Error & Record<string, unknown>;
    expect(cause).not.toBe(error);
    expect(cause.name).toBe(error.name);
    expect(cause.code).toBe((error as { code?: unknown }).code);
    expect(observable(mapped)).not.toContain('S3CR3T');
  });

  it('replaces an unreadable response (which may be a secret) by a description, in message and cause', () => {
    const secret = 'SECRET-VALUE-123';
    // What the SDK throws when a 200 body is not JSON: V8 quotes the body in the SyntaxError.
    const syntax = Object.assign(new SyntaxError(`Unexpected token 'S', "${secret}" is not valid JSON`), {
      $responseBodyText: secret,
      $metadata: { httpStatusCode: 200 },
    });
    Object.defineProperty(syntax, '$response', { value: { body: secret }, enumerable: false });
    const mapped = fromAwsError(syntax, names, context);
    expect(mapped).toBeInstanceOf(ProviderError);
    expect(mapped.transient).toBe(true);
    expect(mapped.message).toContain('unreadable response (HTTP 200)');
    expect(observable(mapped)).not.toContain(secret);
    expect(mapped.cause).toMatchObject({ name: 'SyntaxError', $metadata: { httpStatusCode: 200 } });
  });

  it('an unreadable answer with HTTP 403 is access denied, not transient, and its body is not quoted', () => {
    // moto's (and IAM's) denial: an XML body the JSON protocol cannot parse.
    const body = '<ErrorResponse><Error><Code>AccessDenied</Code><Message>S3CR3T</Message></Error></ErrorResponse>';
    const syntax = Object.assign(new SyntaxError(`Unexpected token '<', "${body.slice(0, 10)}"... is not valid JSON`), {
      $metadata: { httpStatusCode: 403, attempts: 1 },
    });
    Object.defineProperty(syntax, '$response', { value: { body }, enumerable: false });
    const mapped = fromAwsError(syntax, names, context);
    expect(mapped).toBeInstanceOf(AccessDeniedError);
    expect(mapped.transient).toBe(false);
    expect(mapped.message).toContain('HTTP 403');
    expect(observable(mapped)).not.toContain('S3CR3T');
    expect(observable(mapped)).not.toContain('<ErrorResp');
  });
});

describe("fromAwsError on access denied: the action and resource, from AWS's standard wording only", () => {
  const denied = (message: string) => Object.assign(serviceError('AccessDeniedException', 400), { message });
  const ARN = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/db';

  it('names the action and the resource ARN', () => {
    const mapped = fromAwsError(
      denied(
        `User: arn:aws:iam::123456789012:user/app is not authorized to perform: ssm:GetParameters on resource: ${ARN} because no identity-based policy allows the ssm:GetParameters action`,
      ),
      names,
      context,
    );
    expect(mapped).toBeInstanceOf(AccessDeniedError);
    expect(mapped.message).toBe(
      `[secretref] [ssm] GetParameters for "ssm:/a": AccessDeniedException; the caller may not ssm:GetParameters on ${ARN} (see the IAM permissions in the docs)`,
    );
    // The rest of AWS's message (the principal, the policy) is not kept anywhere.
    expect(observable(mapped)).not.toContain('user/app');
  });

  it.each([
    ['an action that is no action', `is not authorized to perform: ssm:Get S3CR3T on resource: ${ARN}`],
    ['an action with odd characters', `is not authorized to perform: ssm:S3CR3T{x} on resource: ${ARN}`],
    ['a resource that is no ARN', 'is not authorized to perform: ssm:GetParameters on resource: S3CR3T'],
    ['an ARN with odd characters', `is not authorized to perform: ssm:GetParameters on resource: ${ARN}"S3CR3T"`],
    ['an ARN too long', `is not authorized to perform: ssm:GetParameters on resource: ${ARN}/${'S3CR3T'.repeat(100)}`],
    ['another wording', `S3CR3T may not ssm:GetParameters on ${ARN}`],
  ])('quotes nothing of %s', (_, message) => {
    const mapped = fromAwsError(denied(message), names, context);
    expect(mapped).toBeInstanceOf(AccessDeniedError);
    expect(mapped.message).toBe(
      `[secretref] [ssm] GetParameters for "ssm:/a": AccessDeniedException; the caller's credentials may not read it (see the IAM permissions in the docs)`,
    );
    expect(observable(mapped)).not.toContain('S3CR3T');
  });
});

describe('fromAwsError never quotes an error name that is no identifier', () => {
  const SECRET = 'hunter2 {"password":"p4ss"}';

  it.each([
    ['a service exception', serviceError(SECRET, 400)],
    ['a 5xx', serviceError(`${SECRET}\nInternalError`, 500)],
    ['a throttling flag', Object.assign(serviceError(SECRET, 400), { $retryable: { throttling: true } })],
    ['a name too long', serviceError(`A${'b'.repeat(128)}`, 400)],
    ['a network name with a code of anything', Object.assign(new Error('x'), { name: 'TimeoutError', code: SECRET })],
  ])('%s', (_, error) => {
    const mapped = fromAwsError(error, names, context);
    const seen = observable(mapped);
    expect(seen).not.toContain('hunter2');
    expect(seen).not.toContain('b'.repeat(128));
    expect(mapped.message).not.toContain('p4ss');
  });

  it('says "an error without a recognised name", and keeps the status', () => {
    const mapped = fromAwsError(serviceError(SECRET, 400), names, context);
    expect(mapped).toBeInstanceOf(ProviderError);
    expect(mapped.transient).toBe(false);
    expect(mapped.message).toBe(
      '[secretref] [ssm] GetParameters for "ssm:/a" failed: an error without a recognised name (HTTP 400)',
    );
    const server = fromAwsError(serviceError(SECRET, 503), names, context);
    expect(server.transient).toBe(true);
    expect(server.message).toContain('an error without a recognised name (HTTP 503)');
  });

  // What the SDK makes of `__type` (the part after `#`, before `:`) or an x-amzn-errortype header:
  // a value there looks like an identifier as often as not.
  it.each([
    'S3CR3T-q7Zk9x-type',
    'S3CR3Tq7Zk9x',
    'com.amazonaws.ssm#S3CR3TName',
    'S3CR3T_name',
    'S3CR3T.name',
    'Qz',
    `S${'x'.repeat(64)}`,
  ])('does not quote %s, nor keep it in the cause', (name) => {
    const mapped = fromAwsError(serviceError(name, 400), names, context);
    expect(mapped.message).toBe(
      '[secretref] [ssm] GetParameters for "ssm:/a" failed: an error without a recognised name (HTTP 400)',
    );
    expect(observable(mapped)).not.toContain(name);
    expect(observable(mapped)).not.toContain(name.slice(0, 6) === 'S3CR3T' ? 'S3CR3T' : name);
  });

  it("quotes names of the known sets, the service's own list, and CamelCase letters", () => {
    for (const name of ['ThrottlingException', 'ParameterNotFound', 'InternalServerError', 'SomethingNew']) {
      expect(fromAwsError(serviceError(name, 400), names, context).message).toContain(name);
    }
    const listed = { ...names, known: ['Weird2Name'] };
    expect(fromAwsError(serviceError('Weird2Name', 400), listed, context).message).toContain(
      'failed: Weird2Name (HTTP 400)',
    );
    expect(fromAwsError(serviceError('Weird2Name', 400), names, context).message).not.toContain('Weird2Name');
  });
});

describe('fromAwsError on an error of the SDK itself, before any response', () => {
  it('is not called an unreadable response, keeps only its name as the cause, and is not transient', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'S3CR3T')");
    const mapped = fromAwsError(error, names, context);
    expect(mapped.message).toBe(
      '[secretref] [ssm] GetParameters for "ssm:/a" failed: no response from AWS (TypeError)',
    );
    expect(mapped.cause).not.toBe(error);
    expect(mapped.cause).toMatchObject({ name: 'TypeError' });
    expect(observable(mapped)).not.toContain('S3CR3T');
    expect(mapped.transient).toBe(false);
  });

  it('keeps nothing of a value thrown that is no error', () => {
    const mapped = fromAwsError('S3CR3T thrown as a string', names, context);
    expect(mapped).toBeInstanceOf(ProviderError);
    expect(observable(mapped)).not.toContain('S3CR3T');
  });
});

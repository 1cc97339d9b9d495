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

  it('keeps a service exception, which is the error body AWS wrote, as the cause', () => {
    const error = serviceError('ThrottlingException', 400);
    expect(fromAwsError(error, names, context).cause).toBe(error);
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

  it('says "an error without a valid name", and keeps the status', () => {
    const mapped = fromAwsError(serviceError(SECRET, 400), names, context);
    expect(mapped).toBeInstanceOf(ProviderError);
    expect(mapped.transient).toBe(false);
    expect(mapped.message).toBe(
      '[secretref] [ssm] GetParameters for "ssm:/a" failed: an error without a valid name (HTTP 400)',
    );
    const server = fromAwsError(serviceError(SECRET, 503), names, context);
    expect(server.transient).toBe(true);
    expect(server.message).toContain('an error without a valid name (HTTP 503)');
  });

  it('still quotes plausible names, namespaced ones too', () => {
    const name = 'com.amazonaws.ssm#SomethingNew';
    expect(fromAwsError(serviceError(name, 400), names, context).message).toContain(`failed: ${name} (HTTP 400)`);
  });
});

describe('fromAwsError on an error of the SDK itself, before any response', () => {
  it('is not called an unreadable response, keeps the error as the cause, and is not transient', () => {
    const error = new TypeError('Cannot read properties of undefined');
    const mapped = fromAwsError(error, names, context);
    expect(mapped.message).toBe(
      '[secretref] [ssm] GetParameters for "ssm:/a" failed: no response from AWS (TypeError; see the cause)',
    );
    expect(mapped.cause).toBe(error);
    expect(mapped.transient).toBe(false);
  });
});

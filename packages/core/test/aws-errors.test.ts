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

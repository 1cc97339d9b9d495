import { fromAwsError } from '@secretref/aws';
import {
  AccessDeniedError,
  DecryptionError,
  ProviderError,
  SecretNotFoundError,
  ThrottledError,
  TimeoutError,
} from '@secretref/core';
import { describe, expect, it } from 'vitest';
import { observable } from '../../core/test/helpers.ts';
import { serviceError as fetchServiceError } from '../src/transports/fetch.ts';

const names = {
  notFound: ['ParameterNotFound'],
  decryption: ['InvalidKeyId'],
  actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
};
const context = { ref: 'ssm:/a', scheme: 'ssm', operation: 'GetParameters' };
/** The form of request id SSM, Secrets Manager and KMS send. */
const RID = 'd1f0e3a2-5b6c-4d7e-8f90-a1b2c3d4e5f6';

/** An error shaped like an SDK v3 service exception. */
function serviceError(name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client') {
  return Object.assign(new Error(`${name} message`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status, requestId: RID },
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
    // Node's HTTP parser refused the answer (a header over 16 KB): no HTTP answer, as a reset is.
    [Object.assign(new Error('Parse Error: Header overflow'), { code: 'HPE_HEADER_OVERFLOW' }), ProviderError, true],
    // A 429 is throttling whatever its body says (the SDK calls a 429 without a name "Unknown").
    [serviceError('Unknown', 429), ThrottledError, true],
    [serviceError('UnknownError', 429), ThrottledError, true],
    [serviceError('ValidationException', 429), ThrottledError, true],
    // The SDK's own list of throttling names (@smithy/service-error-classification).
    [serviceError('ThrottledException', 400), ThrottledError, true],
    [serviceError('PriorRequestNotComplete', 400), ThrottledError, true],
    [serviceError('BandwidthLimitExceeded', 400), ThrottledError, true],
    [serviceError('TransactionInProgressException', 400), ThrottledError, true],
    // A quota on resources (documented for writes only): waiting does not lift it.
    [serviceError('LimitExceededException', 400), ProviderError, false],
    // A network code counts only for an error without a response: in a 400 body it is a body field.
    [Object.assign(serviceError('ValidationException', 400), { code: 'ECONNRESET' }), ProviderError, false],
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
      $metadata: { httpStatusCode: 400, requestId: RID, attempts: 3, totalRetryDelay: 250, cfId: 'S3CR3T-cf' },
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
    expect(cause.$metadata).toEqual({ httpStatusCode: 400, requestId: RID, attempts: 3 });
    expect(cause.message).toContain(`ThrottlingException (HTTP 400, request id ${RID})`);
    expect(cause.cause).toBeUndefined();
    expect(observable(mapped)).not.toContain('S3CR3T');
  });

  it.each([
    'S3CR3T value {"a":1}',
    // Letters, digits and dashes, as a header can hold them: still no UUID.
    'S3CR3T-q7Zk9x',
    'S3CR3T00-0000-4000-8000-000000000001',
    `${RID}-S3CR3T`,
  ])('keeps a request id only when it is a UUID, and attempts only when a count (%s)', (requestId) => {
    const error = Object.assign(serviceError('ThrottlingException', 400), {
      $metadata: { httpStatusCode: 400, requestId, attempts: 'S3CR3T' },
    });
    const mapped = fromAwsError(error, names, context);
    expect((mapped.cause as { $metadata?: unknown }).$metadata).toEqual({ httpStatusCode: 400 });
    expect((mapped.cause as Error).message).not.toContain('request id');
    expect(observable(mapped)).not.toContain('S3CR3T');
  });

  it('keeps no network code of an error with a response', () => {
    const mapped = fromAwsError(
      Object.assign(serviceError('ValidationException', 400), { code: 'ECONNRESET' }),
      names,
      context,
    );
    expect(mapped.message).not.toContain('network');
    expect(mapped.cause).not.toHaveProperty('code');
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

describe("fromAwsError on access denied: the action, from AWS's standard wording only; never the resource", () => {
  const denied = (message: string) => Object.assign(serviceError('AccessDeniedException', 400), { message });
  const ARN = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/db';

  it('names the action, not the resource ARN', () => {
    const mapped = fromAwsError(
      denied(
        `User: arn:aws:iam::123456789012:user/app is not authorized to perform: ssm:GetParameters on resource: ${ARN} because no identity-based policy allows the ssm:GetParameters action`,
      ),
      names,
      context,
    );
    expect(mapped).toBeInstanceOf(AccessDeniedError);
    expect(mapped.message).toBe(
      '[secretref] [ssm] GetParameters for "ssm:/a": AccessDeniedException; the caller may not ssm:GetParameters (see the IAM permissions in the docs)',
    );
    // The rest of AWS's message (the principal, the resource, the policy) is not kept anywhere.
    expect(observable(mapped)).not.toContain('user/app');
    expect(observable(mapped)).not.toContain('parameter/app/db');
  });

  it.each([
    ['kms:Decrypt', 'kms:Decrypt'],
    ['sts:AssumeRole', 'sts:AssumeRole'],
  ])('quotes %s, an action of KMS or STS, whatever the service called', (_, action) => {
    const mapped = fromAwsError(
      denied(`User: x is not authorized to perform: ${action} on resource: ${ARN} because no policy`),
      names,
      context,
    );
    expect(mapped.message).toContain(`the caller may not ${action} (see`);
  });

  it.each([
    ['a resource that is no ARN', 'S3CR3T'],
    ['an ARN with odd characters', `${ARN}"S3CR3T"`],
    ['an ARN naming a secret', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:S3CR3T-q7Zk9x'],
    ['an ARN too long', `${ARN}/${'S3CR3T'.repeat(100)}`],
  ])('quotes the action and nothing of %s', (_, resource) => {
    const mapped = fromAwsError(
      denied(`User: x is not authorized to perform: ssm:GetParameters on resource: ${resource} because no policy`),
      names,
      context,
    );
    expect(mapped.message).toContain('the caller may not ssm:GetParameters (see');
    expect(observable(mapped)).not.toContain('S3CR3T');
  });

  it.each([
    ['an action that is no action', `is not authorized to perform: ssm:Get S3CR3T on resource: ${ARN}`],
    ['an action with odd characters', `is not authorized to perform: ssm:S3CR3T{x} on resource: ${ARN}`],
    ['an action of another service', `is not authorized to perform: iam:S3CR3Tname on resource: ${ARN}`],
    // The service called is SSM: only its actions, and KMS's and STS's, are quoted.
    ['an action of a service not called', `is not authorized to perform: secretsmanager:S3CR3Tx on resource: ${ARN}`],
    ['an action in lower case', `is not authorized to perform: ssm:s3cr3tname on resource: ${ARN}`],
    ['an action too long', `is not authorized to perform: ssm:S${'x'.repeat(64)} on resource: ${ARN}`],
    // Letters alone can be a passphrase: only an action the provider calls is quoted.
    [
      'an action of the service that the provider does not call',
      `is not authorized to perform: ssm:CorrectHorseBatteryStaple on resource: ${ARN}`,
    ],
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

  it.each([
    ['CorrectHorseBatteryStaple', 400],
    ['CorrectHorseBatteryStaple', 500],
    ['SomethingNew', 400],
    ['Exception', 400],
    [`S${'x'.repeat(61)}Exception`, 400],
  ])('does not quote letters-only %s (HTTP %s) outside the known lists, nor keep it in the cause', (name, status) => {
    const mapped = fromAwsError(serviceError(name, status), names, context);
    expect(mapped.message).toBe(
      `[secretref] [ssm] GetParameters for "ssm:/a" failed: an error without a recognised name (HTTP ${status})`,
    );
    expect((mapped.cause as Error).name).toBe('AwsError');
    expect(observable(mapped)).not.toContain(name);
  });

  it("quotes names of the known sets, the service's own list, and CamelCase names ending in Exception, Error or Fault", () => {
    for (const name of [
      'ThrottlingException',
      'ParameterNotFound',
      'InternalServerError',
      'InternalFailure',
      'SomethingNewException',
      'SomethingNewError',
      'SomethingNewFault',
    ]) {
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

describe('a certificate Node refuses', () => {
  it.each(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED'])(
    '%s: a set-up error that names the code and NODE_EXTRA_CA_CERTS, not transient',
    (code) => {
      const error = fromAwsError(
        Object.assign(new Error('self signed certificate'), { code }),
        { notFound: [] },
        {
          ref: 'ssm:/a',
          scheme: 'ssm',
          operation: 'GetParameters',
        },
      );
      expect(error.name).toBe('ProviderError');
      expect(error.transient).toBe(false);
      expect(error.message).toContain(code);
      expect(error.message).toContain('NODE_EXTRA_CA_CERTS');
      expect((error.cause as { code?: string }).code).toBe(code);
    },
  );
});

describe('the fetch transport reads an error type as the SDK does', () => {
  it.each([
    ['ResourceNotFoundException', 'ResourceNotFoundException'],
    [
      'ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.appconfigdata/',
      'ResourceNotFoundException',
    ],
    ['com.amazonaws.appconfigdata#ResourceNotFoundException', 'ResourceNotFoundException'],
  ])('x-amzn-errortype %s is %s', (header, name) => {
    const error = fetchServiceError(404, new Headers({ 'x-amzn-errortype': header }), {});
    expect(error.name).toBe(name);
  });

  it('keeps an error field only when its value is one of those listed (an enum, never free text)', () => {
    const kept = { ResourceType: ['Application', 'Environment'] };
    const headers = new Headers({ 'x-amzn-errortype': 'ResourceNotFoundException' });
    expect(fetchServiceError(404, headers, { ResourceType: 'Environment' }, kept)).toHaveProperty(
      'ResourceType',
      'Environment',
    );
    expect(fetchServiceError(404, headers, { ResourceType: 'S3CR3T' }, kept)).not.toHaveProperty('ResourceType');
    expect(fetchServiceError(404, headers, { Other: 'Environment' }, kept)).not.toHaveProperty('Other');
  });
});

/**
 * Set-up mistakes a new user makes, with the real SDK client and no AWS: no region, a region that is
 * no region, an `AWS_ENDPOINT_URL` that is no URL. The SDK fails before sending anything; the error
 * says what is wrong and how to fix it (not "an unreadable response"), and is not transient: a missing
 * region never heals by itself, so no last good value is served through it.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { fromAwsError } from '@secretref/aws';
import { createResolver, ProviderError } from '@secretref/core';
import { ssmProvider } from '@secretref/ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { observable } from '../../core/test/helpers.ts';

// Everything the SDK reads a region or an endpoint from, so that the machine's own settings stay out.
const VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_EC2_METADATA_DISABLED',
];
const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));

beforeEach(() => {
  for (const name of VARIABLES) delete process.env[name];
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const NAMES = { notFound: ['ParameterNotFound'] };
const CONTEXT = { ref: 'ssm:/app/db', scheme: 'ssm', operation: 'GetParameters' };

/** What the real SDK throws for one GetParameters call with the environment as it is. */
async function sdkError(): Promise<unknown> {
  const client = new SSMClient({ maxAttempts: 1 });
  try {
    await client.send(new GetParametersCommand({ Names: ['/app/db'], WithDecryption: true }));
  } catch (error) {
    return error;
  } finally {
    client.destroy();
  }
  throw new Error('the call succeeded');
}

describe('fromAwsError on what the SDK throws before sending', () => {
  it('no region: names AWS_REGION and ?region=, not transient', async () => {
    const error = await sdkError();
    expect((error as Error).message).toBe('Region is missing'); // the SDK's own words, for the record
    const mapped = fromAwsError(error, NAMES, CONTEXT);
    expect(mapped).toBeInstanceOf(ProviderError);
    expect(mapped.transient).toBe(false);
    expect(mapped.message).toMatch(/no AWS region/);
    expect(mapped.message).toContain('AWS_REGION');
    expect(mapped.message).toContain('?region=');
    expect(mapped.message).not.toContain('unreadable');
  });

  it('a region that is no region: says so, not transient', async () => {
    process.env.AWS_REGION = 'us east 1';
    const mapped = fromAwsError(await sdkError(), NAMES, CONTEXT);
    expect(mapped.transient).toBe(false);
    expect(mapped.message).toMatch(/not a valid AWS region/);
    expect(mapped.message).not.toContain('unreadable');
  });

  it.each([
    ['AWS_ENDPOINT_URL', 'not a url'],
    ['AWS_ENDPOINT_URL', 'http://[::1'],
    ['AWS_ENDPOINT_URL_SSM', 'nope'],
  ])('%s=%s: names the variable, without quoting it, not transient', async (variable, value) => {
    process.env.AWS_REGION = 'us-east-1';
    process.env[variable] = value;
    const error = await sdkError();
    expect((error as { code?: unknown }).code).toBe('ERR_INVALID_URL');
    const mapped = fromAwsError(error, NAMES, CONTEXT);
    expect(mapped.transient).toBe(false);
    expect(mapped.message).toContain(`${variable} is not a valid URL`);
    expect(mapped.message).not.toContain(value);
    expect(mapped.message).not.toContain('unreadable');
  });
});

describe('an AWS_ENDPOINT_URL with credentials in it', () => {
  it("is in no message, cause or property (Node keeps the URL as the error's input)", async () => {
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ENDPOINT_URL = 'http://admin:S3CR3T-pw@[::1';
    const error = await sdkError();
    expect((error as { code?: unknown }).code).toBe('ERR_INVALID_URL');
    expect((error as { input?: unknown }).input).toBe(process.env.AWS_ENDPOINT_URL); // what Node keeps
    const mapped = fromAwsError(error, NAMES, CONTEXT);
    expect(mapped.message).toContain('AWS_ENDPOINT_URL is not a valid URL');
    expect(mapped.cause).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_URL' });
    expect(observable(mapped)).not.toContain('S3CR3T');
    expect(observable(mapped)).not.toContain('admin');
  });
});

describe('what a user of the resolver sees', () => {
  it('without a region', async () => {
    const resolver = createResolver({ providers: [ssmProvider({ clientConfig: { maxAttempts: 1 } })] });
    try {
      const error = await resolver.resolve('ssm:/app/db').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).transient).toBe(false);
      expect((error as Error).message).toBe(
        '[secretref] [ssm] GetParameters for "ssm:/app/db" failed: no AWS region is set; set AWS_REGION (or a region in the AWS profile) or add ?region=<region> to the reference',
      );
    } finally {
      resolver.dispose();
    }
  });

  it('with AWS_ENDPOINT_URL=not a url', async () => {
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ENDPOINT_URL = 'not a url';
    const resolver = createResolver({ providers: [ssmProvider({ clientConfig: { maxAttempts: 1 } })] });
    try {
      const error = await resolver.resolve('ssm:/app/db').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).transient).toBe(false);
      expect((error as Error).message).toBe(
        '[secretref] [ssm] GetParameters for "ssm:/app/db" failed: AWS_ENDPOINT_URL is not a valid URL; write it like http://localhost:4566, or unset it',
      );
    } finally {
      resolver.dispose();
    }
  });
});

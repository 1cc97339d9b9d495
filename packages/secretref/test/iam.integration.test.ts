/**
 * A permission revoked while a value is cached, against a moto of its own with IAM enforced
 * (`INITIAL_NO_AUTH_ACTION_COUNT`, see ../shared/LOCAL-AWS.md): moto denies with HTTP 403 and an XML
 * body, which the SDK cannot parse. That denial must be an AccessDeniedError, never a transient
 * failure through which the last good value would be served for `maxStaleMs` (24 h) after the
 * permission was taken away.
 */
import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { jumpingClock, type Moto, startMoto } from '@secretref/local-aws';
import { AccessDeniedError, CHANNELS, createResolver, ssmProvider } from 'secretref';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REGION = 'us-east-1';
const VALUE = 'iam-enforced-value-5e1d';
// The requests moto lets through before it checks credentials: the seeding below, exactly.
const FREE_REQUESTS = 7;

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

let moto: Moto;
let admin: Credentials;
let app: Credentials;

/** `aws iam ...` (the CLI, preinstalled; the project has no IAM client) with these credentials. */
function iam(credentials: Credentials, ...args: string[]): unknown {
  const out = execFileSync(
    'aws',
    ['iam', ...args, '--endpoint-url', moto.endpoint, '--region', REGION, '--output', 'json'],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_DEFAULT_REGION: REGION,
      },
    },
  ).trim();
  return out === '' ? undefined : JSON.parse(out);
}

/** A user with an inline policy allowing `actions`, and an access key of its own (3 requests). */
function user(name: string, actions: string[]): Credentials {
  const seed = { accessKeyId: 'test', secretAccessKey: 'test' };
  iam(seed, 'create-user', '--user-name', name);
  const { AccessKey } = iam(seed, 'create-access-key', '--user-name', name) as {
    AccessKey: { AccessKeyId: string; SecretAccessKey: string };
  };
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
  iam(
    seed,
    'put-user-policy',
    '--user-name',
    name,
    '--policy-name',
    'read',
    '--policy-document',
    JSON.stringify(policy),
  );
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

beforeAll(async () => {
  moto = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: String(FREE_REQUESTS) } });
  admin = user('admin', ['*']);
  app = user('app', ['ssm:GetParameters']);
  const seed = new SSMClient({
    endpoint: moto.endpoint,
    region: REGION,
    maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await seed.send(new PutParameterCommand({ Name: '/iam/db/password', Value: VALUE, Type: 'SecureString' }));
  seed.destroy();
});

afterAll(async () => {
  await moto?.stop();
});

describe('a permission revoked while the value is cached', () => {
  it('is an AccessDeniedError once the value expires, and no stale value is served', async () => {
    const clock = jumpingClock();
    const resolver = createResolver({
      clock,
      ttlMs: 60_000,
      jitter: 0,
      providers: [
        ssmProvider({ clientConfig: { endpoint: moto.endpoint, region: REGION, credentials: app, maxAttempts: 1 } }),
      ],
    });
    const stale: unknown[] = [];
    const onStale = (event: unknown) => stale.push(event);
    subscribe(CHANNELS.staleServed, onStale);
    try {
      const ref = 'ssm:/iam/db/password';
      expect(await resolver.resolve(ref)).toBe(VALUE);
      // Enforcement is on: an unknown caller is refused (so the value above was read as `app`).
      const stranger = createResolver({
        providers: [
          ssmProvider({
            clientConfig: {
              endpoint: moto.endpoint,
              region: REGION,
              credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
              maxAttempts: 1,
            },
          }),
        ],
      });
      await expect(stranger.resolve(ref)).rejects.toThrow('HTTP 403');
      stranger.dispose();

      iam(admin, 'delete-user-policy', '--user-name', 'app', '--policy-name', 'read');
      clock.jump(60_001);
      const error = await resolver.resolve(ref).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect((error as AccessDeniedError).transient).toBe(false);
      expect((error as Error).message).toContain('HTTP 403');
      expect(stale).toEqual([]);
      expect(resolver.stats().staleServed).toBe(0);
      expect(resolver.peek(ref, { allowStale: true })).toBeUndefined();
      // Nothing of moto's XML body is quoted, and the value is nowhere in the error.
      const seen = inspect(error, { showHidden: true, depth: 10 });
      expect(seen).not.toContain('<ErrorResponse');
      expect(seen).not.toContain('not authorized');
      expect(seen).not.toContain(VALUE);
    } finally {
      unsubscribe(CHANNELS.staleServed, onStale);
      resolver.dispose();
    }
  });
});

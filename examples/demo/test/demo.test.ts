/** Runs the demo as a user would (a real process, its own moto) and checks what it prints. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the demo', () => {
  it('resolves every SSM, Secrets Manager, KMS and AppConfig form against local AWS in few calls and prints no value', () => {
    const run = spawnSync('pnpm', ['exec', 'tsx', '--conditions=@secretref/source', 'src/main.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toContain(
      'password             ssm:/demo/db/password\n                       -> [redacted string, 19 chars]  (via fetch)',
    );
    // Every reference was sent by fetch, as auto picks it (the demo's environment is a Lambda's).
    expect(out.match(/\(via fetch\)/g)).toHaveLength(12);
    expect(out).toContain('transport: fetch (auto: credentials and a region in the environment)');
    // Two processes on one host share the agent's cache: the second makes no AWS call.
    expect(out).toMatch(
      /first: .*ssm:\/demo\/db\/password via agent, secretsmanager:demo\/rds#password via agent; AWS calls so far: 2\n/,
    );
    expect(out).toMatch(/second: .*via agent; AWS calls so far: 2\n/);
    expect(out).toContain('-> [redacted list, 2 items]');
    expect(out).toContain('-> [redacted number]');
    expect(out).toContain('-> [redacted object, keys: ');
    // SSM: three GetParameters (the label needs a call of its own; the ARN names its region, so it is
    // batched apart), one GetParameter (moto, unlike AWS, refuses ARNs in GetParameters), one
    // GetParametersByPath. Secrets Manager: one BatchGetSecretValue for the current versions, one
    // GetSecretValue for AWSPREVIOUS (the batch call reads only current versions).
    expect(out).toContain(
      '12 references, 7 AWS calls: 1 BatchGetSecretValue, 1 GetParameter, 3 GetParameters, 1 GetParametersByPath, 1 GetSecretValue',
    );
    expect(out).toContain('rdsUser              secretsmanager:demo/rds:username::');
    expect(out).toContain('100 more resolves of a cached reference: 0 AWS calls');
    expect(out).toContain('cached values match: true');
    expect(out).toContain("decryptEnv(['DEMO_API_TOKEN']) -> [redacted string, 17 chars], 1 AWS call");
    expect(out).toContain('kms:<Encryption SDK message>?context.App=demo -> [redacted string, 6000 chars]');
    // AppConfig: JSON by its content type, the version label from the fetch event, a flag, the poll
    // interval as the floor of a short TTL, a flag flip seen by watch, one session per profile.
    expect(out).toContain('appconfig:shop/prod/settings#/db/pool -> 10 (version v1.0)');
    expect(out).toContain('flag appconfig:shop/prod/flags#new-checkout -> {"enabled":false}');
    expect(out).toContain('10 resolves with ?ttl=1s over 10 s: 0 AppConfig calls');
    expect(out).toContain(`watch's onChange got {"enabled":true,"limit":5}`);
    expect(out).toContain('AppConfig calls in all: 2 StartConfigurationSession, 3 GetLatestConfiguration');
    expect(out).toContain('LOG_LEVEL    -> info (plain, left alone)');
    expect(out).toContain('db.port is a number; db.password prints as [redacted]');
    expect(out).toContain('JSON.stringify({ stripeKey }) -> {"stripeKey":"[redacted]"}');
    expect(out).toMatch(/\$ secretref check {3}\(exit 1\)\n {4}VARIABLE {6}STATUS\n {4}API_TOKEN {5}NOT_FOUND/);
    expect(out).toMatch(/ {4}FEATURE_FLAG {2}ok \(optional, not set\)\n/);
    expect(out).toContain('3 of 4 resolved.');
    expect(out).toContain('    connecting with *****\n');
    expect(out).toContain(
      'results [{"orderId":"o-1","ready":true},{"orderId":"o-2","ready":true}]; AWS calls: GetParameters\n',
    );
    expect(out).toContain('GET /orders with the API key from SSM: 200; with a wrong one: 401');
    expect(out).toContain('database password rotated: pool rebuilt (generation 2); GET /db: generation 2');
    for (const secret of [
      'first-password-v1',
      'rotated-password-v2',
      'sk_test_51DemoKeyNotReal',
      'db.internal',
      '5432',
      'rds-password',
      'ghp_demoTokenNotReal',
      'demo-api-token',
      'demo-db-password',
      'express-api-key',
      'express-db-password',
      'rotated-by-the-demo',
      'a value over 4096 bytes',
    ]) {
      expect(out).not.toContain(secret);
    }
  });
});

/**
 * The fetch transport against moto, through the fault proxy: the real wire, signed by aws4fetch.
 * Each branch the SDK transport has, and the two resends (a signature expired during a freeze, a
 * keep-alive connection that died while idle).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { type FaultProxy, localAwsConfig, startFaultProxy } from '@secretref/local-aws';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { fromAwsError } from '../src/errors.ts';
import { fetchTransport, MAX_ANSWER_BYTES } from '../src/transports/fetch.ts';
import type { AwsService } from '../src/transports/types.ts';

const endpoint = inject('awsEndpoint');
const SSM: AwsService = { name: 'ssm', endpointPrefix: 'ssm', envName: 'SSM', target: 'AmazonSSM' };
const SM: AwsService = {
  name: 'secretsmanager',
  endpointPrefix: 'secretsmanager',
  envName: 'SECRETS_MANAGER',
  target: 'secretsmanager',
  blobs: ['SecretBinary'],
};
const KMS: AwsService = {
  name: 'kms',
  endpointPrefix: 'kms',
  envName: 'KMS',
  target: 'TrentService',
  blobs: ['Plaintext', 'CiphertextBlob'],
};
const prefix = `/fetch-${randomUUID().slice(0, 8)}`;
const KEYS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
const signal = new AbortController().signal;
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(endpoint);
  const ssm = new SSMClient(localAwsConfig(endpoint));
  await ssm.send(new PutParameterCommand({ Name: `${prefix}/a`, Value: 'value-a', Type: 'SecureString' }));
  await ssm.send(new PutParameterCommand({ Name: `${prefix}/b`, Value: 'value-b', Type: 'String' }));
});
afterAll(() => proxy.close());
beforeEach(() => proxy.reset());

/** The transport as `auto` makes it from an environment that points at the proxy. */
const viaEnv = (service: AwsService, extra: Record<string, string> = {}) =>
  fetchTransport(service, { env: { ...KEYS, AWS_ENDPOINT_URL: proxy.endpoint, ...extra } });

const ssmCall = async (transport = viaEnv(SSM), names = [`${prefix}/a`, `${prefix}/b`]) =>
  (await transport.api(undefined)).send('GetParameters', { Names: names, WithDecryption: true }, { signal });

const mapped = (error: unknown) =>
  fromAwsError(error, { notFound: ['ParameterNotFound'] }, { ref: 'r', scheme: 'ssm', operation: 'Op' });

describe('answers', () => {
  it('signs and sends a JSON operation; SecureStrings come decrypted; one call', async () => {
    const output = await ssmCall();
    const values = (output.Parameters as { Name: string; Value: string }[]).map((p) => p.Value).sort();
    expect(values).toEqual(['value-a', 'value-b']);
    expect(proxy.calls).toEqual(['GetParameters']);
  });

  it('reads its endpoint, region and credentials from a client config too', async () => {
    const transport = fetchTransport(SSM, { env: {}, ...localAwsConfig(proxy.endpoint) });
    expect(((await ssmCall(transport)).Parameters as unknown[]).length).toBe(2);
  });

  it('takes a FIPS pseudo-region (us-east-1-fips), signed for its region, as the SDK does', async () => {
    const transport = fetchTransport(SSM, { env: { ...KEYS, AWS_REGION: 'us-east-1-fips' }, endpoint: proxy.endpoint });
    expect(((await ssmCall(transport)).Parameters as unknown[]).length).toBe(2);
  });

  it('reports the default region it chose, and that it sent by fetch', async () => {
    const seen: string[] = [];
    await viaEnv(SSM, { AWS_REGION: 'eu-west-1' }).api(undefined, {
      reportRegion: (r) => seen.push(`region ${r}`),
      reportVia: (v) => seen.push(`via ${v}`),
    });
    expect(seen).toEqual(['region eu-west-1', 'via fetch']);
  });

  it('gives blobs as bytes, and sends bytes as base64 (KMS, Secrets Manager)', async () => {
    const kms = new KMSClient(localAwsConfig(endpoint));
    const key = await kms.send(new CreateKeyCommand({}));
    const sealed = await kms.send(
      new EncryptCommand({ KeyId: key.KeyMetadata?.KeyId, Plaintext: new TextEncoder().encode('kms-plaintext') }),
    );
    const decrypted = await (await viaEnv(KMS).api(undefined)).send(
      'Decrypt',
      { CiphertextBlob: sealed.CiphertextBlob },
      { signal },
    );
    expect(decrypted.Plaintext).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(decrypted.Plaintext as Uint8Array)).toBe('kms-plaintext');

    const name = `fetch-binary-${randomUUID().slice(0, 8)}`;
    await new SecretsManagerClient(localAwsConfig(endpoint)).send(
      new CreateSecretCommand({ Name: name, SecretBinary: new Uint8Array([0, 1, 2, 255]) }),
    );
    const secret = await (await viaEnv(SM).api(undefined)).send('GetSecretValue', { SecretId: name }, { signal });
    expect([...(secret.SecretBinary as Uint8Array)]).toEqual([0, 1, 2, 255]);
  });
});

describe('errors take the SDK shape, and map as the SDK transport does', () => {
  it('an AWS error: its name, fault and status', async () => {
    const error = await (await viaEnv(SSM).api(undefined))
      .send('GetParameter', { Name: `${prefix}/never` }, { signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ParameterNotFound', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(mapped(error).name).toBe('SecretNotFoundError');
  });

  it.each([
    ['throttle', 'ThrottledError', true],
    ['server-error', 'ProviderError', true],
    ['unavailable', 'ProviderError', true],
    ['malformed', 'ProviderError', true],
    ['reset', 'ProviderError', true],
  ] as const)('%s: %s, transient %s, in one call', async (fault, name, transient) => {
    proxy.fault = fault;
    const error = mapped(await ssmCall().catch((e: unknown) => e));
    expect({ name: error.name, transient: error.transient }).toEqual({ name, transient });
    expect(proxy.count()).toBe(1);
  });

  it('an XML denial (moto with IAM on) is an AccessDeniedError, its body withheld', async () => {
    proxy.fault = {
      status: 403,
      body: '<ErrorResponse><Message>SECRET-IN-BODY</Message></ErrorResponse>',
      contentType: 'text/xml',
    };
    const error = mapped(await ssmCall().catch((e: unknown) => e));
    expect(error.name).toBe('AccessDeniedError');
    expect(JSON.stringify(error) + String(error.cause) + error.message).not.toContain('SECRET-IN-BODY');
  });

  it(`an answer over ${MAX_ANSWER_BYTES} bytes is refused unread: a transient error`, async () => {
    proxy.fault = { status: 200, body: `{"Parameters":[{"Value":"${'x'.repeat(MAX_ANSWER_BYTES)}"}]}` };
    const error = mapped(await ssmCall().catch((e: unknown) => e));
    expect({ name: error.name, transient: error.transient }).toEqual({ name: 'ProviderError', transient: true });
  });

  it('a redirect is not followed (it would carry the session token elsewhere): a transient error, one call', async () => {
    let elsewhere = 0;
    const other = createServer((_req, res) => {
      elsewhere++;
      res.end('{"Parameters":[{"Name":"/x","Value":"FROM-OTHER-HOST"}]}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const location = `http://127.0.0.1:${(other.address() as { port: number }).port}/`;
      for (const status of [301, 302, 307, 308]) {
        proxy.reset();
        proxy.fault = { status, body: '', headers: { location } };
        const error = mapped(await ssmCall().catch((e: unknown) => e));
        expect({ name: error.name, transient: error.transient }).toEqual({ name: 'ProviderError', transient: true });
        expect(proxy.count()).toBe(1);
      }
      expect(elsewhere).toBe(0);
    } finally {
      other.close();
    }
  });

  it('an endpoint that is no http(s) URL, or one with FIPS, is a set-up error that says so', async () => {
    const file = viaEnv(SSM, { AWS_ENDPOINT_URL: 'file:///etc/passwd' });
    expect(mapped(await ssmCall(file).catch((e: unknown) => e)).message).toMatch(/must be an http or https URL/);
    const fips = viaEnv(SSM, { AWS_USE_FIPS_ENDPOINT: 'true' });
    const error = mapped(await ssmCall(fips).catch((e: unknown) => e));
    expect(error.message).toMatch(/cannot be combined with FIPS/);
    expect(error.transient).toBe(false);
    expect(proxy.count()).toBe(0);
  });

  it('an abort is an AbortError (a TimeoutError for the resolver)', async () => {
    proxy.fault = 'hang';
    const controller = new AbortController();
    const call = (await viaEnv(SSM).api(undefined)).send(
      'GetParameters',
      { Names: ['/x'] },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const error = await call.catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(mapped(error).name).toBe('TimeoutError');
  });

  it('set-up mistakes read as the SDK says them: no region, a region that is none, an endpoint that is no URL', async () => {
    const noRegion = fetchTransport(SSM, { env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' } });
    expect(mapped(await ssmCall(noRegion).catch((e: unknown) => e)).message).toMatch(/no AWS region is set/);
    const badRegion = viaEnv(SSM, { AWS_REGION: 'evil.example/#' });
    expect(mapped(await ssmCall(badRegion).catch((e: unknown) => e)).message).toMatch(/not a valid AWS region/);
    const badUrl = viaEnv(SSM, { AWS_ENDPOINT_URL: 'not a url' });
    expect(mapped(await ssmCall(badUrl).catch((e: unknown) => e)).message).toMatch(/the endpoint is not a valid URL/);
  });
});

describe('resends: one, and only where the request surely did not count', () => {
  it('a signature that expired (a frozen process) is signed again and sent again, once', async () => {
    let left = 1;
    proxy.fault = () => (left-- > 0 ? 'signature-expired' : undefined);
    expect(((await ssmCall()).Parameters as unknown[]).length).toBe(2);
    expect(proxy.count()).toBe(2);
    proxy.reset();
    proxy.fault = 'signature-expired';
    expect(mapped(await ssmCall().catch((e: unknown) => e)).name).toBe('AccessDeniedError');
    expect(proxy.count()).toBe(2);
  });

  it('a reset after an earlier answer (a keep-alive socket that died while idle) is sent again, once', async () => {
    const transport = viaEnv(SSM);
    await ssmCall(transport);
    let left = 1;
    proxy.fault = () => (left-- > 0 ? 'reset' : undefined);
    expect(((await ssmCall(transport)).Parameters as unknown[]).length).toBe(2);
    expect(proxy.count()).toBe(3);
    proxy.reset();
    proxy.fault = 'reset';
    expect(mapped(await ssmCall(transport).catch((e: unknown) => e)).name).toBe('ProviderError');
    expect(proxy.count()).toBe(2);
  });
});

describe('a keep-alive connection reset while idle (ECONNRESET, a TCP reset as a thawed Lambda meets it)', () => {
  it('is sent again once on a new connection', async () => {
    let answered = 0;
    let resetNext = false;
    const server = createServer((req, res) => {
      if (resetNext) {
        resetNext = false;
        req.socket.resetAndDestroy();
        return;
      }
      answered++;
      res.end('{"Parameters":[],"InvalidParameters":["/x"]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const at = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const transport = fetchTransport(SSM, { env: { ...KEYS, AWS_ENDPOINT_URL: at } });
      await ssmCall(transport, ['/x']);
      resetNext = true;
      expect(((await ssmCall(transport, ['/x'])).InvalidParameters as unknown[]).length).toBe(1);
      expect(answered).toBe(2);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('credentials', () => {
  let server: Server;
  let seen: (string | undefined)[];
  let url: string;
  beforeAll(async () => {
    seen = [];
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end(
        JSON.stringify({
          AccessKeyId: 'container-key',
          SecretAccessKey: 'container-secret',
          Token: 'tok',
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/creds`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('come from the container endpoint, with its token from a file, fetched once while they are valid', async () => {
    const file = join(tmpdir(), `token-${randomUUID()}`);
    writeFileSync(file, 'container-token\n');
    const transport = fetchTransport(SSM, {
      env: {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: proxy.endpoint,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file,
      },
    });
    await ssmCall(transport);
    await ssmCall(transport);
    expect(seen).toEqual(['container-token']);
  });

  it('a full URI on another host over plain http is refused, as the SDK refuses it', async () => {
    const transport = fetchTransport(SSM, {
      env: {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: proxy.endpoint,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.169.254/creds',
      },
    });
    const error = mapped(await ssmCall(transport).catch((e: unknown) => e));
    expect(error.message).toMatch(/AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on loopback/);
    expect(error.transient).toBe(false);
    expect(proxy.count()).toBe(0);
  });

  it("without keys or a container endpoint in the environment, come from the SDK's chain (a profile here), loaded then", async () => {
    const dir = join(tmpdir(), `chain-${randomUUID()}`);
    const file = `${dir}-credentials`;
    writeFileSync(file, '[default]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = from-profile\n');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', file);
    vi.stubEnv('AWS_CONFIG_FILE', `${dir}-no-config`);
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    const signed: string[] = [];
    const capture = createServer((req, res) => {
      signed.push(/Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? '');
      res.end('{"Parameters":[],"InvalidParameters":["/x"]}');
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    try {
      const at = `http://127.0.0.1:${(capture.address() as { port: number }).port}`;
      const transport = fetchTransport(SSM, { env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: at } });
      await ssmCall(transport, ['/x']);
      // The key the SDK's own chain reads from the same environment.
      expect(signed).toEqual([(await defaultProvider()()).accessKeyId]);
      expect(signed).toEqual(['AKIDFROMPROFILE']);
    } finally {
      vi.unstubAllEnvs();
      await new Promise<void>((resolve) => capture.close(() => resolve()));
    }
  });
});

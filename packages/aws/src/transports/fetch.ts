/**
 * The `fetch` transport: the services' JSON operations (and REST ones: AppConfigData's), signed with SigV4 by aws4fetch, over Node's
 * keep-alive `fetch`, with no SDK module to load. One attempt per call (the resolver owns retries),
 * plus two resends: a signature that expired while the process was frozen, and a pooled keep-alive
 * connection that turned out dead (a thawed Lambda). Answers are read up to a size limit; errors take
 * the SDK's shape, without their bodies.
 */

import { ProviderError } from '@secretref/core';
import { AwsClient } from 'aws4fetch';
import { isAwsRegion } from '../arn.ts';
import { isSignatureExpired } from '../clients.ts';
import { NETWORK_CODES, setupError, TLS_CODES } from '../error-facts.ts';
import { readCappedBytes } from './body.ts';
import { type CredentialSource, credentialSource, type GivenCredentials } from './credentials.ts';
import { awsEndpoint } from './endpoints.ts';
import type { AwsApi, AwsEnv, AwsService, AwsTransport, SendOptions } from './types.ts';

/** Options of the `fetch` transport: what it reads of a client configuration. */
export interface FetchTransportOptions {
  /** The environment it reads (`AWS_REGION`, keys, `AWS_ENDPOINT_URL`...). @default process.env */
  readonly env?: AwsEnv | undefined;
  /** An endpoint URL for every region (`clientConfig.endpoint`). */
  readonly endpoint?: string | undefined;
  /** The region of references without one. @default AWS_REGION */
  readonly region?: string | undefined;
  /** Credentials, or a function that gives them (`clientConfig.credentials`). @default the environment's */
  readonly credentials?: GivenCredentials | undefined;
}

/** Larger answers are refused: BatchGetSecretValue's largest (20 secrets of 64 KB, in base64) is under 2 MB. */
export const MAX_ANSWER_BYTES: number = 8 * 1024 * 1024;
/** Socket errors of a connection that died while idle: the request never reached AWS. */
const DEAD_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function shaped(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

/** The error of a call given up at its signal, as every transport throws it. */
export const abortError = (): Error => shaped('the call was aborted', { name: 'AbortError' });

/** The code of a failed `fetch` (undici puts it on the cause), as errors.ts reads network errors. */
function networkError(error: unknown): Error {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = String(cause?.code ?? (error as { code?: unknown } | null)?.code);
  // A reset or a closed socket, as Node or undici names it: the connection may have died while idle.
  if (DEAD_SOCKET.has(code)) {
    return shaped(`network error ${code}`, {
      name: 'Error',
      code: NETWORK_CODES.has(code) ? code : 'ECONNRESET',
      dead: true,
    });
  }
  if (NETWORK_CODES.has(code) || TLS_CODES.has(code)) return shaped(`network error ${code}`, { name: 'Error', code });
  return shaped('the request failed on the network', { name: 'NetworkingError' });
}

/** An answer that cannot be read (not JSON, too large): the SDK's shape of a body it failed to parse. */
function unreadable(status: number, requestId: string | null, why: string): Error {
  return shaped(why, {
    name: 'SyntaxError',
    $responseBodyText: '',
    $metadata: { httpStatusCode: status, requestId: requestId ?? undefined, attempts: 1 },
  });
}

/**
 * An answer's JSON, `undefined` when it is none (V8's message would quote the body: never kept).
 * JSON's blobs are base64 text; the SDK gives bytes: so do we, for the fields the service names.
 */
export function parseAnswer(text: string, blobs: ReadonlySet<string>): unknown {
  try {
    return JSON.parse(text === '' ? '{}' : text, (key, value: unknown) =>
      blobs.has(key) && typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : value,
    );
  } catch {
    return undefined;
  }
}

/** Bytes in an input (KMS's CiphertextBlob) are base64 in JSON; read before a Buffer's toJSON runs. */
function blobReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') : value;
}

/**
 * An AWS JSON error answer as the SDK shapes it: `name` from the error type, `$fault`, `$metadata`, and
 * the fields of `kept` whose value is one of those listed.
 */
export function serviceError(
  status: number,
  headers: Headers,
  body: unknown,
  kept: Readonly<Record<string, readonly string[]>> = {},
): Error {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const enums = Object.entries(kept).filter(([field, values]) => values.includes(fields[field] as string));
  // `Code:http://...` or `namespace#Code`, as the SDK reads the header: the code alone.
  const header = headers.get('x-amzn-errortype')?.split(':')[0]?.split('#').pop();
  const type = typeof fields.__type === 'string' ? fields.__type.split('#').pop() : undefined;
  const name = header || type || (typeof fields.code === 'string' ? fields.code : undefined) || 'UnknownError';
  const message = fields.message ?? fields.Message;
  return shaped(typeof message === 'string' ? message : name, {
    ...Object.fromEntries(enums.map(([field]) => [field, fields[field]])),
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: headers.get('x-amzn-requestid') ?? undefined, attempts: 1 },
  });
}

/** Creates the `fetch` transport for one service. */
export function fetchTransport(service: AwsService, options: FetchTransportOptions = {}): AwsTransport {
  const env = options.env ?? process.env;
  const blobs = new Set(service.blobs ?? []);
  const headers = { 'content-type': 'application/x-amz-json-1.1' };
  let credentials: Promise<CredentialSource> | undefined;
  // Once an answer came, a socket error can be a pooled connection that died while idle.
  let answered = false;
  const apis = new Map<string | undefined, AwsApi>();

  function source(): Promise<CredentialSource> {
    credentials ??= credentialSource(env, options.credentials).catch((error: unknown) => {
      credentials = undefined;
      throw error;
    });
    return credentials;
  }

  /** The endpoint of a region: the configured one, else the SDK's, refused when it is not http(s). */
  function endpointOf(region: string): string {
    let url: string;
    try {
      url = options.endpoint ?? awsEndpoint(service, region, env);
    } catch (error) {
      // An endpoint URL that is no URL: errors.ts names the variable that holds it.
      if ((error as { code?: unknown }).code === 'ERR_INVALID_URL') throw error;
      // endpoints.ts's own messages (FIPS with a configured URL...), without its prefix.
      throw setupError(String((error as Error).message).replace(/^\[secretref\] \[[^\]]*\] /, ''));
    }
    if (!/^https?:\/\//i.test(url))
      throw setupError('the endpoint must be an http or https URL (AWS_ENDPOINT_URL, clientConfig.endpoint)');
    return url;
  }

  async function send(
    region: string | undefined,
    operation: string,
    input: Record<string, unknown>,
    { signal }: SendOptions,
  ): Promise<Record<string, unknown>> {
    // Set-up mistakes, said for this transport (it reads no AWS profile); the region is not quoted.
    if (!region) {
      throw setupError(
        'no AWS region is set; set AWS_REGION, or add ?region=<region> to the reference (the fetch transport reads no AWS profile)',
      );
    }
    // A FIPS pseudo-region (us-gov-west-1-fips) names a FIPS endpoint of its region, signed for the region.
    const signing = region.replace(/^fips-(?:dkr-|prod-)?|-fips$/, '');
    if (!isAwsRegion(signing)) {
      throw setupError('the region is not a valid AWS region; fix AWS_REGION or clientConfig.region');
    }
    // A REST operation has its own method, path and body; the JSON protocol's is a POST with a target.
    const rest = service.rest?.[operation];
    const url = rest ? endpointOf(region).replace(/\/$/, '') + rest.path(input) : endpointOf(region);
    const method = rest?.method ?? 'POST';
    const restBody = rest?.body?.(input);
    const body = rest && !restBody ? undefined : JSON.stringify(restBody ?? input, blobReplacer);
    const target = rest
      ? restBody
        ? { 'content-type': 'application/json' }
        : {}
      : { ...headers, 'x-amz-target': `${service.target}.${operation}` };
    let resent = false;
    for (;;) {
      if (signal.aborted) throw abortError();
      const keys = await (await source())();
      let response: Response;
      try {
        const { accessKeyId, secretAccessKey, sessionToken } = keys;
        const signer = new AwsClient({
          accessKeyId,
          secretAccessKey,
          ...(sessionToken ? { sessionToken } : {}),
          service: service.name,
          region: signing,
          retries: 0,
        });
        // Never followed: a redirect would carry the session token and the body to another host.
        const init = { method, headers: target, signal, redirect: 'manual' as const };
        const signed = await signer.sign(url, body === undefined ? init : { ...init, body });
        response = await fetch(signed);
      } catch (error) {
        if (signal.aborted) throw abortError();
        const network = networkError(error);
        if (!resent && answered && 'dead' in network) {
          resent = true;
          continue;
        }
        throw network;
      }
      answered = true;
      const requestId = response.headers.get('x-amzn-requestid');
      let bytes: Buffer | undefined;
      try {
        bytes = await readCappedBytes(response, MAX_ANSWER_BYTES);
      } catch (error) {
        if (signal.aborted) throw abortError();
        throw networkError(error);
      }
      if (bytes === undefined) throw unreadable(response.status, requestId, `an answer over ${MAX_ANSWER_BYTES} bytes`);
      if (response.status >= 300 && response.status < 400) {
        throw unreadable(response.status, requestId, 'a redirect, which is not followed');
      }
      // A REST operation's answer is its own (AppConfigData's is the configuration's bytes); its errors are JSON.
      if (rest && response.ok) return rest.output(new Uint8Array(bytes), response.headers);
      const parsed = parseAnswer(bytes.toString('utf8'), blobs);
      if (parsed === undefined) throw unreadable(response.status, requestId, 'an answer that is not JSON');
      if (response.ok) return (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
      const error = serviceError(response.status, response.headers, parsed, service.errorFields);
      if (!resent && isSignatureExpired(error)) {
        resent = true;
        continue;
      }
      throw error;
    }
  }

  return {
    name: 'fetch',
    async api(region, context) {
      await source();
      const chosen = region ?? options.region ?? env.AWS_REGION;
      if (region === undefined && chosen && isAwsRegion(chosen)) context?.reportRegion?.(chosen);
      let api = apis.get(chosen);
      if (!api) {
        api = { via: 'fetch', send: (operation, input, sendOptions) => send(chosen, operation, input, sendOptions) };
        apis.set(chosen, api);
      }
      context?.reportVia?.('fetch');
      return api;
    },
    unavailable(requests, error) {
      return requests.map((r) => ({
        error: new ProviderError(
          `the fetch transport found no credentials in the environment, and the SDK's credential chain could not be loaded (add @aws-sdk/credential-provider-node to your dependencies, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
          { ref: r.ref, scheme: r.scheme, cause: error },
        ),
      }));
    },
    dispose() {
      apis.clear();
    },
  };
}

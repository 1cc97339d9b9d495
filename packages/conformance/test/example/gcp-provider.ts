/**
 * The example provider of docs/providers/writing.md, run by example-provider.test.ts: GCP Secret
 * Manager's REST API (`versions/*:access`) over `fetch`, as a plain object from a factory.
 * `gcpsm:db-password`, `gcpsm:db-password:3`, `gcpsm:db-password?project=other`,
 * `gcpsm:projects/demo-project/secrets/db-password/versions/3`.
 */
import {
  AccessDeniedError,
  type FetchRequest,
  type FetchResult,
  failure,
  InvalidReferenceError,
  type Locator,
  malformedAnswer,
  type ParseInput,
  type Provider,
  ProviderError,
  SecretNotFoundError,
  ThrottledError,
  TimeoutError,
} from '@secretref/core';

// #region options
/** Options of `gcpSecretsProvider`. */
export interface GcpSecretsProviderOptions {
  /** The project of short names (`gcpsm:db-password`). */
  readonly project: string;
  /** An OAuth 2 access token, asked for on each fetch (the caller caches it). */
  readonly token: () => string | Promise<string>;
  /** The API's base URL. @default 'https://secretmanager.googleapis.com' */
  readonly endpoint?: string | undefined;
  /** References per fetch: each is its own HTTP request, all in flight at once. @default 25 */
  readonly batchSize?: number | undefined;
}
// #endregion options

// #region parse
/** How the provider locates one secret version. */
export interface GcpLocator extends Locator {
  readonly project: string;
  readonly secret: string;
  /** A version number, or `latest`. */
  readonly version: string;
}

const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const SECRET = /^[A-Za-z0-9_-]{1,255}$/;
const VERSION = /^(?:latest|[1-9][0-9]{0,18})$/;
const FULL = /^projects\/([^/]+)\/secrets\/([^/]+)(?:\/versions\/([^/]+))?$/;

/** Parses `secret[:version]` or a full resource name; throws `InvalidReferenceError`, never does I/O. */
function parseBody(input: ParseInput, defaultProject: string): GcpLocator {
  const invalid = (what: string) =>
    new InvalidReferenceError(`${what} in "${input.ref}"`, { ref: input.ref, scheme: input.scheme });
  const full = FULL.exec(input.body);
  const [project = '', secret = '', version = 'latest', ...rest] = full
    ? full.slice(1)
    : [input.params.project ?? defaultProject, ...input.body.split(':')];
  if (full && input.params.project !== undefined) throw invalid('?project= is for short names only');
  if (rest.length > 0) throw invalid('a short name takes at most one ":version"');
  if (!PROJECT.test(project)) throw invalid(`"${project}" is not a project id`);
  if (!SECRET.test(secret)) throw invalid(`"${secret}" is not a secret id (letters, digits, _ and -)`);
  if (!VERSION.test(version)) throw invalid(`"${version}" is not a version (a number or latest)`);
  // The key is the full resource name: every spelling of one version is one canonical form, one
  // cache entry. ?project= is in the key now, so it leaves the parameters.
  return { key: `projects/${project}/secrets/${secret}/versions/${version}`, project, secret, version, params: {} };
}
// #endregion parse

// #region errors
/** The error of one request, by HTTP status: the class decides what the cache does with it. */
function statusFailure(request: FetchRequest<GcpLocator>, status: number): FetchResult {
  const { ref, locator } = request;
  if (status === 404) {
    return failure(
      request,
      SecretNotFoundError,
      `${locator.key} does not exist; check the name and project ("${ref}")`,
    );
  }
  if (status === 401 || status === 403) {
    return failure(
      request,
      AccessDeniedError,
      `reading "${ref}" needs secretmanager.versions.access on ${locator.key}`,
    );
  }
  if (status === 429) return failure(request, ThrottledError, `reading "${ref}" was throttled`);
  // 5xx may pass on its own: transient, so a last good value is served through it.
  return failure(request, ProviderError, `reading "${ref}" failed with HTTP ${status}`, { transient: status >= 500 });
}
// #endregion errors

// #region provider
/** Creates the provider for the scheme `gcpsm`. */
export function gcpSecretsProvider(options: GcpSecretsProviderOptions): Provider<GcpLocator> {
  const endpoint = options.endpoint ?? 'https://secretmanager.googleapis.com';
  // Aborted by dispose: calls in flight end with it.
  const closed = new AbortController();

  async function access(request: FetchRequest<GcpLocator>, token: string, signal: AbortSignal): Promise<FetchResult> {
    const { ref, locator } = request;
    let response: Response;
    try {
      response = await fetch(`${endpoint}/v1/${locator.key}:access`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.any([signal, closed.signal]),
      });
    } catch (cause) {
      // Aborted at the callers' deadline, or no answer at all: either may pass on its own.
      return signal.aborted
        ? failure(request, TimeoutError, `reading "${ref}" was aborted at its deadline`)
        : failure(request, ProviderError, `reading "${ref}" failed: no answer`, { cause, transient: true });
    }
    // An error body is never read: what a server echoes back is not for messages.
    if (!response.ok) {
      await response.body?.cancel();
      return statusFailure(request, response.status);
    }
    let data: unknown;
    try {
      data = ((await response.json()) as { payload?: { data?: unknown } } | null)?.payload?.data;
    } catch {
      data = undefined; // and no cause: a JSON SyntaxError quotes its input, the value
    }
    // Not the answer the API documents: transient, so a last good value is served through it.
    if (typeof data !== 'string') return malformedAnswer(request, 'versions.access', 'an answer without payload.data');
    return { value: new Uint8Array(Buffer.from(data, 'base64')) };
  }

  return {
    schemes: ['gcpsm'],
    params: ['project'],
    batchSize: Math.max(1, options.batchSize ?? 25),
    parse: (input) => parseBody(input, options.project),
    async fetch(requests, { signal }) {
      let token: string;
      try {
        token = await options.token();
      } catch (error) {
        // One cause for the whole batch, each request its own error.
        return requests.map((request) =>
          failure(request, ProviderError, `no access token for "${request.ref}"`, { cause: error, transient: true }),
        );
      }
      // One result per request, in request order: Promise.all keeps the order whatever answers first.
      return Promise.all(requests.map((request) => access(request, token, signal)));
    },
    dispose: () => closed.abort(),
  };
}
// #endregion provider

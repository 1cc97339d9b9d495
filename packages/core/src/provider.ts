/**
 * The provider contract, and the words it uses, defined here once:
 * - a **reference** names a secret and how to hand it over: `ssm:/app/db:3?ttl=1m#password`, written
 *   in one of three forms (`ReferenceForm`): `scheme:body?query#fragment`, `{{resolve:scheme:body}}`
 *   or a bare ARN;
 * - its **body** is what the provider reads: the part between `scheme:` and `?`/`#` (`/app/db:3`), the
 *   ARN of a bare ARN;
 * - the provider parses a body into a **locator**, whose **key** is the body in canonical form
 *   (`app-db` and `/app-db`... spell one parameter only if the provider says so);
 * - the **canonical form** of a reference is `scheme:key` with its parameters sorted and
 *   percent-encoded (`formatReference`): every spelling of one reference has the same one, it parses
 *   back to the same reference, and the cache keeps one value per canonical form (less `ttl`, `as`,
 *   `optional` and the fragment, which only shape what is handed over).
 * See docs/providers/writing.md for writing a provider and proving it with @secretref/conformance.
 */
import type { Clock } from './clock.ts';
import { ProviderError, type SecretrefError, type SecretrefErrorOptions } from './errors.ts';

/** What a resolved value is turned into: see docs/reference-syntax.md. */
export type ValueType = 'string' | 'json' | 'binary' | 'list';

/**
 * A value as a provider returns it, before any transform: a string, bytes (binary secrets), or a
 * flat object of strings (a whole SSM path).
 */
export type RawValue = string | Uint8Array | Readonly<Record<string, string>>;

/** How a reference was written; providers that accept several dialects parse each differently. */
export type ReferenceForm = 'uri' | 'cloudformation' | 'arn';

/** What a provider's `parse` receives: the part after the scheme, already split from query and fragment. */
export interface ParseInput {
  /** The scheme as registered (`ssm`, `ssm-secure`). */
  readonly scheme: string;
  /** Everything between `scheme:` and `?`/`#` (for an ARN reference, the ARN). Never empty. */
  readonly body: string;
  /** `uri` for `scheme:body`, `cloudformation` for `{{resolve:...}}`, `arn` for a bare ARN. */
  readonly form: ReferenceForm;
  /** The scheme-specific query parameters (those listed in `Provider.params`). */
  readonly params: Readonly<Record<string, string>>;
  /** The reference as the user wrote it, for error messages (its body as `Provider.display` shows it). */
  readonly ref: string;
}

/**
 * A provider's parsed form of a reference body: everything it needs to fetch the value.
 * Providers extend it with their own fields.
 */
export interface Locator {
  /**
   * The canonical body, never empty: parsing `scheme:key` again, with the same parameters
   * (`params` below, else the input's), yields the same locator. Together with the scheme, region
   * and scheme-specific parameters it identifies one fetched value in the cache.
   */
  readonly key: string;
  /** A region the body itself names (an ARN's region). */
  readonly region?: string | undefined;
  /** A JSON fragment the body itself names (the json-key of an ECS `valueFrom`). */
  readonly fragment?: string | undefined;
  /**
   * The scheme parameters, normalised, when the provider changes them: merged with ones the body
   * itself names (the version stage of an ECS `valueFrom`) or with defaults dropped. They replace
   * `ParseInput.params` in the reference and are written as query parameters in its canonical form.
   * Names must be in `Provider.params`. Default: `ParseInput.params` unchanged.
   */
  readonly params?: Readonly<Record<string, string>> | undefined;
  /** `false` to fetch this reference in a call of its own rather than in a batch. Default `true`. */
  readonly batch?: boolean | undefined;
}

/** One reference in a batch handed to `Provider.fetch`. */
export interface FetchRequest<L extends Locator = Locator> {
  readonly locator: L;
  /** The canonical reference, for error messages (its body as `Provider.display` shows it). */
  readonly ref: string;
  /** The scheme the reference was written with. */
  readonly scheme: string;
  /** Scheme-specific query parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** The caller asked for a fresh value (`forceFetch`, `retryWithFreshSecret`'s retry): bypass any provider-side memo. */
  readonly forced?: boolean | undefined;
}

/**
 * A provider's answer for one request: a value, or a typed error for this request alone (build it
 * with `failure`, so that it names the request's reference and scheme). What the error is decides
 * what the cache does: a transient one (`ProviderError` with `transient`, `ThrottledError`,
 * `TimeoutError`) keeps the last good value and serves it stale with a backoff; any other
 * (`SecretNotFoundError`, `AccessDeniedError`...) drops it. Call a passing failure transient.
 */
export type FetchResult = FetchedValue | { readonly error: SecretrefError };

/** A value a provider fetched, with what it knows of it besides (AppConfig's content type, poll interval and version). */
export interface FetchedValue {
  readonly value: RawValue;
  /**
   * What the value reads as when the caller names no `as` and the reference no fragment (`json` for a
   * JSON content type, `binary` for bytes); a fragment always reads JSON. @default `string`
   */
  readonly as?: ValueType | undefined;
  /**
   * The least time, in ms, before the value may be fetched again (a service's poll interval): a
   * shorter TTL is raised to it, jitter never takes it below. `forceFetch` still fetches. @default 0
   */
  readonly minTtlMs?: number | undefined;
  /** The version of the value, where the service names one (AppConfig's version label), for the `fetch` event. Never secret. */
  readonly version?: string | undefined;
}

/** What `Provider.fetch` gets besides the requests. */
export interface FetchContext {
  /** The region to use, or `undefined` for the SDK's default chain (`AWS_REGION`, profile...). */
  readonly region: string | undefined;
  /** Aborted when the latest deadline of the callers waiting for this batch has passed; pass it to the SDK. */
  readonly signal: AbortSignal;
  /** Tells the core which region the default chain chose when `region` is `undefined`, for the `fetch` event. */
  readonly reportRegion?: ((region: string) => void) | undefined;
  /**
   * Tells the core how the batch was sent (an AWS provider's transport: `sdk`, `fetch`, `agent`), for
   * the `fetch` event; once for each way a batch used.
   */
  readonly reportVia?: ((via: string) => void) | undefined;
  /** The resolver's clock, for any time or timer a provider needs (the AWS agent's short deadline). */
  readonly clock?: Clock | undefined;
}

/**
 * A provider: a plain object, usually from a factory (`ssmProvider()`), that knows one service.
 * The core decides caching, batching, deadlines and retries; the provider parses bodies and
 * fetches batches.
 */
export interface Provider<L extends Locator = Locator> {
  /** The schemes it handles; the first names the provider in events and messages. */
  readonly schemes: readonly string[];
  /**
   * Scheme-specific query parameters it accepts besides the common ones (`region`, `ttl`, `as`,
   * `optional`). A name ending in `.*` accepts any parameter with that prefix (`context.*`).
   */
  readonly params?: readonly string[] | undefined;
  /** ARN service names whose bare ARNs are references for this provider (`ssm`). */
  readonly arnServices?: readonly string[] | undefined;
  /**
   * How its regions look: `?region=` and a locator's region are checked with it (the AWS providers:
   * `us-east-1`, `eusc-de-east-1`). @default any plain token (`europe-west1`, `eu`)
   */
  readonly isRegion?: ((region: string) => boolean) | undefined;
  /** The most references one `fetch` call takes. @default 1 */
  readonly batchSize?: number | undefined;
  /**
   * How a body is shown in messages, events and `error.ref` when it must not be shown itself: a
   * `kms:` body is a ciphertext, or by mistake a plaintext (`redactText` shows its length and a keyed
   * digest). `ParseInput.ref` and `FetchRequest.ref` are already shown this way. @default the body as it is
   */
  readonly display?: ((body: string) => string) | undefined;
  /** The provider's default TTL in ms when neither the call nor the reference sets one (immutable values: `Infinity`). */
  readonly ttlMs?: number | undefined;
  /** Parses and validates a body; throws `InvalidReferenceError`. Must not do I/O. */
  parse(input: ParseInput): L;
  /**
   * Fetches a batch of at most `batchSize` references, all for `context.region`. Returns one
   * result per request, in request order; two requests of one key (the core sends none, but a
   * direct caller may) each get their own. Throwing fails the whole batch with that error. Once
   * `context.signal` aborts, settle promptly, by rejecting or with errors, never with values fetched
   * after it.
   */
  fetch(requests: readonly FetchRequest<L>[], context: FetchContext): Promise<readonly FetchResult[]>;
  /** Releases clients and sockets. Safe to call twice; a provider may be fetched with again after it. */
  dispose?(): void;
}

/** A class of secretref error that takes a message and options (`SecretNotFoundError`, `ProviderError`...). */
export type RequestErrorClass = new (
  message: string,
  options: SecretrefErrorOptions & { transient?: boolean },
) => SecretrefError;

/**
 * The failure of one request, as a fetch result: an error of `type` that names the request's
 * reference and scheme. The one way a provider builds an error for a request:
 * `failure(request, SecretNotFoundError, \`parameter ${name} does not exist\`)`.
 */
export function failure(
  request: Pick<FetchRequest, 'ref' | 'scheme'>,
  type: RequestErrorClass,
  message: string,
  options: { readonly cause?: unknown; readonly transient?: boolean } = {},
): { readonly error: SecretrefError } {
  return { error: new type(message, { ...options, ref: request.ref, scheme: request.scheme }) };
}

/**
 * An answer without the shape the service documents (`{}`, `null`, a value that is no string): a
 * transient `ProviderError`, so that a last good value is served through it rather than dropped or
 * replaced by what the answer held.
 */
export function malformedAnswer(
  request: Pick<FetchRequest, 'ref' | 'scheme'>,
  operation: string,
  what: string,
): { readonly error: SecretrefError } {
  return failure(request, ProviderError, `${operation} for "${request.ref}" failed: ${what}`, { transient: true });
}

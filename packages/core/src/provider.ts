import type { SecretrefError } from './errors.ts';

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
   * The canonical body: parsing `scheme:key` again yields the same locator. Together with the
   * scheme, region and scheme-specific parameters it identifies one fetched value in the cache.
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
  /** The caller asked for a fresh value (`forceFetch`, `withSecret`'s retry): bypass any provider-side memo. */
  readonly forced?: boolean | undefined;
}

/** A provider's answer for one request: a value, or a typed error for this request alone. */
export type FetchResult = { readonly value: RawValue } | { readonly error: SecretrefError };

/** What `Provider.fetch` gets besides the requests. */
export interface FetchContext {
  /** The region to use, or `undefined` for the SDK's default chain (`AWS_REGION`, profile...). */
  readonly region: string | undefined;
  /** Aborted when the latest deadline of the callers waiting for this batch has passed; pass it to the SDK. */
  readonly signal: AbortSignal;
  /** Tells the core which region the default chain chose when `region` is `undefined`, for the `fetch` event. */
  readonly reportRegion?: ((region: string) => void) | undefined;
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
   * result per request, in request order. Throwing fails the whole batch with that error.
   */
  fetch(requests: readonly FetchRequest<L>[], context: FetchContext): Promise<readonly FetchResult[]>;
  /** Releases clients and sockets. */
  dispose?(): void;
}

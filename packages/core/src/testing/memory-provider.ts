import { SecretNotFoundError, type SecretrefError } from '../errors.ts';
import type { FetchContext, FetchRequest, FetchResult, Locator, Provider, RawValue } from '../provider.ts';

/** Options of `memoryProvider`. */
export interface MemoryProviderOptions {
  /**
   * A real provider to imitate: its schemes, parameters, ARN services, batch size and parser, so
   * references in every form it accepts reach the same value. Values are then keyed by its
   * canonical body.
   */
  readonly like?: Provider | undefined;
  /** Schemes it answers. @default like.schemes, else ['memory'] */
  readonly schemes?: readonly string[] | undefined;
  /** Values by reference body (`ssm:/app/db` has the body `/app/db`). */
  readonly values?: Readonly<Record<string, RawValue>> | undefined;
  /** References per fetch call. @default like.batchSize, else 10 */
  readonly batchSize?: number | undefined;
  /** Scheme-specific query parameters to accept. */
  readonly params?: readonly string[] | undefined;
  /** Default TTL of its values. */
  readonly ttlMs?: number | undefined;
}

/** An in-memory provider for tests, with knobs to change values and inject failures. */
export interface MemoryProvider extends Provider {
  /** The bodies of every fetch call, one array per call. */
  readonly calls: readonly (readonly string[])[];
  /** Sets (or replaces) a value. */
  set(body: string, value: RawValue): void;
  /** Removes a value: later fetches fail with `SecretNotFoundError`. */
  delete(body: string): void;
  /** Makes fetches of `body` (or of every body with `'*'`) fail with the error `make` returns, until `heal`. */
  fail(body: string, make: (request: FetchRequest) => SecretrefError): void;
  /** Ends injected failures (all of them without an argument). */
  heal(body?: string): void;
  /** While true, fetches never answer (until their abort signal fires). */
  hang: boolean;
}

/** Creates an in-memory provider: unit-test code that calls `resolve` without AWS. */
export function memoryProvider(options: MemoryProviderOptions = {}): MemoryProvider {
  const values = new Map<string, RawValue>(Object.entries(options.values ?? {}));
  const failures = new Map<string, (request: FetchRequest) => SecretrefError>();
  const calls: string[][] = [];
  const { like } = options;

  function answer(request: FetchRequest): FetchResult {
    const body = request.locator.key;
    const failure = failures.get(body) ?? failures.get('*');
    if (failure) return { error: failure(request) };
    const value = values.get(body);
    if (value === undefined) {
      // The reference as shown (a `kms:` body never is), not the body itself.
      return {
        error: new SecretNotFoundError(`"${request.ref}" is not set in the in-memory provider`, {
          ref: request.ref,
          scheme: request.scheme,
        }),
      };
    }
    return { value };
  }

  const provider: MemoryProvider = {
    schemes: options.schemes ?? like?.schemes ?? ['memory'],
    batchSize: options.batchSize ?? like?.batchSize ?? 10,
    params: options.params ?? like?.params,
    arnServices: like?.arnServices,
    isRegion: like?.isRegion,
    display: like?.display,
    ttlMs: options.ttlMs ?? like?.ttlMs,
    calls,
    hang: false,
    parse: like ? (input) => like.parse(input) : ({ body }): Locator => ({ key: body }),
    fetch(requests: readonly FetchRequest[], context: FetchContext): Promise<readonly FetchResult[]> {
      calls.push(requests.map((request) => request.locator.key));
      if (provider.hang) {
        return new Promise((_, reject) => {
          // The signal may have been aborted before this call: an `abort` event would never come.
          if (context.signal.aborted) reject(context.signal.reason);
          else context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
        });
      }
      return Promise.resolve(requests.map(answer));
    },
    set: (body, value) => void values.set(body, value),
    delete: (body) => void values.delete(body),
    fail: (body, make) => void failures.set(body, make),
    heal: (body) => (body === undefined ? failures.clear() : void failures.delete(body)),
  };
  return provider;
}

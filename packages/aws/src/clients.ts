/**
 * One AWS SDK client per region, created on first use from a lazily imported SDK module, shared by
 * every AWS provider. The core does not depend on the SDK: clients are typed by what it needs.
 */
import { type FetchContext, type FetchRequest, type FetchResult, ProviderError } from '@secretref/core';

/** What the pool needs of an SDK v3 client. */
export interface AwsClient {
  readonly config: { region(): Promise<string> };
  destroy(): void;
}

/** The client options every AWS provider accepts. */
export interface AwsClientOptions<Client, Config> {
  /**
   * The client for references without a region of their own and for those in its region. Never
   * destroyed by the provider.
   */
  readonly client?: Client | undefined;
  /** Configuration of the clients the provider creates (one per region). */
  readonly clientConfig?: Config | undefined;
  /** Full control: returns the client for a region (`undefined`: the default region). */
  readonly clientFor?: ((region: string | undefined) => Client) | undefined;
}

/** Clients by region, with the SDK module they came from (for its command classes). */
export interface AwsClientPool<Client, Sdk> {
  /**
   * The SDK and the client for a region (`undefined`: the SDK's default chain, whose region is then
   * reported to `context`, for the `fetch` event). Rejects if the SDK cannot be loaded.
   */
  get(
    region: string | undefined,
    context?: Pick<FetchContext, 'reportRegion'>,
  ): Promise<{ readonly sdk: Sdk; readonly client: Client }>;
  /** Fails every request with a clear error when `get` rejected. */
  unavailable(requests: readonly FetchRequest[], error: unknown): FetchResult[];
  /** Destroys the clients the pool created. */
  dispose(): void;
}

/** "Signature expired": the request was signed, then the process froze (a Lambda between invocations). */
export function isSignatureExpired(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'InvalidSignatureException' && typeof message === 'string' && /signature expired/i.test(message);
}

interface MiddlewareStack {
  add(
    middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
    options: object,
  ): void;
}

/**
 * Sends a request again, once, when AWS says its signature expired: the retry runs the signing step
 * again, with the current time. The SDK retries it only when it detected clock skew, which a thawed
 * process with a correct clock does not have.
 */
function retrySignatureExpired(client: object): void {
  const stack = (client as { middlewareStack?: MiddlewareStack }).middlewareStack;
  stack?.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!isSignatureExpired(error)) throw error;
        return next(args);
      }
    },
    { step: 'initialize', name: 'secretrefRetrySignatureExpired', override: true },
  );
}

/** The bundling guide: the `createRequire` banner an ESM bundle of the SDK needs. */
const BUNDLING_GUIDE = 'docs/guides/lambda.md#bundle-size-and-import-time';
const BANNER = "import{createRequire}from'node:module';const require=createRequire(import.meta.url);";
/** Load errors are no secret, but can be long (a require stack): the first line, this long at most. */
const MAX_DETAIL = 200;

/**
 * Why the SDK module could not be loaded. Only a module-not-found error for the package itself means
 * it is missing; anything else (a missing dependency of it, a bundle that cannot `require` Node's
 * modules) is quoted, shortened, so the user chases the real cause.
 */
function loadFailure(packageName: string, error: unknown): string {
  const { code, name, message } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const text = typeof message === 'string' ? message : String(error);
  const namesPackage = text.includes(`'${packageName}'`) || text.includes(`"${packageName}"`);
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && namesPackage) {
    return `${packageName} could not be loaded; add it to your dependencies`;
  }
  const line = `${typeof name === 'string' && name ? name : 'Error'}: ${text.split('\n', 1)[0] ?? ''}`;
  const detail = line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 3)}...` : line;
  const hint = /Dynamic require of/.test(text)
    ? `; an ESM bundle needs a require for the SDK's CommonJS parts: add esbuild's banner ${BANNER} (see ${BUNDLING_GUIDE})`
    : '';
  return `${packageName} failed to load: ${detail}${hint}`;
}

/**
 * Creates a pool. `load` imports the SDK module (a dynamic `import()`, so that the module is only
 * loaded when a reference of the provider's scheme is fetched); `create` makes a client from it.
 */
export function awsClientPool<Client extends AwsClient, Config extends object, Sdk>(
  packageName: string,
  options: AwsClientOptions<Client, Config>,
  load: () => Promise<Sdk>,
  create: (sdk: Sdk, config: Config & { region?: string }) => Client,
): AwsClientPool<Client, Sdk> {
  const clients = new Map<string | undefined, Promise<{ sdk: Sdk; client: Client }>>();
  let module: Promise<Sdk> | undefined;
  // Clients the caller passed in are the caller's to destroy; these are the pool's.
  const created = new WeakSet<Client>();

  async function make(region: string | undefined): Promise<{ sdk: Sdk; client: Client }> {
    module ??= load();
    const sdk = await module.catch((error: unknown) => {
      // A failed import is not remembered: the next fetch tries again.
      module = undefined;
      throw error;
    });
    const custom = options.clientFor?.(region);
    if (custom) return { sdk, client: custom };
    const injected = options.client;
    if (injected && (region === undefined || region === (await injected.config.region().catch(() => undefined)))) {
      return { sdk, client: injected };
    }
    // One attempt per call: the resolver owns retries (a client config may still ask for the SDK's).
    const config = {
      maxAttempts: 1,
      ...(options.clientConfig ?? ({} as Config)),
      ...(region === undefined ? {} : { region }),
    };
    const client = create(sdk, config);
    retrySignatureExpired(client);
    created.add(client);
    return { sdk, client };
  }

  return {
    get(region, context) {
      let entry = clients.get(region);
      if (!entry) {
        entry = make(region);
        clients.set(region, entry);
        entry.catch(() => clients.delete(region));
      }
      const report = context?.reportRegion;
      if (region !== undefined || !report) return entry;
      return entry.then(async (got) => {
        const chosen = await got.client.config.region().catch(() => undefined);
        if (chosen) report(chosen);
        return got;
      });
    },
    unavailable(requests, error) {
      return requests.map((r) => ({
        error: new ProviderError(loadFailure(packageName, error), {
          ref: r.ref,
          scheme: r.scheme,
          cause: error,
        }),
      }));
    },
    dispose() {
      const owned = [...clients.values()];
      clients.clear();
      for (const entry of owned) {
        void entry.then(
          ({ client }) => created.has(client) && client.destroy(),
          () => {},
        );
      }
    },
  };
}

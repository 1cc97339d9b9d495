/**
 * Lambda: `secretsHandlerWith(resolver, refs, handler)` wraps a handler so that its secrets are
 * resolved before each invocation, from the cache when fresh, refreshed when expired, with a deadline
 * taken from the invocation's remaining time. Nothing runs between invocations (no timers survive a
 * freeze). `secretsMiddlewareWith` does the same for middy. `lambdaEncryptionContext` is the context
 * the Lambda console encrypts environment variables with.
 */
import { checkOptions, InvalidOptionError, type ReferenceSpec, type ResolvedAll, type Resolver } from '@secretref/core';

/** What secretref reads of a Lambda context. */
export interface LambdaContextLike {
  getRemainingTimeInMillis?: (() => number) | undefined;
}

/** Options of `secretsHandlerWith` and `secretsMiddlewareWith`. */
export interface LambdaSecretsOptions {
  /**
   * The share of the invocation's remaining time that resolving may take; the rest is the handler's.
   * @default 0.5
   */
  readonly share?: number | undefined;
}

/** Options of `secretsMiddlewareWith`. */
export interface SecretsMiddlewareOptions extends LambdaSecretsOptions {
  /** Also assign the values to the Lambda `context` (as middy's own ssm middleware does). @default true */
  readonly setToContext?: boolean | undefined;
}

/** The part of a middy request the middleware uses. */
export interface MiddyRequestLike {
  readonly context: LambdaContextLike & Record<string, unknown>;
  internal?: Record<string, unknown>;
}

/** The encryption context the Lambda console's helpers use, or `undefined` outside Lambda. */
export function lambdaEncryptionContext(
  env: Record<string, string | undefined> = process.env,
): Record<string, string> | undefined {
  const name = env.AWS_LAMBDA_FUNCTION_NAME;
  return name ? { LambdaFunctionName: name } : undefined;
}

/**
 * Wraps a Lambda handler: `refs` are resolved by `resolver` before each invocation and passed as the
 * third argument. Works for CommonJS handlers, where top-level `await` is not available.
 */
export function secretsHandlerWith<
  const M extends Readonly<Record<string, ReferenceSpec>>,
  E,
  C extends LambdaContextLike,
  R,
>(
  resolver: Pick<Resolver, 'resolveAll'>,
  refs: M,
  handler: (event: E, context: C, secrets: ResolvedAll<M>) => R | Promise<R>,
  options: LambdaSecretsOptions = {},
): (event: E, context: C) => Promise<R> {
  check(resolver, options, 'secretsHandler');
  if (typeof handler !== 'function') throw new InvalidOptionError('secretsHandler needs a handler function');
  return async (event, context) => {
    const secrets = await resolver.resolveAll(refs, deadline(context, options.share));
    return handler(event, context, secrets);
  };
}

/**
 * A middy middleware: resolves `refs` with `resolver` before the handler and puts the values in
 * `request.internal` (read them with middy's `getInternal`) and, by default, on `context`.
 */
export function secretsMiddlewareWith(
  resolver: Pick<Resolver, 'resolveAll'>,
  refs: Readonly<Record<string, ReferenceSpec>>,
  options: SecretsMiddlewareOptions = {},
): { before: (request: MiddyRequestLike) => Promise<void> } {
  check(resolver, options, 'secretsMiddleware');
  return {
    async before(request) {
      if (typeof request?.context !== 'object' || request.context === null) {
        throw new InvalidOptionError('secretsMiddleware: the request has no Lambda context (is it used with middy?)');
      }
      const values = await resolver.resolveAll(refs, deadline(request.context, options.share));
      try {
        request.internal ??= {};
        assignOwn(request.internal, values);
        if (options.setToContext ?? true) assignOwn(request.context, values);
      } catch {
        // A frozen context: its TypeError is the runtime's, not a secret; say what to do.
        throw new InvalidOptionError(
          'secretsMiddleware could not put the values on the context (is it frozen?); pass setToContext: false',
        );
      }
    },
  };
}

// --- Internal helpers ---

const LAMBDA_OPTIONS: ReadonlySet<string> = new Set(['share', 'setToContext']);

/** Checks the resolver and the options before the first invocation: a misspelt one is never ignored. */
function check(resolver: unknown, options: unknown, of: string): void {
  if (typeof (resolver as { resolveAll?: unknown } | null)?.resolveAll !== 'function') {
    throw new InvalidOptionError(`${of} needs a resolver`);
  }
  const { share, setToContext } = checkOptions(options, LAMBDA_OPTIONS, of) as {
    share?: unknown;
    setToContext?: unknown;
  };
  if (share !== undefined && !(typeof share === 'number' && share > 0 && share <= 1)) {
    throw new InvalidOptionError(`option share of ${of} must be a number above 0, at most 1`);
  }
  if (setToContext !== undefined && typeof setToContext !== 'boolean') {
    throw new InvalidOptionError(`option setToContext of ${of} must be true or false`);
  }
}

/** Sets own properties, even one named `__proto__` (refs from JSON.parse): never a prototype. */
function assignOwn(target: Record<string, unknown>, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

/** The deadline for resolving: a share of the remaining time, or the resolver's default outside Lambda. */
function deadline(context: LambdaContextLike | undefined, share = 0.5): { timeoutMs?: number } {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining !== 'number' || !Number.isFinite(remaining)) return {};
  return { timeoutMs: Math.max(1, Math.floor(remaining * share)) };
}

/**
 * `resolveAll` over a resolver: every reference parsed first (an invalid one fails the call before
 * anything is fetched), then all resolved in one tick, so that they share batches; one
 * `ResolveAllError` names every failing key. Results are built with own keys, `__proto__` included.
 */
import { InvalidOptionError, ResolveAllError, SecretrefError } from './errors.ts';
import { CALL_OPTIONS, checkCallOptions } from './options.ts';
import type { ReferenceSpec, ResolveOptions } from './types.ts';

const SPEC_OPTIONS: ReadonlySet<string> = new Set([...CALL_OPTIONS, 'ref']);

/** What `resolveAll` needs of its resolver. */
export interface ResolveAllParts {
  readonly resolve: (ref: string, options: ResolveOptions) => Promise<unknown>;
  /** Parses a reference, throwing a SecretrefError if it is invalid. */
  readonly check: (ref: string) => void;
  /** Counts and publishes a failed resolve. */
  readonly failed: (error: SecretrefError) => void;
}

/** Sets an own property, even one named `__proto__`. */
function own<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The options that are set: an entry's own options override the shared ones only where it sets them. */
function defined(options: ResolveOptions): ResolveOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** Resolves an object of references; see `Resolver.resolveAll`. */
export async function resolveAllWith(
  parts: ResolveAllParts,
  refs: Readonly<Record<string, ReferenceSpec>>,
  options: ResolveOptions | undefined,
): Promise<Record<string, unknown>> {
  if (typeof refs !== 'object' || refs === null || Array.isArray(refs)) {
    throw new InvalidOptionError('resolveAll takes an object of references');
  }
  const shared = options === undefined ? {} : checkCallOptions(options);
  const keys = Object.keys(refs);
  const specs = keys.map((key) => {
    const spec = refs[key] as ReferenceSpec;
    if (typeof spec !== 'object' || spec === null) return { ref: spec as string, options: shared };
    const { ref } = spec; // read once, as every option is
    return { ref, options: { ...shared, ...defined(checkCallOptions(spec, SPEC_OPTIONS, 'a resolveAll entry')) } };
  });
  const invalid: Record<string, SecretrefError> = {};
  specs.forEach(({ ref }, i) => {
    try {
      parts.check(ref);
    } catch (error) {
      if (!(error instanceof SecretrefError)) throw error;
      own(invalid, keys[i] as string, error);
    }
  });
  if (Object.keys(invalid).length > 0) {
    // Each is a failed resolve: counted and published as `resolve` does.
    for (const error of Object.values(invalid)) parts.failed(error);
    throw new ResolveAllError(invalid, keys.length);
  }
  const settled = await Promise.allSettled(specs.map(({ ref, options: o }) => parts.resolve(ref, o)));
  const values: Record<string, unknown> = {};
  const errors: Record<string, SecretrefError> = {};
  settled.forEach((outcome, i) => {
    const key = keys[i] as string;
    if (outcome.status === 'fulfilled') own(values, key, outcome.value);
    else if (outcome.reason instanceof SecretrefError) own(errors, key, outcome.reason);
    else throw outcome.reason;
  });
  if (Object.keys(errors).length > 0) throw new ResolveAllError(errors, keys.length);
  return values;
}

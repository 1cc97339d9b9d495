/**
 * `loadConfigWith`: turns an object of references and plain values into a config object, resolving every
 * reference in one batch, optionally keeping secrets wrapped (`secret(ref)` gives a `Secret`), and
 * validating the result with any Standard Schema validator (zod, valibot, arktype...).
 */
import { type Resolved, safeIssues, schemaThrew } from './config-issues.ts';
import { ConfigError, InvalidOptionError, ResolveAllError, SecretrefError } from './errors.ts';
import { CALL_OPTIONS, checkCallOptions, checkOptions } from './options.ts';
import type { ValueType } from './provider.ts';
import { Secret } from './secret.ts';
import type { ResolveOptions, Resolver } from './types.ts';
import type { ResolvedValue } from './value-types.ts';

/**
 * The Standard Schema interface (https://standardschema.dev), as its authors ask libraries to copy
 * it rather than depend on it.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** What a Standard Schema's `validate` returns. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: readonly {
        readonly message: string;
        readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
      }[];
    };

// Symbol.for: a spec made by the ESM copy of secretref is one for the CommonJS copy too.
const MARKER: unique symbol = Symbol.for('secretref.secretSpec') as never;

/** A reference whose value is kept wrapped in a `Secret` (see `secret`); `V` is what it resolves to. */
export interface SecretSpec<V = unknown> {
  readonly [MARKER]: true;
  readonly ref: string;
  readonly options: Pick<ResolveOptions, 'as' | 'optional'>;
  /** Types only: what the reference resolves to. */
  readonly '~value'?: V;
}

/**
 * Marks a reference in a config spec whose value should stay wrapped: the config holds a `Secret`,
 * typed as `resolve` types the reference (`Secret<string>`, `Secret<unknown>` for a `#key`...).
 */
export function secret<
  const R extends string,
  const A extends ValueType | undefined = undefined,
  const P extends boolean | undefined = undefined,
>(
  ref: R,
  options: { readonly as?: A; readonly optional?: P } = {},
): SecretSpec<ResolvedValue<R, { readonly as: A; readonly optional: P }>> {
  if (typeof ref !== 'string') throw new InvalidOptionError('secret takes a reference');
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionError('the options of secret must be an object');
  const { as, optional } = options;
  checkCallOptions({ as, optional }, CALL_OPTIONS, 'secret');
  return { [MARKER]: true, ref, options: { as, optional } as Pick<ResolveOptions, 'as' | 'optional'> };
}

/** A config spec: nested objects whose leaves are references, `secret(ref)`, or plain values. */
export type ConfigSpec = { readonly [key: string]: ConfigSpec | SecretSpec | string | number | boolean | null };

/**
 * The config a spec resolves to without a schema: a reference becomes what it resolves to (typed as
 * `resolve` types it), a string that cannot be a reference (no `:`) stays itself.
 */
export type ResolvedConfig<S> = {
  -readonly [K in keyof S]: S[K] extends SecretSpec<infer V>
    ? Secret<Exclude<V, undefined>>
    : S[K] extends `${string}:${string}`
      ? ResolvedValue<S[K]>
      : S[K] extends ConfigSpec
        ? ResolvedConfig<S[K]>
        : S[K];
};

/** Options of `loadConfigWith`. */
export interface ConfigOptions<Schema extends StandardSchemaV1 | undefined> {
  /** Validates (and may transform) the resolved config; a `Secret` stays a `Secret` for it. */
  readonly schema?: Schema;
  /** Options for every reference. */
  readonly resolveOptions?: Pick<ResolveOptions, 'timeoutMs' | 'signal'> | undefined;
}

const CONFIG_OPTIONS: ReadonlySet<string> = new Set(['schema', 'resolveOptions']);

/**
 * Refuses, before anything is resolved, what a spec cannot hold: an array, a Map or a Date would become
 * an object (`{}`), and a cycle would never end.
 */
function checkSpec(node: object, path: readonly string[], above: Set<object> = new Set()): void {
  above.add(node);
  for (const [key, value] of Object.entries(node)) {
    if (typeof value !== 'object' || value === null || isSecretSpec(value)) continue;
    const at = [...path, key].join('.');
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidOptionError(
        `the config spec holds ${Array.isArray(value) ? 'an array' : 'an object that is no plain object'} at ${at}: use a plain object`,
      );
    }
    if (above.has(value)) throw new InvalidOptionError(`the config spec holds a cycle at ${at}`);
    checkSpec(value, [...path, key], above);
  }
  above.delete(node);
}

function isSecretSpec(value: unknown): value is SecretSpec {
  return typeof value === 'object' && value !== null && MARKER in value;
}

/** Sets an own, enumerable property: a `__proto__` key (as `JSON.parse` makes it) stays a key, never a prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Resolves a config spec with `resolver` (every reference in one batch) and validates it with `schema`
 * (`loadConfig` in `secretref` is this with the default resolver). Reference
 * failures reject with one `ResolveAllError` keyed by path (`db.password`); schema issues with a
 * `ConfigError` whose messages have every resolved value redacted.
 */
export async function loadConfigWith<
  const Spec extends ConfigSpec,
  Schema extends StandardSchemaV1 | undefined = undefined,
>(
  resolver: Pick<Resolver, 'resolve' | 'isReference'>,
  spec: Spec,
  options: ConfigOptions<Schema> = {},
): Promise<Schema extends StandardSchemaV1<unknown, infer Output> ? Output : ResolvedConfig<Spec>> {
  const r = resolver as Partial<Resolver> | null;
  if (typeof r?.resolve !== 'function' || typeof r.isReference !== 'function') {
    throw new InvalidOptionError('loadConfig needs a resolver');
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InvalidOptionError('loadConfig takes an object of references and values');
  }
  checkOptions(options, CONFIG_OPTIONS, 'loadConfig');
  checkSpec(spec, []);
  const schema = options.schema;
  if (schema !== undefined && typeof schema?.['~standard']?.validate !== 'function') {
    throw new InvalidOptionError('option schema of loadConfig must be a Standard Schema (zod, valibot, arktype...)');
  }
  const call = options.resolveOptions ?? {};
  const jobs: { keys: readonly string[]; promise: Promise<unknown> }[] = [];
  const place: ((value: unknown) => void)[] = [];
  // Every key is defined, never assigned: a spec from JSON.parse may have an own `__proto__` key.
  const build = (node: ConfigSpec, path: readonly string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const keys = [...path, key];
      if (isSecretSpec(value)) {
        jobs.push({ keys, promise: resolver.resolve(value.ref, { ...call, ...value.options }) });
        place.push((resolved) => {
          if (resolved !== undefined) define(out, key, new Secret(resolved));
        });
      } else if (typeof value === 'string' && resolver.isReference(value)) {
        jobs.push({ keys, promise: resolver.resolve(value, call) });
        place.push((resolved) => {
          if (resolved !== undefined) define(out, key, resolved);
        });
      } else if (typeof value === 'object' && value !== null) {
        define(out, key, build(value as ConfigSpec, keys));
      } else {
        define(out, key, value);
      }
    }
    return out;
  };
  const config = build(spec, []);
  const settled = await Promise.allSettled(jobs.map((job) => job.promise));
  const errors: Record<string, SecretrefError> = {};
  const resolved: Resolved[] = [];
  settled.forEach((outcome, i) => {
    const { keys } = jobs[i] as { keys: readonly string[] };
    if (outcome.status === 'rejected') {
      if (!(outcome.reason instanceof SecretrefError)) throw outcome.reason;
      define(errors, keys.join('.'), outcome.reason);
      return;
    }
    if (outcome.value !== undefined) resolved.push({ keys, value: outcome.value });
    (place[i] as (value: unknown) => void)(outcome.value);
  });
  if (Object.keys(errors).length > 0) throw new ResolveAllError(errors, settled.length);
  if (!options.schema) return config as never;
  let result: StandardSchemaResult<unknown>;
  try {
    result = await options.schema['~standard'].validate(config);
  } catch (error) {
    throw schemaThrew(error, resolved);
  }
  if (result.issues) throw new ConfigError(safeIssues(config, result.issues, resolved));
  return result.value as never;
}

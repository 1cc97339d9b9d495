/**
 * `loadConfig`: turns an object of references and plain values into a config object, resolving every
 * reference in one batch, optionally keeping secrets wrapped (`secret(ref)` gives a `Secret`), and
 * validating the result with any Standard Schema validator (zod, valibot, arktype...).
 */
import { ConfigError, type ConfigIssue, InvalidOptionError, ResolveAllError, SecretrefError } from './errors.ts';
import type { ResolveOptions, Resolver } from './resolver.ts';
import { Secret } from './secret.ts';

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

const MARKER: unique symbol = Symbol('secretref.secret');

/** A reference whose value is kept wrapped in a `Secret` (see `secret`). */
export interface SecretSpec {
  readonly [MARKER]: true;
  readonly ref: string;
  readonly options: Pick<ResolveOptions, 'as' | 'optional'>;
}

/** Marks a reference in a config spec whose value should stay wrapped: the config holds a `Secret`. */
export function secret(ref: string, options: Pick<ResolveOptions, 'as' | 'optional'> = {}): SecretSpec {
  return { [MARKER]: true, ref, options };
}

/** A config spec: nested objects whose leaves are references, `secret(ref)`, or plain values. */
export type ConfigSpec = { readonly [key: string]: ConfigSpec | SecretSpec | string | number | boolean | null };

/** The config a spec resolves to without a schema: references become `unknown` (strings, or JSON). */
export type ResolvedConfig<S> = {
  -readonly [K in keyof S]: S[K] extends SecretSpec
    ? Secret<unknown>
    : S[K] extends string
      ? unknown
      : S[K] extends ConfigSpec
        ? ResolvedConfig<S[K]>
        : S[K];
};

/** Options of `loadConfig`. */
export interface ConfigOptions<Schema extends StandardSchemaV1 | undefined> {
  /** The resolver (its providers, cache and options). */
  readonly resolver: Pick<Resolver, 'resolve' | 'isReference'>;
  /** Validates (and may transform) the resolved config; a `Secret` stays a `Secret` for it. */
  readonly schema?: Schema;
  /** Options for every reference. */
  readonly resolveOptions?: Pick<ResolveOptions, 'timeoutMs' | 'signal'> | undefined;
}

function isSecretSpec(value: unknown): value is SecretSpec {
  return typeof value === 'object' && value !== null && MARKER in value;
}

function pathOf(path: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined): string {
  return (path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)).join('.');
}

/**
 * Resolves a config spec (every reference in one batch) and validates it with `schema`. Reference
 * failures reject with one `ResolveAllError` keyed by path (`db.password`); schema issues with a
 * `ConfigError` whose messages have every resolved value redacted.
 */
export async function loadConfig<
  const Spec extends ConfigSpec,
  Schema extends StandardSchemaV1 | undefined = undefined,
>(
  spec: Spec,
  options: ConfigOptions<Schema>,
): Promise<Schema extends StandardSchemaV1<unknown, infer Output> ? Output : ResolvedConfig<Spec>> {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InvalidOptionError('loadConfig takes an object of references and values');
  }
  const { resolver } = options;
  const call = options.resolveOptions ?? {};
  const jobs: { path: string; promise: Promise<unknown> }[] = [];
  const place: ((value: unknown) => void)[] = [];
  const build = (node: ConfigSpec, path: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (isSecretSpec(value)) {
        jobs.push({ path: at, promise: resolver.resolve(value.ref, { ...call, ...value.options }) });
        place.push((resolved) => {
          if (resolved !== undefined) out[key] = new Secret(resolved);
        });
      } else if (typeof value === 'string' && resolver.isReference(value)) {
        jobs.push({ path: at, promise: resolver.resolve(value, call) });
        place.push((resolved) => {
          if (resolved !== undefined) out[key] = resolved;
        });
      } else if (typeof value === 'object' && value !== null) {
        out[key] = build(value as ConfigSpec, at);
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  const config = build(spec, '');
  const settled = await Promise.allSettled(jobs.map((job) => job.promise));
  const errors: Record<string, SecretrefError> = {};
  const revealed: string[] = [];
  settled.forEach((outcome, i) => {
    const job = jobs[i] as { path: string };
    if (outcome.status === 'rejected') {
      if (!(outcome.reason instanceof SecretrefError)) throw outcome.reason;
      errors[job.path] = outcome.reason;
      return;
    }
    if (typeof outcome.value === 'string') revealed.push(outcome.value);
    (place[i] as (value: unknown) => void)(outcome.value);
  });
  if (Object.keys(errors).length > 0) throw new ResolveAllError(errors);
  if (!options.schema) return config as never;
  const result = await options.schema['~standard'].validate(config);
  if (result.issues) {
    // Validators may quote the value they rejected (an enum mismatch): no resolved value is shown.
    const secrets = revealed.filter((value) => value.length >= 3).sort((a, b) => b.length - a.length);
    const issues: ConfigIssue[] = result.issues.map((issue) => ({
      path: pathOf(issue.path),
      message: secrets.reduce((message, value) => message.replaceAll(value, '[redacted]'), issue.message),
    }));
    throw new ConfigError(issues);
  }
  return result.value as never;
}

/**
 * `loadConfig`: turns an object of references and plain values into a config object, resolving every
 * reference in one batch, optionally keeping secrets wrapped (`secret(ref)` gives a `Secret`), and
 * validating the result with any Standard Schema validator (zod, valibot, arktype...).
 */
import {
  ConfigError,
  type ConfigIssue,
  describeThrown,
  InvalidOptionError,
  ResolveAllError,
  SecretrefError,
} from './errors.ts';
import { CALL_OPTIONS, checkCallOptions, checkKnown } from './options.ts';
import type { ValueType } from './provider.ts';
import { addForms, MIN_REDACTABLE, quotesAny, redact, textsOf } from './redact.ts';
import { Secret } from './secret.ts';
import type { ResolvedValue, ResolveOptions, Resolver } from './types.ts';

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

/** Options of `loadConfig`. */
export interface ConfigOptions<Schema extends StandardSchemaV1 | undefined> {
  /** The resolver (its providers, cache and options). */
  readonly resolver: Pick<Resolver, 'resolve' | 'isReference'>;
  /** Validates (and may transform) the resolved config; a `Secret` stays a `Secret` for it. */
  readonly schema?: Schema;
  /** Options for every reference. */
  readonly resolveOptions?: Pick<ResolveOptions, 'timeoutMs' | 'signal'> | undefined;
}

const CONFIG_OPTIONS: ReadonlySet<string> = new Set(['resolver', 'schema', 'resolveOptions']);

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

// --- Internal helpers: keeping resolved values out of schema issues ---

const REDACTED = '[redacted]';
const WITHHELD = 'the value does not match the schema (message withheld: it could quote a secret)';

/** A place in the config, as a chain: cheap to make for every node of a large resolved value. */
interface Place {
  readonly parent: Place | undefined;
  readonly key: string;
}

function placeOf(keys: readonly string[]): Place | undefined {
  return keys.reduce<Place | undefined>((parent, key) => ({ parent, key }), undefined);
}

function keysOf(place: Place | undefined): string[] {
  const keys: string[] = [];
  for (let at = place; at; at = at.parent) keys.push(at.key);
  return keys.reverse();
}

/** What an issue could quote of the resolved values. */
interface Revealed {
  /** Every text of 3 or more characters, in every form a message may quote it, to redact. */
  readonly strings: Set<string>;
  /** Where the values and keys too short to redact are: issues there, above or below say nothing. */
  readonly short: (Place | undefined)[];
}

/** Collects every text of a resolved value (see `textsOf`), and where the too short ones are. */
function collect(value: unknown, at: Place | undefined, into: Revealed): void {
  textsOf(
    value,
    at,
    (parent, key) => ({ parent, key }),
    (text, place) => {
      if (text.length < MIN_REDACTABLE) into.short.push(place);
      else addForms(text, into.strings);
    },
  );
}

/** Is one path a prefix of the other (the same place, or one inside the other)? */
function related(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

type IssuePath = readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;

/**
 * A schema issue with no resolved value in it: strings redacted from the message; the keys of a
 * resolved value redacted from the path (array indexes stay); the whole message withheld when it
 * could quote a value too short to redact.
 */
function safeIssue(
  config: unknown,
  issue: { readonly message: string; readonly path?: IssuePath },
  resolvedAt: readonly (readonly string[])[],
  revealed: Revealed,
  shortKeys: readonly (readonly string[])[],
): ConfigIssue {
  const raw = (issue.path ?? []).map((part) => (typeof part === 'object' && part !== null ? part.key : part));
  const keys = raw.map((part) => String(part));
  const root = resolvedAt.find((at) => at.length < keys.length && related(at, keys));
  // A path part that is no key of the config is the schema's own: it may hold anything, so it is
  // redacted as a message is.
  let node: unknown = config;
  const path = raw
    .map((part, i) => {
      const known = typeof node === 'object' && node !== null && Object.hasOwn(node, String(part));
      node = known ? (node as Record<string, unknown>)[String(part)] : undefined;
      if (root && i >= root.length && typeof part !== 'number') return REDACTED;
      return known ? String(part) : redact(String(part), revealed.strings);
    })
    .join('.');
  const withheld = shortKeys.some((at) => related(at, keys));
  return { path, message: withheld ? WITHHELD : redact(String(issue.message), revealed.strings) };
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
  const { resolver } = checkKnown(options, CONFIG_OPTIONS, 'loadConfig') as unknown as ConfigOptions<Schema>;
  if (typeof resolver?.resolve !== 'function' || typeof resolver.isReference !== 'function') {
    throw new InvalidOptionError('loadConfig needs a resolver');
  }
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
  const resolved: { keys: readonly string[]; value: unknown }[] = [];
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
  if (Object.keys(errors).length > 0) throw new ResolveAllError(errors);
  if (!options.schema) return config as never;
  const revealed = (): Revealed => {
    const into: Revealed = { strings: new Set(), short: [] };
    for (const { keys, value } of resolved) collect(value, placeOf(keys), into);
    return into;
  };
  let result: StandardSchemaResult<unknown>;
  try {
    result = await options.schema['~standard'].validate(config);
  } catch (error) {
    // A schema that throws (a transform's JSON.parse, BigInt, new URL of a value) quotes what it was
    // given: a ConfigError, its cause keeping the message only when it quotes no resolved value.
    const texts: string[] = [];
    for (const { value } of resolved)
      textsOf(
        value,
        undefined,
        () => undefined,
        (text) => void texts.push(text),
      );
    const cause = describeThrown(error, (message) => !quotesAny(message, texts));
    throw new ConfigError([{ path: '', message: `the schema threw ${cause.name} (see the cause)` }], { cause });
  }
  if (result.issues) {
    // Validators may quote the value they rejected (an enum mismatch, an unknown key): no string,
    // key or number of any resolved value is shown.
    const found = revealed();
    const shortKeys = found.short.map(keysOf);
    const resolvedAt = resolved.map(({ keys }) => keys);
    throw new ConfigError(result.issues.map((issue) => safeIssue(config, issue, resolvedAt, found, shortKeys)));
  }
  return result.value as never;
}

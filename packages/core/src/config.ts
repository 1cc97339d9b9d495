/**
 * `loadConfig`: turns an object of references and plain values into a config object, resolving every
 * reference in one batch, optionally keeping secrets wrapped (`secret(ref)` gives a `Secret`), and
 * validating the result with any Standard Schema validator (zod, valibot, arktype...).
 */
import { ConfigError, type ConfigIssue, InvalidOptionError, ResolveAllError, SecretrefError } from './errors.ts';
import { checkKnown } from './options.ts';
import type { ValueType } from './provider.ts';
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
  return { [MARKER]: true, ref, options: options as Pick<ResolveOptions, 'as' | 'optional'> };
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

/** Refuses, before anything is resolved, what a spec cannot hold: an array would become an object. */
function checkSpec(node: object, path: readonly string[]): void {
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) {
      throw new InvalidOptionError(`the config spec holds an array at ${[...path, key].join('.')}: use an object`);
    }
    if (typeof value === 'object' && value !== null && !isSecretSpec(value)) checkSpec(value, [...path, key]);
  }
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
/** Shorter strings are too common to redact ("a" would eat every "a" of a message). */
const MIN_REDACTABLE = 3;
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
  /** Every string of 3 or more characters, raw and JSON-escaped, to redact from messages. */
  readonly strings: Set<string>;
  /** Where the values and keys too short to redact are: issues there, above or below say nothing. */
  readonly short: (Place | undefined)[];
}

function reveal(text: string, place: Place | undefined, into: Revealed): void {
  if (text.length < MIN_REDACTABLE) {
    into.short.push(place);
    return;
  }
  into.strings.add(text);
  // Validators may print the value as JSON.
  const escaped = JSON.stringify(text).slice(1, -1);
  if (escaped !== text) into.strings.add(escaped);
}

/**
 * Collects every string of a resolved value at any depth (object keys too, a `Secret`'s content,
 * bytes as base64 and text) and every number (a PIN is a number in JSON). Booleans and null are left:
 * they say too little to be a secret. Iterative, so a deeply nested JSON value cannot overflow the stack.
 */
function collect(value: unknown, at: Place | undefined, into: Revealed): void {
  const stack: { node: unknown; place: Place | undefined }[] = [{ node: value, place: at }];
  const seen = new Set<object>();
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, place } = item;
    if (typeof node === 'string') {
      reveal(node, place, into);
      // A number in a string, as a schema may coerce it (z.coerce.number()) and format it.
      if (/^-?\d+(?:\.\d+)?$/.test(node)) stack.push({ node: Number(node), place });
      // A JSON text the schema may parse itself (z.string().transform(JSON.parse)): its parts too.
      if (/^\s*[[{]/.test(node)) {
        try {
          stack.push({ node: JSON.parse(node) as unknown, place });
        } catch {
          // Not JSON after all.
        }
      }
    } else if (typeof node === 'number' || typeof node === 'bigint') {
      reveal(String(node), place, into);
      // As a validator's message may format it (98,765 or 98.765).
      reveal(node.toLocaleString('en-US'), place, into);
      reveal(node.toLocaleString(), place, into);
    } else if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    else if (Secret.isSecret(node)) {
      seen.add(node);
      stack.push({ node: node.reveal(), place });
    } else if (node instanceof Uint8Array) {
      const bytes = Buffer.from(node.buffer, node.byteOffset, node.byteLength);
      reveal(bytes.toString('base64'), place, into);
      if (bytes.length >= MIN_REDACTABLE) reveal(bytes.toString('utf8'), place, into);
    } else {
      seen.add(node);
      if (Array.isArray(node)) {
        for (const [i, child] of node.entries()) stack.push({ node: child, place: { parent: place, key: String(i) } });
        continue;
      }
      for (const [key, child] of Object.entries(node)) {
        const inner = { parent: place, key };
        reveal(key, inner, into);
        stack.push({ node: child, place: inner });
      }
    }
  }
}

/** Replaces every occurrence of every string by `[redacted]`, in one pass over the original text. */
function redact(text: string, strings: ReadonlySet<string>): string {
  const hidden = new Uint8Array(text.length);
  let found = false;
  // Case-insensitively, where lower-casing keeps every position (a message may upper-case a value).
  const lower = text.toLowerCase();
  const caseless = lower.length === text.length;
  for (const value of strings) {
    const needle = caseless ? value.toLowerCase() : value;
    const haystack = caseless && needle.length === value.length ? lower : text;
    const wanted = haystack === lower ? needle : value;
    for (let i = haystack.indexOf(wanted); i !== -1; i = haystack.indexOf(wanted, i + 1)) {
      hidden.fill(1, i, i + wanted.length);
      found = true;
    }
  }
  if (!found) return text;
  let out = '';
  for (let i = 0; i < text.length; ) {
    let end = i;
    const masked = hidden[i] === 1;
    while (end < text.length && (hidden[end] === 1) === masked) end++;
    out += masked ? REDACTED : text.slice(i, end);
    i = end;
  }
  return out;
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
  issue: { readonly message: string; readonly path?: IssuePath },
  resolvedAt: readonly (readonly string[])[],
  revealed: Revealed,
  shortKeys: readonly (readonly string[])[],
): ConfigIssue {
  const raw = (issue.path ?? []).map((part) => (typeof part === 'object' && part !== null ? part.key : part));
  const keys = raw.map((part) => String(part));
  const root = resolvedAt.find((at) => at.length < keys.length && related(at, keys));
  const path = raw
    .map((part, i) => (root && i >= root.length && typeof part !== 'number' ? REDACTED : String(part)))
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
  const result = await options.schema['~standard'].validate(config);
  if (result.issues) {
    // Validators may quote the value they rejected (an enum mismatch, an unknown key): no string,
    // key or number of any resolved value is shown.
    const revealed: Revealed = { strings: new Set(), short: [] };
    for (const { keys, value } of resolved) collect(value, placeOf(keys), revealed);
    const shortKeys = revealed.short.map(keysOf);
    const resolvedAt = resolved.map(({ keys }) => keys);
    throw new ConfigError(result.issues.map((issue) => safeIssue(issue, resolvedAt, revealed, shortKeys)));
  }
  return result.value as never;
}

/**
 * Environment loading: every environment variable whose value is a reference (a registered scheme,
 * `{{resolve:...}}`, a bare ARN), or a template with references in `{{ }}`
 * (`postgres://app:{{ secretsmanager:prod/db#password }}@db:5432/app`), is resolved, all in one batch.
 * Plain values are left alone. Nothing is written unless every variable resolved.
 */
import { describeThrown, InvalidOptionError, InvalidValueError, ResolveAllError, SecretrefError } from './errors.ts';
import { checkOptions } from './options.ts';
import { schemeOf } from './registry.ts';
import type { Resolver } from './types.ts';

/** An environment: `process.env` or any object like it. */
export type Environment = Record<string, string | undefined>;

/** Options of `resolveEnvWith` and `loadEnvWith`. */
export interface EnvOptions {
  /** The environment to read (and, for `loadEnv`, write). @default process.env */
  readonly env?: Environment | undefined;
  /** Only these variables. @default every variable */
  readonly names?: readonly string[] | undefined;
  /**
   * The schemes that count as references in values. `env:` and `file:` are left out by default:
   * values such as Prisma's `DATABASE_URL=file:./dev.db` are not references. Bare ARNs and
   * `{{resolve:...}}` follow their scheme. @default every registered scheme but `env` and `file`
   */
  readonly schemes?: readonly string[] | undefined;
  /** Deadline of each reference, in ms. @default the resolver's */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What `resolveEnv` found, per variable. */
export interface EnvResolution {
  /** Resolved variables: their new values. */
  readonly values: Record<string, string>;
  /** Variables that held an optional reference to a value that does not exist: to be unset. */
  readonly unset: readonly string[];
  /** Variables that failed, with the error of the first failing reference in each. */
  readonly errors: Record<string, SecretrefError>;
  /** Every reference found per variable (several for a template), and the values they resolved to. */
  readonly references: Record<string, readonly { readonly ref: string; readonly value: string | undefined }[]>;
}

// `{{ ref }}` in a template; `{{resolve:...}}` (CloudFormation's form) is a reference as written.
const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

const NOT_BY_DEFAULT = new Set(['env', 'file']);

/**
 * Sets an own, enumerable property. Results are keyed by variable name, and a name can be `__proto__`
 * (`env '__proto__=...' node`, or an environment from `JSON.parse`): assigning it would drop the value
 * or replace the object's prototype.
 */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The references in a value: the whole value, or the `{{ }}` placeholders of a template. */
function referencesIn(value: string, isReference: (input: string) => boolean): { whole: boolean; refs: string[] } {
  if (isReference(value)) return { whole: true, refs: [value] };
  const refs: string[] = [];
  for (const match of value.matchAll(PLACEHOLDER)) {
    const inner = match[1] ?? '';
    const ref = inner.startsWith('resolve:') ? `{{${inner}}}` : inner;
    if (isReference(ref)) refs.push(ref);
  }
  return { whole: false, refs };
}

/** A resolved value as environment text: strings as they are, bytes as base64, the rest as JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(value);
}

const ENV_OPTIONS: ReadonlySet<string> = new Set(['env', 'names', 'schemes', 'timeoutMs', 'signal', 'write']);

function isStrings(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The options of `resolveEnv` and `loadEnv`, checked before anything is read or resolved. */
function checkEnvOptions(
  resolver: unknown,
  options: unknown,
  of: string,
): EnvOptions & { readonly write?: boolean | undefined } {
  const r = resolver as Partial<Resolver> | null;
  if (typeof r?.resolve !== 'function' || typeof r.isReference !== 'function') {
    throw new InvalidOptionError(`${of} needs a resolver`);
  }
  const o = checkOptions(options, ENV_OPTIONS, of) as EnvOptions & { readonly write?: unknown };
  const { env, names, schemes, write } = o;
  if (env !== undefined && (typeof env !== 'object' || env === null)) {
    throw new InvalidOptionError(`option env of ${of} must be an object of variables, such as process.env`);
  }
  if (names !== undefined && !isStrings(names)) {
    throw new InvalidOptionError(`option names of ${of} must be an array of variable names`);
  }
  if (schemes !== undefined && !isStrings(schemes)) {
    throw new InvalidOptionError(`option schemes of ${of} must be an array of scheme names`);
  }
  if (write !== undefined && typeof write !== 'boolean') {
    throw new InvalidOptionError(`option write of ${of} must be true or false`);
  }
  return o as EnvOptions & { readonly write?: boolean | undefined };
}

/**
 * Resolves the references in an environment with `resolver`, without writing anything; see
 * `EnvResolution`. (`resolveEnv` in `secretref` is this with the default resolver.)
 */
export async function resolveEnvWith(resolver: EnvResolver, options: EnvOptions = {}): Promise<EnvResolution> {
  checkEnvOptions(resolver, options, 'resolveEnv');
  return resolveChecked(resolver, options);
}

/** What `resolveEnvWith` and `loadEnvWith` need of a resolver. */
export type EnvResolver = Pick<Resolver, 'resolve' | 'isReference'>;

async function resolveChecked(resolver: EnvResolver, options: EnvOptions): Promise<EnvResolution> {
  const env = options.env ?? process.env;
  const names = options.names ?? Object.keys(env);
  const allowed = options.schemes ? new Set(options.schemes.map((s) => s.toLowerCase())) : undefined;
  const isReference = (input: string): boolean => {
    const head = schemeOf(input);
    if (head === undefined) return false;
    // A bare ARN follows its service's provider, whatever `schemes` says.
    if (head.form !== 'arn' && (allowed ? !allowed.has(head.scheme) : NOT_BY_DEFAULT.has(head.scheme))) return false;
    return resolver.isReference(input);
  };
  const found = new Map<string, { whole: boolean; refs: string[]; value: string }>();
  for (const name of names) {
    const value = env[name];
    // Only string values are variables: `names` may list what an object only inherits (`toString`).
    if (typeof value !== 'string') continue;
    const { whole, refs } = referencesIn(value, isReference);
    if (refs.length > 0) found.set(name, { whole, refs, value });
  }
  const call = {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  // Every reference of every variable in the same tick: one batch per provider and region.
  const pending = [...found].map(([name, { refs }]) =>
    Promise.allSettled(refs.map((ref) => resolver.resolve(ref, call))).then((outcomes) => ({ name, outcomes })),
  );
  const values: Record<string, string> = {};
  const unset: string[] = [];
  const errors: Record<string, SecretrefError> = {};
  const references: Record<string, { ref: string; value: string | undefined }[]> = {};
  for (const { name, outcomes } of await Promise.all(pending)) {
    const { whole, refs, value } = found.get(name) as { whole: boolean; refs: string[]; value: string };
    const resolved = outcomes.map((outcome, i) => {
      if (outcome.status === 'rejected') {
        const reason = outcome.reason;
        if (!Object.hasOwn(errors, name)) {
          define(
            errors,
            name,
            reason instanceof SecretrefError
              ? reason
              : new InvalidValueError(`a reference of ${name} failed`, { ref: refs[i], cause: describeThrown(reason) }),
          );
        }
        return undefined;
      }
      return outcome.value === undefined ? undefined : asText(outcome.value);
    });
    define(
      references,
      name,
      refs.map((ref, i) => ({ ref, value: resolved[i] })),
    );
    if (Object.hasOwn(errors, name)) continue;
    if (whole) {
      if (resolved[0] === undefined) unset.push(name);
      else define(values, name, resolved[0]);
      continue;
    }
    let i = 0;
    const filled = value.replace(PLACEHOLDER, (placeholder, inner: string) => {
      const ref = inner.startsWith('resolve:') ? `{{${inner}}}` : inner;
      if (!isReference(ref)) return placeholder;
      // An optional reference to nothing fills in as empty text.
      return resolved[i++] ?? '';
    });
    define(values, name, filled);
  }
  return { values, unset, errors, references };
}

/**
 * Resolves every reference in the environment with `resolver` (see `resolveEnvWith`) and, by default,
 * writes the values
 * back: resolved variables get their values, optional references to nothing are unset. If any
 * variable fails, nothing is written and one `ResolveAllError` names every failing variable with its
 * reason code. Returns the new values.
 */
export async function loadEnvWith(
  resolver: EnvResolver,
  options: EnvOptions & { readonly write?: boolean | undefined } = {},
): Promise<Record<string, string>> {
  checkEnvOptions(resolver, options, 'loadEnv');
  const env = options.env ?? process.env;
  const { values, unset, errors } = await resolveChecked(resolver, options);
  if (Object.keys(errors).length > 0) throw new ResolveAllError(errors);
  if (options.write ?? true) {
    // Defined, not assigned (as `Object.assign` would): a `__proto__` variable stays a variable.
    for (const [name, value] of Object.entries(values)) define(env, name, value);
    for (const name of unset) delete env[name];
  }
  return values;
}

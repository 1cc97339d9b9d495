/**
 * The resolver's defaults, as one object (docs/caching.md lists them), and the checks of every
 * option: those of `createResolver` once, those of a call on every call, cache hit or miss alike.
 */
import { InvalidOptionError } from './errors.ts';
import type { ValueType } from './provider.ts';
import type { ResolveOptions } from './types.ts';

/** Every default of `createResolver`. */
export const DEFAULTS: {
  readonly ttlMs: number;
  readonly jitter: number;
  readonly maxStaleMs: number;
  readonly maxEntries: number;
  readonly maxFailures: number;
  readonly timeoutMs: number;
  readonly maxConcurrency: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly retries: number;
} = Object.freeze({
  ttlMs: 300_000,
  jitter: 0.1,
  maxStaleMs: 86_400_000,
  maxEntries: 1000,
  maxFailures: 10_000,
  timeoutMs: 10_000,
  maxConcurrency: 10,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  retries: 2,
});

const VALUE_TYPES: ReadonlySet<unknown> = new Set<ValueType>(['string', 'json', 'binary', 'list']);

/** A number option: `>= 0`, finite if `finite`, an integer >= 1 if `count`, an integer if `whole`. */
export function numberOption(
  name: string,
  value: unknown,
  fallback: number,
  kind: 'duration' | 'finite' | 'count' | 'whole' | 'fraction' = 'duration',
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    value >= 0 &&
    (kind === 'duration' || Number.isFinite(value)) &&
    (kind !== 'count' || (Number.isInteger(value) && value >= 1)) &&
    (kind !== 'whole' || Number.isInteger(value)) &&
    (kind !== 'fraction' || value <= 1);
  if (!ok) {
    const want = {
      duration: 'a number of ms >= 0',
      finite: 'a finite number of ms >= 0',
      count: 'a whole number >= 1',
      whole: 'a whole number >= 0',
      fraction: 'a number from 0 to 1',
    }[kind];
    throw new InvalidOptionError(`option ${name} must be ${want}, got ${describe(value)}`);
  }
  return value;
}

/** How a bad option value is shown: its type, and the value itself only for numbers and booleans. */
function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  // A short lower-case word is shown (`as: 'yaml'`): it names a type, it is no secret.
  if (typeof value === 'string' && /^[a-z]{1,8}$/.test(value)) return `"${value}"`;
  // A string may be a secret passed in the wrong place: its type and length only.
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `a value of type ${typeof value}`;
}

/** Checks `as`. */
export function asOption(value: unknown): ValueType | undefined {
  if (value === undefined || VALUE_TYPES.has(value)) return value as ValueType | undefined;
  throw new InvalidOptionError(`option as must be string, json, binary or list, got ${describe(value)}`);
}

function booleanOption(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidOptionError(`option ${name} must be true or false, got ${describe(value)}`);
  }
}

/**
 * Refuses options that are no object, or that name an option not in `known` (misspelt, or retired
 * such as `now`). `of` names the function in the message.
 */
export function checkOptions(options: unknown, known: ReadonlySet<string>, of: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(`the options of ${of} must be an object, got ${describe(options)}`);
  }
  for (const name in options) {
    if (!known.has(name)) {
      throw new InvalidOptionError(`unknown option "${name.slice(0, 40)}" of ${of} (known: ${[...known].join(', ')})`);
    }
  }
  return options as Record<string, unknown>;
}

const RESOLVER_OPTIONS: ReadonlySet<string> = new Set([...Object.keys(DEFAULTS), 'providers', 'clock', 'random']);

/** Refuses an option of `createResolver` that does not exist. */
export function checkResolverOptions(options: unknown): void {
  const { clock, random, providers } = checkOptions(options, RESOLVER_OPTIONS, 'createResolver') as {
    clock?: Record<string, unknown>;
    random?: unknown;
    providers?: unknown;
  };
  if (providers !== undefined && !Array.isArray(providers)) {
    throw new InvalidOptionError('option providers of createResolver must be an array of providers');
  }
  if (
    clock !== undefined &&
    (typeof clock?.now !== 'function' || typeof clock.wallTime !== 'function' || typeof clock.setTimer !== 'function')
  ) {
    throw new InvalidOptionError('option clock of createResolver must have now(), wallTime() and setTimer()');
  }
  if (random !== undefined && typeof random !== 'function') {
    throw new InvalidOptionError('option random of createResolver must be a function');
  }
}

/** The options of one `resolve` call. */
export const CALL_OPTIONS: ReadonlySet<string> = new Set([
  'ttlMs',
  'as',
  'optional',
  'timeoutMs',
  'signal',
  'forceFetch',
]);

/**
 * Checks the options of one call and returns what they hold, each read once: a getter cannot pass
 * the check with one value and give the resolver another. Throws `InvalidOptionError`. `known`
 * defaults to `resolve`'s options (a `resolveAll` entry adds `ref`, `watch` its own).
 */
export function checkCallOptions(
  options: unknown,
  known: ReadonlySet<string> = CALL_OPTIONS,
  of = 'resolve',
): ResolveOptions {
  const o = checkOptions(options, known, of);
  const { ttlMs, timeoutMs, as, optional, forceFetch, signal } = o;
  numberOption('ttlMs', ttlMs, 0);
  numberOption('timeoutMs', timeoutMs, 0, 'finite');
  asOption(as);
  booleanOption('optional', optional);
  booleanOption('forceFetch', forceFetch);
  const s = signal as { aborted?: unknown; addEventListener?: unknown } | undefined;
  if (s !== undefined && (typeof s?.addEventListener !== 'function' || typeof s.aborted !== 'boolean')) {
    throw new InvalidOptionError('option signal must be an AbortSignal');
  }
  return { ttlMs, timeoutMs, as, optional, forceFetch, signal } as ResolveOptions;
}

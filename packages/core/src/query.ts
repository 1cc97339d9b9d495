/**
 * The query and the fragment of a reference: the parameters every scheme takes (`region`, `ttl`, `as`,
 * `optional`), those a provider declares, durations, and percent-decoding.
 */
import { InvalidReferenceError } from './errors.ts';
import type { Provider, ValueType } from './provider.ts';

/** The query parameters the core reads for every scheme: a provider cannot declare them as its own. */
export const COMMON_PARAMS: ReadonlySet<string> = new Set(['region', 'ttl', 'as', 'optional']);
const VALUE_TYPES: ReadonlySet<string> = new Set<ValueType>(['string', 'json', 'binary', 'list']);
// A region, for a provider that does not say how its regions look: one plain token (europe-west1).
const REGION = /^[a-z0-9][a-z0-9-]{0,63}$/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What the query's checks look at: the scheme, and its provider's parameters, regions and `display`. */
export interface QueryContext {
  readonly scheme: string;
  readonly provider: Provider;
}

export /** Is `region` one of `provider`'s regions (its `isRegion`, else a plain token)? */
function isRegionOf(provider: Provider, region: string): boolean {
  return provider.isRegion ? provider.isRegion(region) : REGION.test(region);
}

/**
 * Parses a duration: milliseconds as a bare integer (`1500`), or a number with a unit
 * (`250ms`, `30s`, `5m`, `1h`, `1d`). Returns `undefined` for anything else.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const [, amount = '', unit] = match;
  if (unit === undefined && amount.includes('.')) return undefined;
  const ms = Number(amount) * (UNIT_MS[unit ?? 'ms'] ?? 1);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

function decode(text: string, what: string, ref: string, scheme: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidReferenceError(`${what} in "${ref}" has a malformed percent-escape`, { ref, scheme });
  }
}

export function invalid(ref: string, message: string, scheme?: string): InvalidReferenceError {
  return new InvalidReferenceError(`${message} in "${ref}"`, { ref, scheme });
}

export function acceptsParam(provider: Provider, name: string): boolean {
  for (const param of provider.params ?? []) {
    if (param === name) return true;
    if (param.endsWith('.*') && name.length > param.length - 1 && name.startsWith(param.slice(0, -1))) return true;
  }
  return false;
}

/** How a message quotes a part of the input: not at all for a provider whose bodies must not be shown. */
function quote(parts: QueryContext, text: string): string {
  return parts.provider.display ? '(not shown)' : `"${text}"`;
}

export interface Query {
  common: { region?: string; ttlMs?: number; as?: ValueType; optional?: boolean };
  params: Record<string, string>;
}

export function parseQuery(query: string | undefined, parts: QueryContext, ref: string): Query {
  const result: Query = { common: {}, params: {} };
  if (query === undefined) return result;
  if (query === '') throw invalid(ref, 'the query after "?" is empty', parts.scheme);
  const seen = new Set<string>();
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalid(ref, `query parameter ${quote(parts, pair)} must be name=value`, parts.scheme);
    const name = decode(pair.slice(0, eq), 'a query parameter name', ref, parts.scheme);
    const value = decode(pair.slice(eq + 1), `query parameter ${quote(parts, name)}`, ref, parts.scheme);
    if (seen.has(name)) throw invalid(ref, `query parameter ${quote(parts, name)} is repeated`, parts.scheme);
    seen.add(name);
    if (value === '') throw invalid(ref, `query parameter ${quote(parts, name)} is empty`, parts.scheme);
    if (COMMON_PARAMS.has(name)) setCommon(result.common, name, value, ref, parts);
    else if (acceptsParam(parts.provider, name)) result.params[name] = value;
    else {
      const accepted = [...COMMON_PARAMS, ...(parts.provider.params ?? [])].join(', ');
      throw invalid(ref, `unknown query parameter ${quote(parts, name)} (accepted: ${accepted})`, parts.scheme);
    }
  }
  return result;
}

function setCommon(common: Query['common'], name: string, value: string, ref: string, parts: QueryContext): void {
  const { scheme } = parts;
  switch (name) {
    case 'region':
      if (!isRegionOf(parts.provider, value)) throw invalid(ref, `${quote(parts, value)} is not a region`, scheme);
      common.region = value;
      return;
    case 'ttl': {
      const ms = parseDuration(value);
      if (ms === undefined)
        throw invalid(ref, `ttl ${quote(parts, value)} is not a duration (30s, 5m, 1h, 0, or milliseconds)`, scheme);
      common.ttlMs = ms;
      return;
    }
    case 'as':
      if (!VALUE_TYPES.has(value)) {
        throw invalid(ref, `as ${quote(parts, value)} must be string, json, binary or list`, scheme);
      }
      common.as = value as ValueType;
      return;
    default:
      if (value !== 'true' && value !== 'false')
        throw invalid(ref, `optional ${quote(parts, value)} must be true or false`, scheme);
      common.optional = value === 'true';
  }
}

export function parseFragment(raw: string | undefined, ref: string, scheme: string): string | undefined {
  if (raw === undefined) return undefined;
  if (raw === '') throw invalid(ref, 'the fragment after "#" is empty', scheme);
  const fragment = decode(raw, 'the fragment', ref, scheme);
  if (fragment.startsWith('/') && /~(?![01])/.test(fragment)) {
    throw invalid(ref, 'a JSON pointer may only use the escapes ~0 and ~1', scheme);
  }
  return fragment;
}

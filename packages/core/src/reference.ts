/**
 * The reference grammar: `scheme:body[?query][#fragment]`, CloudFormation dynamic references
 * `{{resolve:service:...}}` and bare ARNs, parsed into a typed `Reference` with a canonical string
 * form that parses back to the same reference. See docs/reference-syntax.md.
 */
import { InvalidOptionError, InvalidReferenceError, UnknownSchemeError } from './errors.ts';
import type { Locator, Provider, ReferenceForm, ValueType } from './provider.ts';

/** A parsed reference. Optional fields are absent when the reference does not set them. */
export interface Reference {
  /** Lower-case scheme (`ssm`). */
  readonly scheme: string;
  /** The canonical body, as the provider normalised it (`/app/db:3`). */
  readonly body: string;
  /** `?region=`, or the region of an ARN body. */
  readonly region?: string;
  /** `?ttl=` in milliseconds. */
  readonly ttlMs?: number;
  /** `?as=` */
  readonly as?: ValueType;
  /** `?optional=` */
  readonly optional?: boolean;
  /** Scheme-specific query parameters, decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The decoded fragment: a top-level JSON key (`password`) or an RFC 6901 pointer (`/a/b`). */
  readonly fragment?: string;
}

/** A reference with the provider that handles it and its locator. */
export interface ParsedReference<L extends Locator = Locator> {
  readonly reference: Reference;
  /** The canonical string form of `reference`. */
  readonly canonical: string;
  /** The canonical form as messages and events show it (the body through `Provider.display`). */
  readonly shown: string;
  readonly provider: Provider<L>;
  readonly locator: L;
}

/** The schemes and ARN services a set of providers handles. */
export interface Registry {
  readonly schemes: ReadonlyMap<string, Provider>;
  readonly arnServices: ReadonlyMap<string, { provider: Provider; scheme: string }>;
}

/** Builds a lookup of providers by scheme and ARN service; later providers win. */
export function createRegistry(providers: readonly Provider[]): Registry {
  if (!Array.isArray(providers)) throw new InvalidOptionError('providers must be an array of providers');
  for (const provider of providers) {
    const p = provider as Partial<Provider> | null;
    if (
      typeof p !== 'object' ||
      p === null ||
      !Array.isArray(p.schemes) ||
      p.schemes.some((scheme) => typeof scheme !== 'string' || scheme === '') ||
      typeof p.parse !== 'function' ||
      typeof p.fetch !== 'function'
    ) {
      throw new InvalidOptionError('a provider must be an object with schemes (strings), parse() and fetch()');
    }
  }
  const schemes = new Map<string, Provider>();
  const arnServices = new Map<string, { provider: Provider; scheme: string }>();
  for (const provider of providers) {
    for (const scheme of provider.schemes) schemes.set(scheme, provider);
    const scheme = provider.schemes[0];
    if (scheme === undefined) continue;
    for (const service of provider.arnServices ?? []) arnServices.set(service, { provider, scheme });
  }
  return { schemes, arnServices };
}

const COMMON_PARAMS = new Set(['region', 'ttl', 'as', 'optional']);
const VALUE_TYPES: ReadonlySet<string> = new Set<ValueType>(['string', 'json', 'binary', 'list']);
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// `?` and `#` cannot occur in the names CloudFormation resolves; refusing them keeps the canonical form parseable.
const CLOUDFORMATION = /^\{\{resolve:([a-z][a-z0-9-]*):([^{}?#]+)\}\}$/;
const ARN = /^arn:aws(?:-[a-z]+)*:([a-z0-9-]+):/;
// Two to four letters first: us-east-1, and eusc-de-east-1 (the European Sovereign Cloud).
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
// Whitespace and control characters are never part of a reference; percent-encode them in fragments.
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Is `input` written as a reference of a registered scheme: `{{resolve:<scheme>:...}}`, a bare ARN
 * of a registered ARN service, or `<scheme>:...`? It may still be invalid; `parseWith` says why.
 * Used to tell references from plain values (`postgres://...`, `/usr/bin:/bin`) in environments.
 */
export function isReferenceOf(registry: Registry, input: string): boolean {
  if (typeof input !== 'string') return false;
  const cloudformation = /^\{\{resolve:([a-z][a-z0-9-]*):/.exec(input);
  if (cloudformation) return registry.schemes.has(cloudformation[1] ?? '');
  const arn = ARN.exec(input);
  if (arn) return registry.arnServices.has(arn[1] ?? '');
  const scheme = SCHEME.exec(input);
  return scheme !== null && registry.schemes.has((scheme[1] ?? '').toLowerCase());
}

/** True for an AWS region name (`us-east-1`, `eu-west-1`, `eusc-de-east-1`). */
export function isAwsRegion(text: string): boolean {
  return REGION.test(text);
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

function decode(text: string, what: string, ref: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidReferenceError(`${what} in "${ref}" has a malformed percent-escape`, { ref });
  }
}

function invalid(ref: string, message: string, scheme?: string): InvalidReferenceError {
  return new InvalidReferenceError(`${message} in "${ref}"`, { ref, scheme });
}

function acceptsParam(provider: Provider, name: string): boolean {
  for (const param of provider.params ?? []) {
    if (param === name) return true;
    if (param.endsWith('.*') && name.length > param.length - 1 && name.startsWith(param.slice(0, -1))) return true;
  }
  return false;
}

interface Parts {
  scheme: string;
  provider: Provider;
  body: string;
  form: ReferenceForm;
  query: string | undefined;
  fragment: string | undefined;
  /** The input as messages may show it: the body through `Provider.display`. */
  shown: string;
}

/**
 * `input` as messages show it: for a provider whose bodies must not be shown, everything after the
 * scheme (at `start`, up to `end`) through its `display`, query and fragment too, since a plaintext
 * pasted by mistake may hold `?` and `#`.
 */
function showInput(provider: Provider, input: string, start: number, end = input.length): string {
  const display = provider.display;
  if (!display) return input;
  return input.slice(0, start) + display(input.slice(start, end)) + input.slice(end);
}

/** How a message quotes a part of the input: not at all for a provider whose bodies must not be shown. */
function quote(parts: Parts, text: string): string {
  return parts.provider.display ? '(not shown)' : `"${text}"`;
}

function lookup(registry: Registry, scheme: string): Provider {
  const provider = registry.schemes.get(scheme);
  // The input is not echoed: something that is not a reference may be a secret in the wrong place.
  if (!provider) throw new UnknownSchemeError(scheme, [...registry.schemes.keys()]);
  return provider;
}

/** Splits `rest` at the first `#` (fragment) and then at the first `?` (query). */
function splitTail(rest: string): { head: string; query: string | undefined; fragment: string | undefined } {
  const hash = rest.indexOf('#');
  const beforeHash = hash === -1 ? rest : rest.slice(0, hash);
  const fragment = hash === -1 ? undefined : rest.slice(hash + 1);
  const question = beforeHash.indexOf('?');
  if (question === -1) return { head: beforeHash, query: undefined, fragment };
  return { head: beforeHash.slice(0, question), query: beforeHash.slice(question + 1), fragment };
}

function split(input: string, registry: Registry): Parts {
  const cloudformation = CLOUDFORMATION.exec(input);
  if (cloudformation) {
    const [, scheme = '', body = ''] = cloudformation;
    const provider = lookup(registry, scheme);
    const shown = showInput(provider, input, '{{resolve:'.length + scheme.length + 1, input.length - 2);
    return { scheme, provider, body, form: 'cloudformation', query: undefined, fragment: undefined, shown };
  }
  if (input.startsWith('{{')) {
    // Not echoed: what is between the braces may be the secret itself (`{{hunter2}}`).
    throw new InvalidReferenceError(
      'a CloudFormation dynamic reference must look like {{resolve:service:...}} (the input is not shown: it may be a secret)',
    );
  }
  const arn = ARN.exec(input);
  if (arn) {
    const service = arn[1] ?? '';
    const handler = registry.arnServices.get(service);
    if (!handler) throw new UnknownSchemeError(`arn:${service}`, [...registry.schemes.keys()]);
    const { head, query, fragment } = splitTail(input);
    const shown = showInput(handler.provider, input, 0);
    return { scheme: handler.scheme, provider: handler.provider, body: head, form: 'arn', query, fragment, shown };
  }
  const scheme = SCHEME.exec(input);
  if (!scheme) {
    // Not echoed: a value that is no reference at all may be the secret itself.
    throw new InvalidReferenceError(
      `a reference must start with a scheme (registered: ${[...registry.schemes.keys()].join(', ')}); the input is not shown because it may be a secret`,
    );
  }
  const name = (scheme[1] ?? '').toLowerCase();
  const provider = lookup(registry, name);
  const { head, query, fragment } = splitTail(input.slice(scheme[0].length));
  const shown = showInput(provider, input, scheme[0].length);
  return { scheme: name, provider, body: head, form: 'uri', query, fragment, shown };
}

interface Query {
  common: { region?: string; ttlMs?: number; as?: ValueType; optional?: boolean };
  params: Record<string, string>;
}

function parseQuery(query: string | undefined, parts: Parts, ref: string): Query {
  const result: Query = { common: {}, params: {} };
  if (query === undefined) return result;
  if (query === '') throw invalid(ref, 'the query after "?" is empty', parts.scheme);
  const seen = new Set<string>();
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalid(ref, `query parameter ${quote(parts, pair)} must be name=value`, parts.scheme);
    const name = decode(pair.slice(0, eq), 'a query parameter name', ref);
    const value = decode(pair.slice(eq + 1), `query parameter ${quote(parts, name)}`, ref);
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

function setCommon(common: Query['common'], name: string, value: string, ref: string, parts: Parts): void {
  const { scheme } = parts;
  switch (name) {
    case 'region':
      if (!REGION.test(value)) throw invalid(ref, `${quote(parts, value)} is not an AWS region`, scheme);
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

function parseFragment(raw: string | undefined, ref: string, scheme: string): string | undefined {
  if (raw === undefined) return undefined;
  if (raw === '') throw invalid(ref, 'the fragment after "#" is empty', scheme);
  const fragment = decode(raw, 'the fragment', ref);
  if (fragment.startsWith('/') && /~(?![01])/.test(fragment)) {
    throw invalid(ref, 'a JSON pointer may only use the escapes ~0 and ~1', scheme);
  }
  return fragment;
}

/** Encodes a fragment so that the canonical form parses back to it. */
function encodeFragment(fragment: string): string {
  return fragment.replace(/[%\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => encodeURIComponent(c));
}

/** The canonical string form of a reference: parameters sorted, values percent-encoded. */
export function formatReference(reference: Reference): string {
  if (
    typeof reference?.scheme !== 'string' ||
    typeof reference.body !== 'string' ||
    typeof reference.params !== 'object'
  ) {
    throw new InvalidOptionError('formatReference takes a reference: { scheme, body, params, ... }');
  }
  const params: [string, string][] = Object.entries(reference.params);
  if (reference.region !== undefined) params.push(['region', reference.region]);
  if (reference.ttlMs !== undefined) params.push(['ttl', String(reference.ttlMs)]);
  if (reference.as !== undefined) params.push(['as', reference.as]);
  if (reference.optional !== undefined) params.push(['optional', String(reference.optional)]);
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let text = `${reference.scheme}:${reference.body}`;
  if (params.length > 0) {
    text += `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
  }
  if (reference.fragment !== undefined) text += `#${encodeFragment(reference.fragment)}`;
  return text;
}

/**
 * Parses a reference against a registry of providers. Throws `InvalidReferenceError` or
 * `UnknownSchemeError`; never does I/O.
 */
export function parseWith(registry: Registry, input: string): ParsedReference {
  if (typeof input !== 'string') {
    throw new InvalidReferenceError(`a reference must be a string, got ${input === null ? 'null' : typeof input}`);
  }
  if (input === '') throw new InvalidReferenceError('a reference must not be empty');
  if (FORBIDDEN.test(input) || !input.isWellFormed()) {
    // Do not echo the input: a pasted value in the wrong place could be a secret.
    throw new InvalidReferenceError(
      'a reference must not contain whitespace, control characters or lone surrogates (percent-encode them in a fragment)',
    );
  }
  const parts = split(input, registry);
  // Messages name the reference as shown: a body that must not be shown (a ciphertext) never is.
  const ref = parts.shown;
  if (parts.body === '') throw invalid(ref, 'the reference has an empty body', parts.scheme);
  const { common, params } = parseQuery(parts.query, parts, ref);
  const fragment = parseFragment(parts.fragment, ref, parts.scheme);
  const locator = parts.provider.parse({
    scheme: parts.scheme,
    body: parts.body,
    form: parts.form,
    params,
    ref,
  });
  if (locator.region !== undefined && !REGION.test(locator.region)) {
    throw invalid(ref, `"${locator.region}" is not an AWS region`, parts.scheme);
  }
  if (common.region !== undefined && locator.region !== undefined && common.region !== locator.region) {
    throw invalid(ref, `?region=${common.region} contradicts the ARN's region ${locator.region}`, parts.scheme);
  }
  if (fragment !== undefined && locator.fragment !== undefined && fragment !== locator.fragment) {
    throw invalid(ref, 'the reference names two different JSON keys', parts.scheme);
  }
  const region = common.region ?? locator.region;
  const key = fragment ?? locator.fragment;
  // A provider may normalise its parameters and read some from the body itself (an ECS version
  // stage): the canonical form writes what it returns, so every spelling shares one cache entry.
  const providerParams = locator.params ?? params;
  for (const name of Object.keys(providerParams)) {
    if (!acceptsParam(parts.provider, name)) {
      throw invalid(ref, `the provider returned an undeclared parameter "${name}"`, parts.scheme);
    }
  }
  const reference: Reference = {
    scheme: parts.scheme,
    body: locator.key,
    params: providerParams,
    ...(region === undefined ? {} : { region }),
    ...(common.ttlMs === undefined ? {} : { ttlMs: common.ttlMs }),
    ...(common.as === undefined ? {} : { as: common.as }),
    ...(common.optional === undefined ? {} : { optional: common.optional }),
    ...(key === undefined ? {} : { fragment: key }),
  };
  const canonical = formatReference(reference);
  const display = parts.provider.display;
  // The fragment of a hidden body is hidden too: a plaintext pasted by mistake may hold a `#`.
  const { fragment: shownFragment, ...rest } = reference;
  const shown = display
    ? formatReference({ ...rest, body: display(reference.body) }) +
      (shownFragment === undefined ? '' : `#${display(shownFragment)}`)
    : canonical;
  return { reference, canonical, shown, provider: parts.provider, locator };
}

/** Parses a reference with the given providers. See `parseWith`. */
export function parseReference(input: string, providers: readonly Provider[]): Reference {
  return parseWith(createRegistry(providers), input).reference;
}

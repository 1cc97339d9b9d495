/**
 * The reference grammar: `scheme:body[?query][#fragment]`, CloudFormation dynamic references
 * `{{resolve:service:...}}` and bare ARNs, parsed into a typed `Reference` with a canonical string
 * form that parses back to the same reference. See docs/reference-syntax.md.
 */
import { InvalidOptionError, InvalidReferenceError, SecretrefError, UnknownSchemeError } from './errors.ts';
import type { Locator, Provider, ReferenceForm, ValueType } from './provider.ts';
import { acceptsParam, invalid, isRegionOf, parseFragment, parseQuery } from './query.ts';
import { quotesAny } from './redact.ts';
import { ARN, createRegistry, lookup, type Registry, SCHEME } from './registry.ts';

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

// `?` and `#` cannot occur in the names CloudFormation resolves; refusing them keeps the canonical form parseable.
const CLOUDFORMATION = /^\{\{resolve:([a-z][a-z0-9-]*):([^{}?#]+)\}\}$/;
// Whitespace and control characters are never part of a reference; percent-encode them in fragments.
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

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
  try {
    return parseUnchecked(registry, input);
  } catch (error) {
    if (error instanceof SecretrefError) throw error;
    // A provider's parse, display or isRegion threw: typed, and what it threw is not kept (it may
    // quote a body that its display hides).
    throw new InvalidReferenceError(
      'a provider failed while reading the reference (what it threw is withheld: it could quote the reference)',
    );
  }
}

function parseUnchecked(registry: Registry, input: string): ParsedReference {
  if (typeof input !== 'string') {
    throw new InvalidReferenceError(`a reference must be a string, got ${input === null ? 'null' : typeof input}`);
  }
  if (input === '') throw new InvalidReferenceError('a reference must not be empty');
  if (FORBIDDEN.test(input) || !input.isWellFormed()) {
    // Do not echo the input: a pasted value in the wrong place could be a secret.
    throw new InvalidReferenceError(
      'a reference must not contain whitespace, control characters or lone surrogates (percent-encode them, %20 for a space, in a fragment or in a body whose provider decodes it)',
    );
  }
  const parts = split(input, registry);
  // Messages name the reference as shown: a body that must not be shown (a ciphertext) never is.
  const ref = parts.shown;
  if (parts.body === '') throw invalid(ref, 'the reference has an empty body', parts.scheme);
  const { common, params } = parseQuery(parts.query, parts, ref);
  const fragment = parseFragment(parts.fragment, ref, parts.scheme);
  let locator: Locator;
  try {
    locator = parts.provider.parse({ scheme: parts.scheme, body: parts.body, form: parts.form, params, ref });
  } catch (error) {
    // A typed error passes, unless it quotes a body that the provider's display hides.
    if (error instanceof SecretrefError && !(parts.provider.display && quotesAny(error.message, [parts.body]))) {
      throw error;
    }
    throw invalid(
      ref,
      'the provider could not read the body (what it threw is withheld: it could quote the body)',
      parts.scheme,
    );
  }
  if (typeof locator?.key !== 'string' || locator.key === '') {
    throw invalid(ref, "the provider's parse returned no key", parts.scheme);
  }
  if (locator.region !== undefined && !isRegionOf(parts.provider, locator.region)) {
    throw invalid(ref, `"${locator.region}" is not a region`, parts.scheme);
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

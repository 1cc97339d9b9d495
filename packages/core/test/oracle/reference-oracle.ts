/**
 * A second, independent implementation of the reference grammar, written from the specification
 * alone (deliberately without reading src/reference.ts). The differential test compares it with
 * `parseReference` on many generated inputs: where the two disagree, one of them misreads the spec.
 *
 * It models exactly the two test providers the differential test registers (`mem` and `arnp`), and
 * is meant to be simple and literal rather than fast or pretty.
 */

/** What the oracle says about one input: the reference it denotes, or the class of error it is. */
export type OracleOutcome =
  | {
      ok: true;
      reference: {
        scheme: string;
        body: string;
        params: Record<string, string>;
        region?: string;
        ttlMs?: number;
        as?: 'string' | 'json' | 'binary' | 'list';
        optional?: boolean;
        fragment?: string;
      };
    }
  | { ok: false; error: 'InvalidReferenceError' | 'UnknownSchemeError' };

type OracleReference = Extract<OracleOutcome, { ok: true }>['reference'];

/** The oracle's model of a provider: only what the grammar looks at. */
interface ModelProvider {
  readonly schemes: readonly string[];
  readonly params: readonly string[];
  readonly arnServices: readonly string[];
  /** The regions it declares (`isRegion`), else the spec's default: one plain token. */
  readonly region: RegExp;
  parse(body: string): { key: string; region?: string };
}

/** Mirrors of the differential test's providers. */
const PROVIDERS: readonly ModelProvider[] = [
  {
    schemes: ['mem'],
    params: ['flavour', 'context.*'],
    arnServices: [],
    region: /^[a-z0-9][a-z0-9-]{0,63}$/,
    parse: (body) => ({ key: body }),
  },
  {
    schemes: ['arnp', 'arnp-alt'],
    params: [],
    arnServices: ['ssm'],
    region: /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/,
    parse: (body) => {
      const match = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):/.exec(body);
      return match ? { key: body, region: match[1]! } : { key: body };
    },
  },
];

/** Whitespace (JS `\s`), C0 and C1 controls, DEL, the line and paragraph separators, the BOM. */
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const CLOUDFORMATION = /^\{\{resolve:([a-z][a-z0-9-]*):([^{}?#]+)\}\}$/;
const ARN = /^arn:[a-z0-9-]+:([a-z0-9-]+):/;
const URI_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const VALUE_TYPES: readonly string[] = ['string', 'json', 'binary', 'list'];

const INVALID: OracleOutcome = { ok: false, error: 'InvalidReferenceError' };
const UNKNOWN: OracleOutcome = { ok: false, error: 'UnknownSchemeError' };

function providerOfScheme(scheme: string): ModelProvider | undefined {
  return PROVIDERS.find((provider) => provider.schemes.includes(scheme));
}

function providerOfArnService(service: string): ModelProvider | undefined {
  return PROVIDERS.find((provider) => provider.arnServices.includes(service));
}

/** decodeURIComponent, with `undefined` for a malformed escape. */
function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A provider-specific name: an exact entry, or longer than the prefix of a `prefix.*` entry. */
function accepts(provider: ModelProvider, name: string): boolean {
  return provider.params.some((entry) => {
    if (entry === name) return true;
    if (!entry.endsWith('.*')) return false;
    const prefix = entry.slice(0, -1);
    return name.startsWith(prefix) && name.length > prefix.length;
  });
}

/** A `ttl` value in milliseconds, or `undefined` when it is not a valid duration. */
function duration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const amount = match[1]!;
  const unit = match[2];
  if (unit === undefined && amount.includes('.')) return undefined;
  const ms = Number(amount) * UNIT_MS[unit ?? 'ms']!;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Splits `body?query#fragment`: first at the first `#`, then what is before it at the first `?`. */
function splitTail(rest: string): { body: string; query: string | undefined; fragment: string | undefined } {
  let beforeHash = rest;
  let fragment: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    beforeHash = rest.slice(0, hash);
    fragment = rest.slice(hash + 1);
  }
  const question = beforeHash.indexOf('?');
  if (question < 0) return { body: beforeHash, query: undefined, fragment };
  return { body: beforeHash.slice(0, question), query: beforeHash.slice(question + 1), fragment };
}

/** Parses a reference the way the spec describes, with the `mem` and `arnp` providers registered. */
export function oracleParse(input: string): OracleOutcome {
  // 1. The input itself.
  if (typeof input !== 'string' || input === '' || FORBIDDEN.test(input) || !input.isWellFormed()) return INVALID;

  // 2. The form and the scheme.
  let scheme: string;
  let provider: ModelProvider | undefined;
  let body: string;
  let query: string | undefined;
  let fragment: string | undefined;

  const cloudformation = CLOUDFORMATION.exec(input);
  if (cloudformation) {
    scheme = cloudformation[1]!;
    provider = providerOfScheme(scheme);
    if (!provider) return UNKNOWN;
    body = cloudformation[2]!;
  } else if (input.startsWith('{{')) {
    return INVALID;
  } else {
    const arn = ARN.exec(input);
    let rest: string;
    if (arn) {
      provider = providerOfArnService(arn[1]!);
      if (!provider) return UNKNOWN;
      scheme = provider.schemes[0]!;
      rest = input;
    } else {
      const uri = URI_SCHEME.exec(input);
      if (!uri) return INVALID;
      scheme = uri[1]!.toLowerCase();
      provider = providerOfScheme(scheme);
      if (!provider) return UNKNOWN;
      rest = input.slice(uri[0].length);
    }
    ({ body, query, fragment } = splitTail(rest));
  }

  // 3. The body.
  if (body === '') return INVALID;

  // 4. The query, left to right.
  const params: Record<string, string> = {};
  let region: string | undefined;
  let ttlMs: number | undefined;
  let as: OracleReference['as'];
  let optional: boolean | undefined;
  if (query !== undefined) {
    if (query === '') return INVALID;
    const seen = new Set<string>();
    for (const pair of query.split('&')) {
      const equals = pair.indexOf('=');
      if (equals < 1) return INVALID;
      const name = decode(pair.slice(0, equals));
      const value = decode(pair.slice(equals + 1));
      if (name === undefined || value === undefined) return INVALID;
      if (seen.has(name)) return INVALID;
      seen.add(name);
      if (value === '') return INVALID;
      if (name === 'region') {
        if (!provider.region.test(value)) return INVALID;
        region = value;
      } else if (name === 'ttl') {
        ttlMs = duration(value);
        if (ttlMs === undefined) return INVALID;
      } else if (name === 'as') {
        if (!VALUE_TYPES.includes(value)) return INVALID;
        as = value as OracleReference['as'];
      } else if (name === 'optional') {
        if (value !== 'true' && value !== 'false') return INVALID;
        optional = value === 'true';
      } else {
        if (!accepts(provider, name)) return INVALID;
        params[name] = value;
      }
    }
  }

  // 5. The fragment.
  let decodedFragment: string | undefined;
  if (fragment !== undefined) {
    if (fragment === '') return INVALID;
    decodedFragment = decode(fragment);
    if (decodedFragment === undefined) return INVALID;
    if (decodedFragment.startsWith('/') && /~(?![01])/.test(decodedFragment)) return INVALID;
  }

  // 6. The provider's reading of the body, and the region it names.
  const locator = provider.parse(body);
  if (locator.region !== undefined && !provider.region.test(locator.region)) return INVALID;
  if (region !== undefined && locator.region !== undefined && region !== locator.region) return INVALID;
  region ??= locator.region;

  const reference: OracleReference = { scheme, body: locator.key, params };
  if (region !== undefined) reference.region = region;
  if (ttlMs !== undefined) reference.ttlMs = ttlMs;
  if (as !== undefined) reference.as = as;
  if (optional !== undefined) reference.optional = optional;
  if (decodedFragment !== undefined) reference.fragment = decodedFragment;
  return { ok: true, reference };
}

/**
 * The providers a resolver knows, by scheme and by ARN service, and the one reading of a reference's
 * head: `{{resolve:<service>:...}}`, a bare ARN (`arn:<partition>:<service>:...`) or `<scheme>:...`.
 * Which services have ARNs is what providers declare (`Provider.arnServices`): none is built in.
 */
import { InvalidOptionError, UnknownSchemeError } from './errors.ts';
import type { Provider, ReferenceForm } from './provider.ts';
import { COMMON_PARAMS } from './query.ts';

export const SCHEME: RegExp = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// Any partition: the provider that claims the service checks the rest of its ARNs.
export const ARN: RegExp = /^arn:[a-z0-9-]+:([a-z0-9-]+):/;
// Inputs are lower-cased before the lookup: a scheme with capitals could never match.
const PROVIDER_SCHEME = /^[a-z][a-z0-9+.-]*$/;
const CLOUDFORMATION_HEAD = /^\{\{resolve:([a-z][a-z0-9-]*):/;

/** The schemes and ARN services a set of providers handles. */
export interface Registry {
  readonly schemes: ReadonlyMap<string, Provider>;
  readonly arnServices: ReadonlyMap<string, { provider: Provider; scheme: string }>;
}

// A name, or a prefix of names (`context.*`).
const TOKEN = /^[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*(?:\.\*)?$/;
const SERVICE = /^[a-z0-9-]+$/;
const optionalFunction = (value: unknown) => value === undefined || typeof value === 'function';

/** What is wrong with a provider object, if anything (names fields, never their values). */
function providerProblem(p: Partial<Provider> | null): string | undefined {
  if (typeof p !== 'object' || p === null) return 'a provider must be an object with schemes, parse() and fetch()';
  const { schemes, params, arnServices, batchSize, ttlMs } = p;
  if (!Array.isArray(schemes) || schemes.length === 0) return 'schemes must be a non-empty array (ssm, my-vault)';
  if (schemes.some((scheme) => typeof scheme !== 'string' || !PROVIDER_SCHEME.test(scheme))) {
    return 'schemes must be lower-case names (ssm, my-vault)';
  }
  if (schemes.some((scheme) => COMMON_PARAMS.has(scheme) || scheme === 'arn')) {
    return 'a scheme may not be named region, ttl, as, optional or arn';
  }
  if (params !== undefined && (!Array.isArray(params) || params.some((n) => typeof n !== 'string' || !TOKEN.test(n)))) {
    return 'params must be an array of parameter names';
  }
  if (params?.some((name) => COMMON_PARAMS.has(name))) return 'params may not be region, ttl, as or optional';
  if (typeof p.parse !== 'function' || typeof p.fetch !== 'function') return 'parse and fetch must be functions';
  if (
    arnServices !== undefined &&
    !(Array.isArray(arnServices) && arnServices.every((s) => typeof s === 'string' && SERVICE.test(s)))
  ) {
    return 'arnServices must be an array of lower-case service names (ssm, my-vault)';
  }
  if (!optionalFunction(p.isRegion) || !optionalFunction(p.display) || !optionalFunction(p.dispose)) {
    return 'isRegion, display and dispose must be functions when given';
  }
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    return 'batchSize must be a whole number of at least 1';
  }
  if (ttlMs !== undefined && !(typeof ttlMs === 'number' && ttlMs >= 0)) {
    return 'ttlMs must be a number of ms >= 0 (Infinity: never expires)';
  }
  return undefined;
}

/** Builds a lookup of providers by scheme and ARN service; later providers win. The first `builtIn` are the core's. */
export function createRegistry(providers: readonly Provider[], builtIn = 0): Registry {
  if (!Array.isArray(providers)) throw new InvalidOptionError('providers must be an array of providers');
  // `builtIn` providers (env: and file:) come first: messages count the caller's from 1.
  providers.forEach((provider, i) => {
    let problem: string | undefined;
    try {
      problem = providerProblem(provider as Partial<Provider> | null);
    } catch {
      problem = 'it could not be read (a getter or proxy threw; what it threw is withheld)';
    }
    if (problem !== undefined) {
      throw new InvalidOptionError(`provider ${i + 1 - builtIn} of ${providers.length - builtIn}: ${problem}`);
    }
  });
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

/**
 * Is `input` written as a reference of a registered scheme: `{{resolve:<scheme>:...}}`, a bare ARN
 * of a registered ARN service, or `<scheme>:...`? It may still be invalid; `parseWith` says why.
 * Used to tell references from plain values (`postgres://...`, `/usr/bin:/bin`) in environments.
 */
export function isReferenceOf(registry: Registry, input: string): boolean {
  const head = schemeOf(input);
  if (head === undefined) return false;
  return head.form === 'arn' ? registry.arnServices.has(head.scheme) : registry.schemes.has(head.scheme);
}

/**
 * The scheme a text is written with, if it looks like a reference: the service of `{{resolve:...}}`,
 * the service of a bare ARN (form `arn`), or the lower-cased scheme of `scheme:body`. The one reading
 * of a reference's head, for the parser and for telling references from plain values.
 */
export function schemeOf(input: string): { readonly scheme: string; readonly form: ReferenceForm } | undefined {
  if (typeof input !== 'string') return undefined;
  const cloudformation = CLOUDFORMATION_HEAD.exec(input);
  if (cloudformation) return { scheme: cloudformation[1] ?? '', form: 'cloudformation' };
  const arn = ARN.exec(input);
  if (arn) return { scheme: arn[1] ?? '', form: 'arn' };
  const scheme = SCHEME.exec(input);
  return scheme ? { scheme: (scheme[1] ?? '').toLowerCase(), form: 'uri' } : undefined;
}

/** The provider of `scheme`; throws `UnknownSchemeError`. */
export function lookup(registry: Registry, scheme: string): Provider {
  const provider = registry.schemes.get(scheme);
  // The input is not echoed: something that is not a reference may be a secret in the wrong place.
  if (!provider) throw new UnknownSchemeError(scheme, [...registry.schemes.keys()]);
  return provider;
}

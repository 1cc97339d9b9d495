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

/** Builds a lookup of providers by scheme and ARN service; later providers win. */
export function createRegistry(providers: readonly Provider[]): Registry {
  if (!Array.isArray(providers)) throw new InvalidOptionError('providers must be an array of providers');
  for (const provider of providers) {
    const p = provider as Partial<Provider> | null;
    if (
      typeof p !== 'object' ||
      p === null ||
      !Array.isArray(p.schemes) ||
      p.schemes.some((scheme) => typeof scheme !== 'string' || !PROVIDER_SCHEME.test(scheme)) ||
      (p.params !== undefined && (!Array.isArray(p.params) || p.params.some((name) => COMMON_PARAMS.has(name)))) ||
      typeof p.parse !== 'function' ||
      typeof p.fetch !== 'function'
    ) {
      throw new InvalidOptionError(
        'a provider must be an object with schemes (lower-case: ssm, my-vault), parse() and fetch(), and params other than region, ttl, as and optional',
      );
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

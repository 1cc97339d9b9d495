/**
 * Parsed references: each input parsed once into a `Target`, everything a resolve needs, in a cache
 * bounded by count and by size (a `kms:` reference can be megabytes). A plain map on the hit path (an
 * LRU costs more than the lookup it saves), cleared when full.
 */
import { createHash } from 'node:crypto';
import type { Slot } from './entry.ts';
import type { FetchRequest, Provider, ValueType } from './provider.ts';
import { formatReference, parseWith } from './reference.ts';
import type { Registry } from './registry.ts';

/** A parsed reference, with everything a resolve needs. */
export interface Target {
  /** The canonical reference as messages and events show it. */
  readonly ref: string;
  readonly scheme: string;
  readonly provider: Provider;
  readonly region: string | undefined;
  /** The cache key: the canonical reference without ttl, as, optional and fragment (a digest if long). */
  readonly key: string;
  readonly ttlMs: number;
  readonly as: ValueType | undefined;
  readonly fragment: string | undefined;
  /** Names the view `as` and the fragment give of the value. */
  readonly viewKey: string;
  readonly optional: boolean;
  /** What the provider is asked: the request shared by every variant of the key. */
  readonly request: FetchRequest;
  /** Its key's slot in the store, once a resolve found a live entry there: the hit path's lookup. */
  slot: Slot | undefined;
}

/** The parse cache of one resolver. */
export interface Targets {
  /** The target of `input`; throws what `parseWith` throws. */
  get(input: string): Target;
  /** The target of `input` if it was parsed already. */
  known(input: string): Target | undefined;
  clear(): void;
}

const MAX_PARSED = 10_000;
const MAX_PARSED_CHARS = 16 * 1024 * 1024;
// Cache keys longer than this are kept as a digest: the value store holds no megabyte-long keys.
const MAX_KEY_CHARS = 256;

function cacheKey(fetchKey: string): string {
  return fetchKey.length <= MAX_KEY_CHARS ? fetchKey : `#${createHash('sha256').update(fetchKey).digest('base64')}`;
}

/** Creates the parse cache of a resolver: references of `registry`, `defaultTtlMs` when none says. */
export function createTargets(registry: Registry, defaultTtlMs: number): Targets {
  const targets = new Map<string, Target>();
  let chars = 0;
  return {
    get(input) {
      const known = targets.get(input);
      if (known) return known;
      const { reference, shown, provider, locator } = parseWith(registry, input);
      const { scheme, region, fragment, as, params, body } = reference;
      const fetched = { scheme, body, params, ...(region ? { region } : {}) };
      const fetchKey = formatReference(fetched);
      const display = provider.display;
      // The fetch is shared by every variant of the key, so its errors name the key, not one variant.
      const fetchRef = display ? formatReference({ ...fetched, body: display(body) }) : fetchKey;
      const t: Target = {
        ref: shown,
        scheme,
        provider,
        region,
        key: cacheKey(fetchKey),
        ttlMs: reference.ttlMs ?? provider.ttlMs ?? defaultTtlMs,
        as,
        fragment,
        viewKey: `${as ?? ''}#${fragment ?? ''}`,
        optional: reference.optional ?? false,
        request: { locator, ref: fetchRef, scheme, params },
        slot: undefined,
      };
      const size = input.length * 2 + t.ref.length + t.key.length;
      if (size > MAX_PARSED_CHARS / 4) return t; // a reference of megabytes is parsed on each use
      chars += size;
      if (targets.size >= MAX_PARSED || chars > MAX_PARSED_CHARS) {
        targets.clear();
        chars = size;
      }
      targets.set(input, t);
      return t;
    },
    known: (input) => targets.get(input),
    clear() {
      targets.clear();
      chars = 0;
    },
  };
}

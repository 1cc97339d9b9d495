/**
 * Unit-test application code that calls `resolve` without AWS:
 *
 * ```ts
 * const mock = mockSecrets({ 'ssm:/app/db/password': 'test-password' });
 * await startApp(); // its resolve() calls get the mocked values
 * mock.restore();
 * ```
 *
 * @module secretref/testing
 */
import {
  createResolver,
  envProvider,
  fileProvider,
  InvalidOptionError,
  type RawValue,
  type Resolver,
  type ResolverOptions,
} from '@secretref/core';
import { type MemoryProvider, memoryProvider } from '@secretref/core/testing';
import { awsProviders, setDefaultResolver } from '../default.ts';

export {
  type ManualClock,
  type MemoryProvider,
  type MemoryProviderOptions,
  manualClock,
  memoryProvider,
} from '@secretref/core/testing';

/** What `mockSecrets` returns. */
export interface MockedSecrets {
  /** The resolver now behind `resolve`. */
  readonly resolver: Resolver;
  /** Sets or replaces a mocked value, and drops it from the cache: the next resolve gets it. */
  set(ref: string, value: RawValue): void;
  /**
   * Changes a value at its source only, as a rotation does: the cache keeps serving the old one until
   * it expires (move the resolver's clock: `mockSecrets(values, { clock: manualClock() })`).
   */
  rotate(ref: string, value: RawValue): void;
  /** Every provider call: the scheme and the reference bodies fetched. */
  readonly calls: readonly { readonly scheme: string; readonly bodies: readonly string[] }[];
  /** Puts the previous default resolver back. */
  restore(): void;
}

/**
 * Makes the default resolver answer from memory: each key is a reference in any form the real
 * providers accept (`ssm:/a:3`, `{{resolve:ssm:/a}}`, an ARN), each value what it resolves to.
 * Unmocked references fail with `SecretNotFoundError`, as a missing parameter would.
 */
export function mockSecrets(values: Readonly<Record<string, RawValue>>, options: ResolverOptions = {}): MockedSecrets {
  const mocks: MemoryProvider[] = [...awsProviders(), envProvider(), fileProvider()].map((like) =>
    memoryProvider({ like }),
  );
  const resolver = createResolver({ ...options, providers: mocks });
  // The JSON documents that references with a fragment (`#password`, `#/db/port`) are keys of.
  const documents = new Map<string, Record<string, unknown>>();
  const rotate = (ref: string, value: RawValue): void => {
    const { scheme, body, fragment } = resolver.parse(ref);
    const mock = mocks.find((m) => m.schemes.includes(scheme));
    if (!mock) return;
    if (fragment === undefined) {
      mock.set(body, value);
      return;
    }
    // `secretsmanager:prod/db#password` is a key of the secret's JSON: the value goes in at that key.
    const document = documents.get(`${scheme}:${body}`) ?? {};
    documents.set(`${scheme}:${body}`, document);
    const keys = fragment.startsWith('/')
      ? fragment
          .slice(1)
          .split('/')
          .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'))
      : [fragment];
    let node = document;
    for (const key of keys.slice(0, -1)) {
      const next = Object.hasOwn(node, key) ? node[key] : undefined;
      const child = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : {};
      Object.defineProperty(node, key, { value: child, enumerable: true, writable: true, configurable: true });
      node = child;
    }
    const text = value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
    Object.defineProperty(node, keys.at(-1) as string, {
      value: text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    mock.set(body, JSON.stringify(document));
  };
  const set = (ref: string, value: RawValue): void => {
    rotate(ref, value);
    resolver.invalidate(ref);
  };
  // Two spellings of one value, or a whole value and a key of it, are a mistake in the test.
  const named = new Map<string, string>();
  for (const ref of Object.keys(values)) {
    const { scheme, body, fragment } = resolver.parse(ref);
    const whole = `${scheme}:${body}`;
    const what = fragment === undefined ? whole : `${whole}#${fragment}`;
    const other = named.get(what) ?? (fragment === undefined ? undefined : named.get(whole));
    const clash =
      other ?? (fragment === undefined && [...named.keys()].some((k) => k.startsWith(`${whole}#`)) ? whole : undefined);
    if (clash !== undefined) {
      throw new InvalidOptionError(
        `mockSecrets: "${ref}" names a value mocked already (as "${named.get(clash) ?? clash}")`,
      );
    }
    named.set(what, ref);
  }
  for (const [ref, value] of Object.entries(values)) set(ref, value);
  const previous = setDefaultResolver(resolver);
  return {
    resolver,
    set,
    rotate,
    get calls() {
      return mocks.flatMap((mock) => mock.calls.map((bodies) => ({ scheme: mock.schemes[0] ?? '', bodies })));
    },
    restore() {
      setDefaultResolver(previous);
      resolver.dispose();
    },
  };
}

/**
 * Unit-test application code that calls `resolve` without AWS:
 *
 * ```ts
 * const mock = mockSecrets({ 'ssm:/app/db/password': 'test-password' });
 * await startApp(); // its resolve() calls get the mocked values
 * mock.restore();
 * ```
 */
import {
  createResolver as createCoreResolver,
  envProvider,
  fileProvider,
  type RawValue,
  type Resolver,
  type ResolverOptions,
} from '@secretref/core';
import { type MemoryProvider, memoryProvider } from '@secretref/core/testing';
import { awsProviders, setDefaultResolver } from '../index.ts';

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
  const resolver = createCoreResolver({ ...options, providers: mocks });
  const rotate = (ref: string, value: RawValue): void => {
    const { scheme, body } = resolver.parse(ref);
    mocks.find((mock) => mock.schemes.includes(scheme))?.set(body, value);
  };
  const set = (ref: string, value: RawValue): void => {
    rotate(ref, value);
    resolver.invalidate(ref);
  };
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

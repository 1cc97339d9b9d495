/** What a provider's test hands the suite: the provider, a way to store values, and what it cannot do. */
import type { Locator, Provider } from '@secretref/core';
import type * as Vitest from 'vitest';

/**
 * The parts of Vitest the suite calls. `describeProvider` passes Vitest itself; a topic function can be
 * given any object of this shape (`import * as vitest from 'vitest'`).
 */
export type SuiteApi = Pick<typeof Vitest, 'describe' | 'it' | 'expect' | 'beforeAll' | 'afterEach'>;

/** The provider under test and its backend. */
export interface ConformanceSubject<L extends Locator = Locator> {
  /**
   * A provider for one case. The suite disposes of it when the case ends (through a resolver's
   * `dispose`), so return a fresh one, or the same one if its `dispose` leaves it usable.
   */
  provider(): Provider<L>;
  /**
   * Stores each value where the provider reads it, and returns the body that reads it back, by the
   * same names: a name for a store (`/conformance-1a2b/plain` for SSM), a ciphertext for a decryptor
   * (KMS). A body may end with the provider's own query parameters (`AQICAH...?context.app=x`).
   * Called once per `describeProvider`; values are up to `maxValueBytes` of UTF-8 and never empty.
   */
  seed(values: Readonly<Record<string, string>>): Promise<Readonly<Record<string, string>>>;
  /**
   * Replaces the value seeded under `name` (one of the names `seed` was given) with `value`, where the
   * provider reads it: the body `seed` returned for `name` reads `value` from then on (as a rotation
   * does). The suite checks that a forced fetch answers the new value, then puts the seeded one back.
   * Required unless `immutable: true` (a body that can never read another value: a ciphertext, KMS).
   */
  update?(name: string, value: string): void | Promise<void>;
  /** A body that names nothing stored, different for each `name`. Required unless `notFound: false`. */
  missing?(name: string): string;
  /** The scheme to write references with. @default the provider's first */
  readonly scheme?: string | undefined;
}

/** What the provider cannot do, and extra spellings to check. */
export interface ConformanceOptions {
  /**
   * `false` when no body can name a missing value: a ciphertext always decrypts to something (KMS).
   * The missing-value cases are then left out. @default true
   */
  readonly notFound?: boolean | undefined;
  /**
   * `true` when a body can never read another value than the one it was seeded with (a ciphertext
   * always decrypts to the same plaintext: KMS). The forced-fetch case is then left out, and the
   * subject needs no `update`. @default false
   */
  readonly immutable?: boolean | undefined;
  /**
   * `false` when `fetch` does no I/O worth cancelling (`env:`, an in-memory store): the abort cases
   * then only check that `fetch` settles promptly, not that it answers without a value. @default true
   */
  readonly abort?: boolean | undefined;
  /**
   * Other spellings of the reference to a seeded body, each a whole reference, that must parse to the
   * same reference (one canonical form, one cache entry): `{{resolve:ssm:/a}}` for `ssm:/a`, the
   * URL-safe base64 of a ciphertext. The suite always adds the canonical form and an upper-case scheme.
   */
  readonly canonicalForms?: ((body: string, scheme: string) => readonly string[]) | undefined;
  /** References the provider must refuse with `InvalidReferenceError`, before any call (`ssm:/a//b`). */
  readonly invalid?: readonly string[] | undefined;
  /** The largest value the backend stores, in UTF-8 bytes; the long value is just under it. @default 4096 */
  readonly maxValueBytes?: number | undefined;
  /** How long `fetch` may take to settle once its signal is aborted, in ms. @default 2000 */
  readonly promptMs?: number | undefined;
}

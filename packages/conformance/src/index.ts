/**
 * @secretref/conformance: the suite every secretref provider passes, for Vitest. One call declares
 * every topic (unstorage's `testDriver`); each topic is also exported on its own, as
 * `(test, subject, options)` (keyv's `@keyv/test-suite`).
 *
 * ```ts
 * import { describeProvider } from '@secretref/conformance';
 * describeProvider('vault', { provider: () => vaultProvider(), seed, missing: (name) => `conf/never-${name}` });
 * ```
 *
 * @module @secretref/conformance
 */
import * as vitest from 'vitest';
import { abortTests } from './abort.ts';
import { batchTests } from './batches.ts';
import { canonicalTests } from './canonical.ts';
import { disposeTests } from './dispose.ts';
import { leakTests } from './leaks.ts';
import { missingTests } from './missing.ts';
import { parseTests } from './parse.ts';
import { shapeTests } from './shape.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { valueTests } from './values.ts';

export { abortTests } from './abort.ts';
export { batchTests } from './batches.ts';
export { canonicalTests } from './canonical.ts';
export { disposeTests } from './dispose.ts';
export { leakTests } from './leaks.ts';
export { missingTests } from './missing.ts';
export { parseTests } from './parse.ts';
export { shapeTests } from './shape.ts';
export type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
export { valueTests } from './values.ts';

/** Every topic, in the order `describeProvider` declares them. */
export const topics: readonly ((test: SuiteApi, subject: ConformanceSubject, options?: ConformanceOptions) => void)[] =
  [shapeTests, parseTests, valueTests, batchTests, missingTests, canonicalTests, abortTests, disposeTests, leakTests];

/** Declares the whole suite for one provider, in a `describe` named `<name> conformance`. */
export function describeProvider(name: string, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  if (options.notFound !== false && typeof subject.missing !== 'function') {
    throw new TypeError(`${name}: the subject needs missing(name), a body that names nothing, unless notFound: false`);
  }
  if (options.immutable !== true && typeof subject.update !== 'function') {
    throw new TypeError(`${name}: the subject needs update(name, value), a rotation, unless immutable: true`);
  }
  vitest.describe(`${name} conformance`, () => {
    for (const declare of topics) declare(vitest, subject, options);
  });
}

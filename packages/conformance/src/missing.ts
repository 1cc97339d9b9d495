/** A missing value is `SecretNotFoundError` for that reference alone; `optional` makes it `undefined`. */
import { type FetchResult, SecretNotFoundError, type SecretrefError } from '@secretref/core';
import { topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { textOf } from './util.ts';

/** Missing values, through the resolver and through `fetch`. Left out with `notFound: false`. */
export function missingTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  if (options.notFound === false) return;
  const { it, expect } = test;
  topic(test, subject, options, 'missing values', (h) => {
    it('a missing value is SecretNotFoundError for that reference alone, naming it', async () => {
      const session = h.open();
      const missing = h.missingRef('one');
      const shown = session.request(missing).request.ref;
      // Asked for together: one batch where the provider's batch size allows.
      const [present, absent, other] = await Promise.allSettled([
        session.resolver.resolve(h.ref('plain')),
        session.resolver.resolve(missing),
        session.resolver.resolve(h.ref('unicode')),
      ]);
      expect(present).toEqual({ status: 'fulfilled', value: h.value('plain') });
      expect(other).toEqual({ status: 'fulfilled', value: h.value('unicode') });
      expect(absent.status).toBe('rejected');
      const error = (absent as PromiseRejectedResult).reason as SecretrefError;
      expect(error).toBeInstanceOf(SecretNotFoundError);
      expect(error.ref).toBe(shown);
      expect(error.scheme).toBe(h.scheme);
      expect(error.message).toContain(shown);
      // Not found is an answer, not an outage: no stale value is served through it.
      expect(error.transient).toBe(false);
    });

    it('fetch answers a missing request with SecretNotFoundError and the others with their values', async () => {
      const session = h.open();
      const size = Math.max(1, session.provider.batchSize ?? 1);
      // The missing one between two present ones, as far as the batch size allows.
      const names = size >= 3 ? ['plain', undefined, 'json'] : size === 2 ? ['plain', undefined] : [undefined];
      const requests = names.map((name) => session.request(name ? h.ref(name) : h.missingRef('two')));
      const results = await session.fetch(requests);
      expect(results).toHaveLength(names.length);
      names.forEach((name, i) => {
        const result = results[i] as FetchResult;
        if (name === undefined) {
          const error = 'error' in result ? result.error : undefined;
          expect(error).toBeInstanceOf(SecretNotFoundError);
          expect(error?.ref).toBe(requests[i]?.request.ref);
        } else {
          expect('error' in result ? result.error.message : undefined, name).toBeUndefined();
          if ('value' in result) expect(textOf(result.value), name).toBe(h.value(name));
        }
      });
    });

    it('optional turns a missing value into undefined, and leaves a present one as it is', async () => {
      const { resolver } = h.open();
      expect(await resolver.resolve(h.missingRef('three'), { optional: true })).toBeUndefined();
      expect(await resolver.resolve(`${h.missingRef('four')}?optional=true`)).toBeUndefined();
      expect(await resolver.resolve(h.ref('plain', '?optional=true'))).toBe(h.value('plain'));
    });
  });
}

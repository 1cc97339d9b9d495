/**
 * Canonical forms: every reference round-trips through `formatReference`, a canonical body parses
 * back to the same locator, and every spelling of a reference is one cache entry with one value.
 */
import { formatReference } from '@secretref/core';
import { topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { parseInputOf } from './util.ts';

/** Round trips of references, bodies and the subject's other spellings. */
export function canonicalTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it, expect } = test;
  topic(test, subject, options, 'canonical forms', (h) => {
    it('every reference round-trips: parse, formatReference, parse gives the same reference', () => {
      const { resolver } = h.open();
      const refs = [
        ...h.names.flatMap((name) => [h.ref(name), h.ref(name, '?ttl=5m&optional=true&as=string'), ...h.forms(name)]),
        h.ref('json', `#${h.keys.password}`),
        h.ref('json', `?as=json#/${h.keys.nested}/${h.keys.key}`),
      ];
      for (const ref of refs) {
        const first = resolver.parse(ref);
        const text = formatReference(first);
        const again = resolver.parse(text);
        expect(again, ref).toEqual(first);
        expect(formatReference(again), ref).toBe(text);
      }
    });

    it("a locator's key is a canonical body: parsing it again gives the same locator", () => {
      const { provider } = h.open();
      for (const name of h.names) {
        const input = parseInputOf(`${h.scheme}:${h.body(name)}`, provider.display);
        const locator = provider.parse(input);
        expect(typeof locator.key, name).toBe('string');
        expect(locator.key, name).not.toBe('');
        const again = provider.parse({ ...input, body: locator.key, params: locator.params ?? input.params });
        expect(again, name).toEqual(locator);
      }
    });

    it('every spelling of a reference has one canonical form, one cache entry and one value', async () => {
      for (const name of h.names) {
        const session = h.open();
        const canonical = formatReference(session.resolver.parse(h.ref(name)));
        const forms = [...h.forms(name), canonical];
        for (const form of forms) expect(formatReference(session.resolver.parse(form)), form).toBe(canonical);
        // Asked for at once: one fetch of one request serves every spelling.
        const values = await Promise.all(forms.map((form) => session.resolver.resolve(form)));
        expect(values, name).toEqual(forms.map(() => h.value(name)));
        expect(session.calls.flat(), name).toHaveLength(1);
      }
    });
  });
}

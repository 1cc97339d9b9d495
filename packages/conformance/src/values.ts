/** Values come back exactly as stored: non-ASCII, whitespace, URL characters, JSON, long. */
import { batchOf, expectAnswers, topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { chunks } from './util.ts';

/** Every stored value resolves exactly, and `fetch` answers it as text or UTF-8 bytes. */
export function valueTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it, expect } = test;
  topic(test, subject, options, 'values', (h) => {
    it('resolves every stored value exactly: non-ASCII, whitespace, URL characters, JSON, long', async () => {
      const { resolver } = h.open();
      for (const name of h.names) {
        expect(await resolver.resolve(h.ref(name)), name).toBe(h.value(name));
      }
    });

    it('fetch answers each request with a string, or bytes whose UTF-8 is the stored value', async () => {
      const session = h.open();
      const size = Math.max(1, session.provider.batchSize ?? 1);
      for (const names of chunks(h.names, size)) {
        expectAnswers(h, await session.fetch(batchOf(h, session, names)), names);
      }
    });

    it('reads a key of a JSON value with #key and #/pointer, and the whole with as=json', async () => {
      const { resolver } = h.open();
      const json = JSON.parse(h.value('json')) as { password: string; nested: { key: string } };
      expect(await resolver.resolve(h.ref('json', '#password'))).toBe(json.password);
      expect(await resolver.resolve(h.ref('json', '#/nested/key'))).toBe(json.nested.key);
      expect(await resolver.resolve(h.ref('json', '?as=json'))).toEqual(json);
    });
  });
}

/**
 * Values come back exactly as stored: non-ASCII, whitespace, URL characters, JSON, long; and a forced
 * fetch answers the value stored now.
 */
import { batchOf, expectAnswers, topic } from './harness.ts';
import { token } from './stored-values.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { chunks } from './util.ts';

const FORCED = 'a forced resolve answers the value stored now, not one the provider fetched before';

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
      const { password, nested, key } = h.keys;
      const json = JSON.parse(h.value('json')) as Record<string, unknown>;
      expect(await resolver.resolve(h.ref('json', `#${password}`))).toBe(json[password]);
      expect(await resolver.resolve(h.ref('json', `#/${nested}/${key}`))).toBe(
        (json[nested] as Record<string, unknown>)[key],
      );
      expect(await resolver.resolve(h.ref('json', '?as=json'))).toEqual(json);
    });

    const update = subject.update?.bind(subject);
    if (update === undefined) {
      // Left out only for values that cannot change (immutable: true); describeProvider refuses the rest.
      if (options?.immutable !== true) {
        it(FORCED, () => {
          throw new Error('the subject needs update(name, value) to change a stored value, unless immutable: true');
        });
      }
    } else {
      it(FORCED, async () => {
        const { resolver } = h.open();
        const ref = h.ref('plain');
        expect(await resolver.resolve(ref)).toBe(h.value('plain'));
        const next = `rotated-${token()}`;
        await update('plain', next);
        try {
          // forceFetch sends the request with forced: true, past the resolver's cache: no memo of the provider's may answer it.
          expect(await resolver.resolve(ref, { forceFetch: true }), 'resolve(ref, { forceFetch: true })').toBe(next);
        } finally {
          await update('plain', h.value('plain'));
        }
        const back = await resolver.resolve(ref, { forceFetch: true });
        expect(back, 'forced again, once the seeded value is back').toBe(h.value('plain'));
      });
    }
  });
}

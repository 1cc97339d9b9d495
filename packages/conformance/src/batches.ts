/**
 * Batches: each request gets its own value, in request order, in as few calls as the batch size
 * allows; duplicate and interleaved requests, and concurrent calls whose backend answers out of
 * order, still get their own values.
 */
import { batchOf, expectAnswers, topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { chunks } from './util.ts';

/** `resolveAll` and direct `fetch` calls with batches, duplicates and concurrent calls. */
export function batchTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it, expect } = test;
  topic(test, subject, options, 'batches', (h) => {
    it('resolveAll answers each reference with its own value, in as few calls as the batch size allows', async () => {
      const session = h.open();
      const size = Math.max(1, session.provider.batchSize ?? 1);
      const refs = Object.fromEntries(h.names.map((name) => [name, h.ref(name)]));
      const resolved = await session.resolver.resolveAll(refs);
      expect(resolved).toEqual(Object.fromEntries(h.names.map((name) => [name, h.value(name)])));
      const alone = h.names.filter((name) => session.request(h.ref(name)).request.locator.batch === false).length;
      expect(session.calls).toHaveLength(Math.ceil((h.names.length - alone) / size) + alone);
    });

    it('fetch answers one result per request, in request order', async () => {
      const session = h.open();
      const size = Math.max(1, session.provider.batchSize ?? 1);
      // Reversed, then every other one first: neither the seeding order nor any sorted order.
      const reversed = [...h.names].reverse();
      const order = [...reversed.filter((_, i) => i % 2 === 1), ...reversed.filter((_, i) => i % 2 === 0)];
      for (const names of chunks(order, size)) {
        expectAnswers(h, await session.fetch(batchOf(h, session, names)), names);
      }
    });

    it('duplicate and interleaved requests in one batch each get their own value', async () => {
      const session = h.open();
      const size = Math.max(1, session.provider.batchSize ?? 1);
      const pattern = ['plain', 'unicode', 'plain', 'json', 'unicode', 'plain', 'long', 'json', 'plain', 'spaced'];
      const names = pattern.slice(0, size);
      expectAnswers(h, await session.fetch(batchOf(h, session, names)), names);
    });

    it('concurrent calls each get their own answers, whichever the backend answers first', async () => {
      const session = h.open();
      const size = Math.max(1, session.provider.batchSize ?? 1);
      const calls = [
        ['plain', 'unicode', 'json'],
        ['json', 'plain'],
        ['long'],
        ['unicode', 'spaced', 'symbols', 'plain'],
        ['batch-1', 'batch-2'],
      ].map((names) => names.slice(0, size));
      const results = await Promise.all(calls.map((names) => session.fetch(batchOf(h, session, names))));
      results.forEach((answers, i) => {
        expectAnswers(h, answers, calls[i] as string[]);
      });
    });
  });
}

/** `dispose` is idempotent; a disposed resolver rejects with `DisposedError`, also for a fetch in flight. */
import { DisposedError } from '@secretref/core';
import { topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { settleWithin } from './util.ts';

/** Disposing of providers and resolvers, twice, before and during use. */
export function disposeTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it, expect } = test;
  topic(test, subject, options, 'dispose', (h) => {
    it('dispose can be called twice, before any fetch and after one', async () => {
      const unused = subject.provider();
      expect(() => {
        unused.dispose?.();
        unused.dispose?.();
      }).not.toThrow();
      const session = h.open();
      expect(await session.resolver.resolve(h.ref('plain'))).toBe(h.value('plain'));
      expect(() => {
        session.resolver.dispose();
        session.resolver.dispose();
        session.provider.dispose?.();
      }).not.toThrow();
    });

    it('resolve after dispose rejects with DisposedError', async () => {
      const { resolver } = h.open();
      resolver.dispose();
      await expect(resolver.resolve(h.ref('plain'))).rejects.toBeInstanceOf(DisposedError);
    });

    it('a resolve whose fetch is in flight rejects with DisposedError, and the fetch is aborted', async () => {
      const session = h.open();
      let signal: AbortSignal | undefined;
      session.onFetch = (context) => {
        signal = context.signal;
        session.resolver.dispose();
      };
      await expect(session.resolver.resolve(h.ref('plain'))).rejects.toBeInstanceOf(DisposedError);
      expect(signal?.aborted).toBe(true);
      if (options.abort === false) return;
      const ended = await settleWithin(Promise.allSettled(session.started), h.promptMs);
      expect(ended.status, `the aborted fetch did not settle within ${h.promptMs} ms`).not.toBe('pending');
    });

    it('a resolve queued when the resolver is disposed rejects with DisposedError', async () => {
      const { resolver } = h.open();
      const queued = resolver.resolve(h.ref('unicode'));
      resolver.dispose();
      const outcome = await settleWithin(queued, h.promptMs);
      expect(outcome.status).toBe('rejected');
      expect((outcome as { reason?: unknown }).reason).toBeInstanceOf(DisposedError);
    });
  });
}

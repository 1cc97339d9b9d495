/**
 * No value in any error (message, stack, cause, inspect, JSON), in a diagnostics event, or in the
 * provider object once it has fetched values.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, SecretrefError } from '@secretref/core';
import { type Harness, topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';

/**
 * References that fail after their value was fetched (bad transforms), and a missing one. `as=binary`
 * fails for a string that is not base64; a provider that answers bytes resolves it.
 */
function failing(h: Harness): string[] {
  return [
    ...h.opaque.flatMap((name) => [
      h.ref(name, '?as=json'),
      h.ref(name, '?as=binary'),
      h.ref(name, '#key'),
      h.ref(name, '#/a/b'),
    ]),
    h.ref('json', '#missing-key'),
    h.ref('json', `#/${h.keys.nested}/missing`),
    h.ref('json', '?as=binary'),
    ...(h.options.notFound === false ? [] : [h.missingRef('leak')]),
  ];
}

const RESOLVED = Symbol('resolved');

/** Leak checks of errors, events and the provider. */
export function leakTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it, expect } = test;
  topic(test, subject, options, 'leaks', (h) => {
    it('no error carries a value: failed transforms, missing values, resolveAll', async () => {
      const { resolver } = h.open();
      const refs = failing(h);
      const outcomes = await Promise.all(
        refs.map((ref) =>
          resolver.resolve(ref).then(
            () => RESOLVED,
            (error: unknown) => error,
          ),
        ),
      );
      const errors = outcomes.filter((outcome, i) => {
        if (outcome === RESOLVED && refs[i]?.includes('as=binary')) return false;
        expect(outcome, refs[i]).toBeInstanceOf(SecretrefError);
        return true;
      });
      expect(errors.length).toBeGreaterThan(h.opaque.length * 3);
      const all = await resolver
        .resolveAll(Object.fromEntries(refs.map((ref, i) => [`key${i}`, ref])), { forceFetch: true })
        .catch((error: unknown) => error);
      expect(all).toBeInstanceOf(SecretrefError);
      expect(h.leaks(errors, all)).toEqual([]);
    });

    it('no diagnostics event carries a value, of resolves that succeed or fail', async () => {
      const events: { name: string | symbol; message: unknown }[] = [];
      const listener = (message: unknown, name: string | symbol): void => {
        events.push({ name, message });
      };
      for (const name of Object.values(CHANNELS)) subscribe(name, listener);
      try {
        const { resolver } = h.open();
        const refs = Object.fromEntries(h.names.map((name) => [name, h.ref(name)]));
        await resolver.resolveAll(refs);
        await resolver.resolveAll(refs); // hits
        await Promise.allSettled(failing(h).map((ref) => resolver.resolve(ref)));
      } finally {
        for (const name of Object.values(CHANNELS)) unsubscribe(name, listener);
      }
      expect(events.some((event) => event.name === CHANNELS.fetch)).toBe(true);
      expect(events.some((event) => event.name === CHANNELS.error)).toBe(true);
      expect(h.leaks(events)).toEqual([]);
    });

    it('the provider object shows no value once it has fetched them', async () => {
      const session = h.open();
      await session.resolver.resolveAll(Object.fromEntries(h.names.map((name) => [name, h.ref(name)])));
      expect(h.leaks(session.provider)).toEqual([]);
    });
  });
}

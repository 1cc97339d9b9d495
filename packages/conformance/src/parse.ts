/** `parse` does no I/O, refuses malformed bodies with `InvalidReferenceError` and nothing else. */
import { createHook } from 'node:async_hooks';
import { InvalidReferenceError, type Locator } from '@secretref/core';
import { topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { parseInputOf } from './util.ts';

/** Bodies no provider expects: each parses to a locator or is refused, never a crash. */
const ODD_BODIES = [
  '%',
  '%E0%A4%A',
  '%00',
  ':',
  '::',
  '/',
  '//',
  '///',
  '.',
  '..',
  '-',
  '0',
  '__proto__',
  'constructor',
  'arn:aws:unknown:us-east-1:123456789012:thing/x',
  '{{',
  '\u00e9\u2603\u{1F511}',
  'a'.repeat(5000),
];

/**
 * Asynchronous resources that are no I/O: promises, and crypto jobs, which `randomBytes(n)` and the
 * other synchronous crypto calls create too (`redactText` draws its key so, once per process).
 */
const NOT_IO = /^(?:PROMISE|(?!HTTP)[A-Z0-9]+REQUEST)$/;

/** Parsing, with fetch and every kind of asynchronous work watched. */
export function parseTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it, expect } = test;
  topic(test, subject, options, 'parse', (h) => {
    it('parse does no I/O: no fetch, no asynchronous work, a locator returned synchronously', () => {
      const session = h.open();
      const { provider, resolver } = session;
      const refs = [...h.names.flatMap((name) => h.forms(name)), ...(options.invalid ?? [])];
      const async: string[] = [];
      // Every asynchronous resource (socket, file request, DNS lookup, timer, immediate, tick) made while parsing.
      const hook = createHook({
        init(_id, type) {
          if (!NOT_IO.test(type)) async.push(type);
        },
      });
      const realFetch = globalThis.fetch;
      let fetched = 0;
      const results: unknown[] = [];
      globalThis.fetch = (() => {
        fetched++;
        throw new Error('parse called fetch');
      }) as typeof fetch;
      hook.enable();
      try {
        for (const ref of refs) {
          try {
            results.push(resolver.parse(ref));
          } catch (error) {
            results.push(error);
          }
        }
        for (const name of h.names) results.push(provider.parse(parseInputOf(h.ref(name), provider.display)));
      } finally {
        hook.disable();
        globalThis.fetch = realFetch;
      }
      expect(async).toEqual([]);
      expect(fetched).toBe(0);
      expect(session.calls).toHaveLength(0);
      for (const result of results) expect(typeof (result as { then?: unknown }).then).not.toBe('function');
    });

    if (options.invalid !== undefined && options.invalid.length > 0) {
      const invalid = options.invalid;
      it('a malformed reference is InvalidReferenceError, before any fetch', async () => {
        const { resolver, calls } = h.open();
        for (const ref of invalid) {
          expect(() => resolver.parse(ref), ref).toThrow(InvalidReferenceError);
          await expect(resolver.resolve(ref), ref).rejects.toBeInstanceOf(InvalidReferenceError);
        }
        expect(calls).toHaveLength(0);
      });
    }

    it('parse answers any body with a locator whose key parses back to it, or InvalidReferenceError', () => {
      const { provider } = h.open();
      for (const body of ODD_BODIES) {
        const input = parseInputOf(`${h.scheme}:${body}`, provider.display);
        let locator: Locator;
        try {
          locator = provider.parse(input);
        } catch (error) {
          expect(error, body.slice(0, 40)).toBeInstanceOf(InvalidReferenceError);
          continue;
        }
        expect(typeof locator.key, body.slice(0, 40)).toBe('string');
        expect(locator.key, body.slice(0, 40)).not.toBe('');
        const again = provider.parse({ ...input, body: locator.key, params: locator.params ?? input.params });
        expect(again, body.slice(0, 40)).toEqual(locator);
      }
    });
  });
}

/** `parse` does no I/O, refuses malformed bodies with `InvalidReferenceError` and nothing else. */
import { createHook } from 'node:async_hooks';
import { isDeepStrictEqual } from 'node:util';
import { InvalidReferenceError, type Locator, type ParseInput, type Provider } from '@secretref/core';
import { topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { syncFsCalls } from './sync-io.ts';
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

/** Control characters, invisible and right-to-left marks, lone surrogates, then unicode no body is made for. */
const ODD_PARTS = [
  ...'\0\t\n\r\u007f\u0085\u00a0\ufeff\u200b\u202e',
  '\ud800',
  '\udfff',
  ...['\u00e9', '\u0130', '\u2603', '\u{1F511}', '\u4e2d\u6587', 'e\u0301'],
];
/** Percent signs: alone, doubled, cut short, not hex, escaping `%`, `/`, `:`, `?`, `#`, NUL, bad UTF-8. */
const PERCENT = '% %% %2 %zz %25 %2F %2f %3A %3F %23 %00 %C3%28 %E0%A4%A %F0%9F'.split(' ');

/**
 * Bodies made from a valid one: every printable ASCII character (and the odd texts, unicode and
 * percent signs) before it, inside it, after it, and alone; doubled, reversed, cut, and long.
 */
function generatedBodies(valid: string): string[] {
  const middle = Math.floor(valid.length / 2);
  const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
  const around = [...ascii, ...ODD_PARTS, ...PERCENT].flatMap((part) => [
    `${part}${valid}`,
    `${valid.slice(0, middle)}${part}${valid.slice(middle)}`,
    `${valid}${part}`,
    part,
    part.repeat(3),
  ]);
  const shapes = [
    `${valid}${valid}`,
    `${valid}/${valid}`,
    `${valid}:${valid}`,
    [...valid].reverse().join(''),
    valid.slice(1),
    valid.slice(0, -1),
    valid.toUpperCase(),
    encodeURIComponent(valid),
    `${valid}${'a'.repeat(2048)}`,
    `${valid}${'/'.repeat(2048)}`,
    `${valid}${'%41'.repeat(1000)}`,
    `${valid}${'\u{1F511}'.repeat(1000)}`,
    'x'.repeat(70_000),
  ];
  return [...new Set([...around, ...shapes])];
}

/**
 * Checks that `provider` answers `body` with a locator whose key parses back to it (but for the
 * fragment), or with `InvalidReferenceError`; through `expect` only when it does not, since hundreds
 * of bodies are checked.
 */
function checkBody(test: SuiteApi, provider: Provider, input: ParseInput, body: string): void {
  const { expect } = test;
  const label = (): string => JSON.stringify(body.length > 60 ? `${body.slice(0, 60)}...` : body);
  let locator: Locator;
  try {
    locator = provider.parse({ ...input, body });
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) expect(error, label()).toBeInstanceOf(InvalidReferenceError);
    return;
  }
  if (typeof locator?.key !== 'string' || locator.key === '') {
    expect(typeof locator?.key, label()).toBe('string');
    expect(locator.key, label()).not.toBe('');
  }
  const again = provider.parse({ ...input, body: locator.key, params: locator.params ?? input.params });
  // A fragment the body names (`name:json-key`) goes to the reference (`#json-key`), not into the key.
  const { fragment, ...rest } = locator;
  const { fragment: named, ...restAgain } = again;
  if (named !== undefined) {
    if (!isDeepStrictEqual(again, locator)) expect(again, label()).toEqual(locator);
  } else if (!isDeepStrictEqual(restAgain, rest)) expect(restAgain, label()).toEqual(rest);
}

/** Parsing, with fetch and every kind of asynchronous work watched. */
export function parseTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it, expect } = test;
  topic(test, subject, options, 'parse', (h) => {
    it('parse does no I/O: no fetch, no file system call, no asynchronous work, a locator returned synchronously', () => {
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
      let files: string[] = [];
      hook.enable();
      try {
        // Synchronous file system calls make no asynchronous resource: they are watched on their own.
        files = syncFsCalls(() => {
          for (const ref of refs) {
            try {
              results.push(resolver.parse(ref));
            } catch (error) {
              results.push(error);
            }
          }
          for (const name of h.names) results.push(provider.parse(parseInputOf(h.ref(name), provider.display)));
        });
      } finally {
        hook.disable();
        globalThis.fetch = realFetch;
      }
      expect(files, 'node:fs calls while parsing').toEqual([]);
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
        checkBody(test, provider, parseInputOf(`${h.scheme}:${body}`, provider.display), body);
      }
    });

    it('parse answers bodies made from a valid one (each printable character at either end and inside, unicode, %, long) with a locator or InvalidReferenceError', () => {
      const { provider } = h.open();
      const input = parseInputOf(h.ref('plain'), provider.display);
      for (const body of generatedBodies(input.body)) checkBody(test, provider, input, body);
    });
  });
}

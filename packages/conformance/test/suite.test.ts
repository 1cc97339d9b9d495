/**
 * The suite catches what it is for: run against providers that each break one rule, the cases
 * about that rule fail (and against a correct one, none does). The cases are recorded through the
 * `test` argument every topic takes, then run here one by one.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type FetchRequest,
  type FetchResult,
  InvalidReferenceError,
  type Provider,
  ProviderError,
  SecretNotFoundError,
} from '@secretref/core';
import * as vitest from 'vitest';
import { type ConformanceOptions, type ConformanceSubject, type SuiteApi, topics } from '../src/index.ts';

const { describe, expect, it } = vitest;

/** Declares every topic into a recorder (skipped cases into `skipped`), and runs the recorded cases; returns the titles that failed. */
async function failures(
  subject: ConformanceSubject,
  options: ConformanceOptions = {},
  skipped: string[] = [],
): Promise<string[]> {
  const cases: { title: string; fn: () => unknown }[] = [];
  const beforeAll: (() => unknown)[] = [];
  const afterEach: (() => unknown)[] = [];
  const test = {
    expect,
    describe: (_title: string, fn: () => void) => fn(),
    it: Object.assign((title: string, fn: () => unknown) => cases.push({ title, fn }), {
      skip: (title: string) => skipped.push(title),
    }),
    beforeAll: (fn: () => unknown) => beforeAll.push(fn),
    afterEach: (fn: () => unknown) => afterEach.push(fn),
  } as unknown as SuiteApi;
  for (const declare of topics) declare(test, subject, options);
  for (const fn of beforeAll) await fn();
  const failed: string[] = [];
  for (const { title, fn } of cases) {
    try {
      await fn();
      for (const after of afterEach) await after();
    } catch {
      failed.push(title);
      for (const after of afterEach) await Promise.resolve(after()).catch(() => {});
    }
  }
  return failed;
}

const notFound = (request: FetchRequest, more = ''): FetchResult => ({
  error: new SecretNotFoundError(`"${request.ref}" is not stored${more}`, { ref: request.ref, scheme: request.scheme }),
});

/** A correct provider over a map, with one part replaced by `change`. */
function subjectWith(change: (base: Provider, store: Map<string, string>) => Partial<Provider> = () => ({})) {
  const store = new Map<string, string>();
  const answer = (request: FetchRequest): FetchResult => {
    const value = store.get(request.locator.key);
    return value === undefined ? notFound(request) : { value };
  };
  const base: Provider = {
    schemes: ['store'],
    batchSize: 5,
    parse({ body, ref, scheme }) {
      if (body.includes('%')) throw new InvalidReferenceError(`"${ref}" has a %`, { ref, scheme });
      return { key: body };
    },
    async fetch(requests, { signal }) {
      await new Promise((resolve) => setImmediate(resolve));
      signal.throwIfAborted();
      return requests.map(answer);
    },
  };
  const subject: ConformanceSubject = {
    provider: () => ({ ...base, ...change(base, store) }),
    seed: async (values) => {
      for (const [name, value] of Object.entries(values)) store.set(`s/${name}`, value);
      return Object.fromEntries(Object.keys(values).map((name) => [name, `s/${name}`]));
    },
    update: (name, value) => {
      store.set(`s/${name}`, value);
    },
    missing: (name) => `s/never-${name}`,
  };
  return subject;
}

/** A provider whose not-found errors show the values of the other requests of their batch, as `show` writes them. */
const showsBatchValues =
  (show: (value: string) => string): NonNullable<Parameters<typeof subjectWith>[0]> =>
  (base, store) => ({
    async fetch(requests, context) {
      const shown = requests.flatMap((r) => store.get(r.locator.key) ?? []).map(show);
      return (await base.fetch(requests, context)).map((r, i) =>
        'error' in r ? notFound(requests[i] as FetchRequest, ` (its batch read ${shown.join(', ')})`) : r,
      );
    },
  });

const options: ConformanceOptions = { promptMs: 200, invalid: ['store:%'] };

describe('the suite', () => {
  it('passes a correct provider', async () => {
    const skipped: string[] = [];
    expect(await failures(subjectWith(), options, skipped)).toEqual([]);
    expect(skipped).toEqual([]);
  });

  it('fails a subject that cannot update a value unless it says its values never change', async () => {
    const { update: _, ...subject } = subjectWith();
    expect(await failures(subject, options)).toEqual([expect.stringMatching(/^a forced resolve answers /)]);
    const skipped: string[] = [];
    expect(await failures(subject, { ...options, immutable: true }, skipped)).toEqual([]);
    expect(skipped).toEqual([]);
  });

  it.each<[string, Parameters<typeof subjectWith>[0], string[]]>([
    [
      'answers in reverse order',
      (base) => ({ fetch: async (requests, context) => [...(await base.fetch(requests, context))].reverse() }),
      ['fetch answers one result per request, in request order', 'fetch answers each request with a string'],
    ],
    [
      'answers each key once, dropping duplicates',
      (base) => ({
        fetch: (requests, context) =>
          base.fetch(
            requests.filter((r, i) => requests.findIndex((o) => o.locator.key === r.locator.key) === i),
            context,
          ),
      }),
      ['duplicate and interleaved requests in one batch each get their own value'],
    ],
    [
      'shares one batch between concurrent calls',
      (_base, store) => {
        let current: readonly FetchRequest[] = [];
        return {
          async fetch(requests) {
            current = requests;
            await new Promise((resolve) => setImmediate(resolve));
            return current.map((r) => ({ value: store.get(r.locator.key) ?? '' }));
          },
        };
      },
      ['concurrent calls each get their own answers'],
    ],
    [
      'trims values',
      (base) => ({
        fetch: async (requests, context) =>
          (await base.fetch(requests, context)).map((r) => ('value' in r ? { value: String(r.value).trim() } : r)),
      }),
      ['resolves every stored value exactly'],
    ],
    [
      'calls a missing value a provider error',
      (base) => ({
        fetch: async (requests, context) =>
          (await base.fetch(requests, context)).map((r, i) =>
            'error' in r ? { error: new ProviderError('gone', { ref: requests[i]?.ref, transient: true }) } : r,
          ),
      }),
      ['a missing value is SecretNotFoundError for that reference alone', 'optional turns a missing value'],
    ],
    [
      'answers a missing value with a plain Error',
      (base) => ({
        fetch: async (requests, context) =>
          (await base.fetch(requests, context)).map((r) =>
            'error' in r ? { error: new Error('missing') as never } : r,
          ),
      }),
      ['fetch answers a missing request with SecretNotFoundError'],
    ],
    [
      "keeps the backend's answer, values and all, as the cause of a not-found",
      (_base, store) => ({
        async fetch(requests) {
          const answer = Object.fromEntries(requests.map((r) => [r.locator.key, store.get(r.locator.key)]));
          return requests.map((r) =>
            store.has(r.locator.key)
              ? { value: store.get(r.locator.key) as string }
              : { error: new SecretNotFoundError(`"${r.ref}" is not stored`, { ref: r.ref, cause: answer }) },
          );
        },
      }),
      ['no error carries a value'],
    ],
    [
      'keeps fetched values on the provider object',
      (base) => {
        const seen: Record<string, unknown> = {};
        return {
          seen,
          async fetch(requests, context) {
            const results = await base.fetch(requests, context);
            results.forEach((r, i) => {
              if ('value' in r) seen[requests[i]?.locator.key ?? ''] = r.value;
            });
            return results;
          },
        } as Partial<Provider>;
      },
      ['the provider object shows no value once it has fetched them'],
    ],
    [
      'ignores its abort signal and answers late',
      (base) => ({
        async fetch(requests, context) {
          await new Promise((resolve) => setImmediate(resolve));
          // As a call that does not listen to its signal would: it takes as long as it takes.
          if (context.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 400).unref());
          return base.fetch(requests, { ...context, signal: new AbortController().signal });
        },
      }),
      ['fetch with an already aborted signal settles promptly', 'fetch aborted as soon as it has started'],
    ],
    [
      'answers values after an abort',
      (base) => ({
        fetch: (requests, context) => base.fetch(requests, { ...context, signal: new AbortController().signal }),
      }),
      ['fetch with an already aborted signal settles promptly', 'fetch aborted as soon as it has started'],
    ],
    [
      'throws when disposed twice',
      () => {
        let disposed = false;
        return {
          dispose() {
            if (disposed) throw new Error('already disposed');
            disposed = true;
          },
        };
      },
      ['dispose can be called twice'],
    ],
    [
      'calls fetch while parsing',
      (base) => ({
        parse(input) {
          void globalThis.fetch('http://127.0.0.1:9/').catch(() => {});
          return base.parse(input);
        },
      }),
      ['parse does no I/O'],
    ],
    [
      'starts a timer while parsing',
      (base) => ({
        parse(input) {
          setTimeout(() => {}, 0).unref();
          return base.parse(input);
        },
      }),
      ['parse does no I/O'],
    ],
    [
      'throws a TypeError for an odd body',
      (base) => ({
        parse(input) {
          if (input.body.startsWith(':')) throw new TypeError('cannot read properties of undefined');
          return base.parse(input);
        },
      }),
      ['parse answers any body with a locator whose key parses back to it'],
    ],
    [
      'has a key that does not parse back to itself',
      () => ({ parse: ({ body }) => ({ key: `./${body}` }) }),
      ["a locator's key is a canonical body", 'every reference round-trips'],
    ],
    [
      'accepts a malformed body',
      () => ({ parse: ({ body }) => ({ key: body }) }),
      ['a malformed reference is InvalidReferenceError'],
    ],
    [
      'ignores forced and serves the value it fetched first, forever',
      (base) => {
        const memo = new Map<string, FetchResult>();
        return {
          async fetch(requests, context) {
            const results = await base.fetch(requests, context);
            return results.map((r, i) => {
              const key = requests[i]?.locator.key ?? '';
              if (!memo.has(key) && 'value' in r) memo.set(key, r);
              return memo.get(key) ?? r;
            });
          },
        };
      },
      ['a forced resolve answers the value stored now'],
    ],
    [
      "shows the other requests' values, base64-encoded, in a not-found message",
      showsBatchValues((value) => Buffer.from(value).toString('base64')),
      ['no error carries a value'],
    ],
    [
      "shows the other requests' values, upper-cased, in a not-found message",
      showsBatchValues((value) => value.toUpperCase()),
      ['no error carries a value'],
    ],
    [
      'reads a file while parsing',
      (base) => ({
        parse(input) {
          readFileSync(fileURLToPath(import.meta.url));
          return base.parse(input);
        },
      }),
      ['parse does no I/O'],
    ],
    [
      'throws a TypeError for a body with an @',
      (base) => ({
        parse(input) {
          if (input.body.includes('@')) throw new TypeError(`cannot parse ${input.body}`);
          return base.parse(input);
        },
      }),
      ['parse answers bodies made from a valid one'],
    ],
    ['declares a scheme with capitals', () => ({ schemes: ['Store'] }), ['declares lower-case schemes']],
    ['declares a common parameter', () => ({ params: ['ttl'] }), ['declares lower-case schemes']],
  ])('fails a provider that %s', async (_what, change, expected) => {
    const failed = await failures(subjectWith(change), options);
    const missed = expected.filter((title) => !failed.some((f) => f.startsWith(title)));
    expect(missed, `failed: ${failed.join('; ')}`).toEqual([]);
  });
});

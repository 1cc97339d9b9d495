/** The abort signal is honoured: an aborted `fetch` settles promptly, and answers no value. */
import { SecretrefError } from '@secretref/core';
import { batchOf, type Harness, topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { settleWithin } from './util.ts';

/** Aborts a direct `fetch` before it starts (`before`) or as soon as it has started, and checks how it settles. */
async function abortedFetch(h: Harness, when: 'before' | 'during'): Promise<void> {
  const { expect } = h.test;
  const session = h.open();
  const size = Math.max(1, session.provider.batchSize ?? 1);
  const requests = batchOf(h, session, ['plain', 'unicode', 'json'].slice(0, size));
  const controller = new AbortController();
  if (when === 'before') controller.abort();
  const pending = session.fetch(requests, controller.signal);
  if (when === 'during') controller.abort();
  const outcome = await settleWithin(pending, h.promptMs);
  expect(outcome.status, `fetch did not settle within ${h.promptMs} ms of its abort`).not.toBe('pending');
  // What it fails with shows no value (a rejection's reason is the provider's to choose).
  const errors =
    outcome.status === 'rejected'
      ? [outcome.reason]
      : outcome.status === 'fulfilled'
        ? outcome.value.flatMap((result) => ('error' in result ? [result.error] : []))
        : [];
  expect(h.leaks(errors)).toEqual([]);
  if (h.options.abort === false || outcome.status !== 'fulfilled') return;
  expect(outcome.value).toHaveLength(requests.length);
  outcome.value.forEach((result, i) => {
    expect('value' in result, `request ${i} was answered with a value after its signal was aborted`).toBe(false);
    if ('error' in result) expect(result.error).toBeInstanceOf(SecretrefError);
  });
}

/** Aborted calls. With `abort: false`, only that they settle promptly. */
export function abortTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it } = test;
  const what = options.abort === false ? 'settles promptly' : 'settles promptly, with an error and no value';
  topic(test, subject, options, 'abort', (h) => {
    it(`fetch with an already aborted signal ${what}`, () => abortedFetch(h, 'before'));
    it(`fetch aborted as soon as it has started ${what}`, () => abortedFetch(h, 'during'));
  });
}

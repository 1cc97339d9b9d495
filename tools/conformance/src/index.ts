/**
 * The conformance suite every provider passes (in the spirit of unstorage's `testDriver`): values
 * resolve, batches answer each request with its own value in request order, missing values are
 * `SecretNotFoundError` for that reference alone, canonical bodies parse back to themselves, and no
 * error carries a value.
 */
import { inspect } from 'node:util';
import {
  createResolver,
  type FetchRequest,
  type Provider,
  type Resolver,
  SecretNotFoundError,
  SecretrefError,
} from '@secretref/core';
import { beforeAll, describe, expect, it } from 'vitest';

/** What a provider's test gives the suite. */
export interface ConformanceSubject {
  /** A fresh provider. */
  provider(): Provider;
  /** Stores values under these bodies (`/conf/a` for `ssm:/conf/a`), so that they resolve. */
  seed(values: Readonly<Record<string, string>>): Promise<void>;
  /** Makes a body unique to this run (a prefix for shared backends). */
  body(name: string): string;
  /** The scheme to write references with. @default the provider's first */
  scheme?: string;
}

function leaks(error: unknown, values: readonly string[]): string[] {
  const seen: string[] = [];
  for (let e: unknown = error; e; e = e instanceof Error ? e.cause : undefined) {
    seen.push(inspect(e, { showHidden: true, depth: 8 }), JSON.stringify(e) ?? '');
    if (e instanceof Error) seen.push(e.message, e.stack ?? '');
  }
  const text = seen.join('\n');
  return values.filter((value) => text.includes(value));
}

/** Declares the suite for one provider. */
export function describeProvider(name: string, subject: ConformanceSubject): void {
  describe(`${name} conformance`, () => {
    const values: Record<string, string> = {};
    const names = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
    for (const [i, n] of names.entries()) values[subject.body(n)] = `conformance-value-${n}-${i}-\u00e9\u2603`;
    const secrets = Object.values(values);
    let provider: Provider;
    let resolver: Resolver;
    let calls: number;
    const ref = (body: string): string => `${subject.scheme ?? provider.schemes[0]}:${body}`;

    beforeAll(async () => {
      await subject.seed(values);
    });

    function fresh(): void {
      provider = subject.provider();
      calls = 0;
      const fetch = provider.fetch.bind(provider);
      const counted: Provider = {
        ...provider,
        fetch: (requests: readonly FetchRequest[], context) => {
          calls++;
          return fetch(requests, context);
        },
        parse: (input) => provider.parse(input),
      };
      resolver = createResolver({ providers: [counted] });
    }

    it('resolves a stored value exactly, non-ASCII included', async () => {
      fresh();
      const [body, value] = Object.entries(values)[0] as [string, string];
      expect(await resolver.resolve(ref(body))).toBe(value);
    });

    it('answers a batch with each reference its own value, in as few calls as the batch size allows', async () => {
      fresh();
      const refs = Object.fromEntries(Object.keys(values).map((body, i) => [`k${i}`, ref(body)]));
      const resolved = await resolver.resolveAll(refs);
      expect(Object.values(resolved)).toEqual(secrets);
      expect(calls).toBe(Math.ceil(secrets.length / Math.max(1, provider.batchSize ?? 1)));
    });

    it('a missing value is SecretNotFoundError for that reference alone', async () => {
      fresh();
      const [body, value] = Object.entries(values)[1] as [string, string];
      const missing = ref(subject.body('never-stored'));
      const [present, absent] = await Promise.allSettled([resolver.resolve(ref(body)), resolver.resolve(missing)]);
      expect(present).toEqual({ status: 'fulfilled', value });
      expect(absent.status).toBe('rejected');
      const error = (absent as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(SecretNotFoundError);
      expect(error.ref).toBe(missing);
      expect(error.message).toContain(missing);
      expect(await resolver.resolve(missing, { optional: true })).toBeUndefined();
    });

    it('parses its canonical body back to the same locator', () => {
      fresh();
      const parsed = resolver.parse(ref(Object.keys(values)[2] as string));
      expect(resolver.parse(`${parsed.scheme}:${parsed.body}`)).toEqual(parsed);
    });

    it('no error carries a value', async () => {
      fresh();
      const body = Object.keys(values)[3] as string;
      const errors = await Promise.all(
        [`${ref(body)}?as=json`, `${ref(body)}#missing-key`, ref(subject.body('nope'))].map((r) =>
          resolver.resolve(r).catch((e: unknown) => e),
        ),
      );
      for (const error of errors) {
        expect(error).toBeInstanceOf(SecretrefError);
        expect(leaks(error, secrets)).toEqual([]);
      }
    });
  });
}

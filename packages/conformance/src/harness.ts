/**
 * What every topic shares: the stored values and references to them, sessions (a provider, a counting
 * wrapper, a resolver) disposed after each case, direct `fetch` calls, and the leak check.
 */
import {
  createResolver,
  type FetchContext,
  type FetchRequest,
  type FetchResult,
  formatReference,
  type Locator,
  type Provider,
  type Resolver,
} from '@secretref/core';
import { quotesAny } from '@secretref/core/testing';
import { type JsonKeys, makeValues, seeds } from './stored-values.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';
import { join, renderings, settleWithin, textOf } from './util.ts';

const DEFAULT_MAX_VALUE_BYTES = 4096;
const DEFAULT_PROMPT_MS = 2000;

/** A request as the resolver would send it, with the region its batch would be for. */
export interface Direct {
  readonly request: FetchRequest;
  readonly region: string | undefined;
}

/** One provider under test, wrapped to count its calls, with a resolver over it. */
export interface Session {
  /** The subject's provider itself (direct calls go to it). */
  readonly provider: Provider;
  /** A resolver over the counting wrapper. */
  readonly resolver: Resolver;
  /** The requests of every `fetch` call the resolver made, one array per call. */
  readonly calls: readonly (readonly FetchRequest[])[];
  /** The promises of every `fetch` call made so far, the resolver's and direct ones. */
  readonly started: readonly Promise<unknown>[];
  /** Called synchronously once the resolver has called `fetch` (to dispose mid-call). */
  onFetch: ((context: FetchContext) => void) | undefined;
  /** The request the resolver would send for `ref`, built from its canonical form. */
  request(ref: string): Direct;
  /** Calls the provider's `fetch` directly; the requests must share one region. */
  fetch(requests: readonly Direct[], signal?: AbortSignal): Promise<readonly FetchResult[]>;
}

/** What a topic's cases use. */
export interface Harness {
  readonly test: SuiteApi;
  readonly options: ConformanceOptions;
  /** How long an aborted fetch may take to settle, in ms. */
  readonly promptMs: number;
  /** The names of the stored values, in seeding order. */
  readonly names: readonly string[];
  /** Names of the values that are neither JSON nor base64 (transforms of them fail). */
  readonly opaque: readonly string[];
  /** The scheme references are written with (after seeding). */
  readonly scheme: string;
  /** The keys of the `json` value (random, as its values are: the leak check finds any 8 characters). */
  readonly keys: JsonKeys;
  value(name: string): string;
  body(name: string): string;
  /** The reference to a stored value, with `tail` (`?as=json`, `#key`) joined to its own query. */
  ref(name: string, tail?: string): string;
  /** A reference that names nothing stored. */
  missingRef(name: string): string;
  /** Every spelling of the reference to `name` that must share its canonical form. */
  forms(name: string): readonly string[];
  /** A new session, disposed when the case ends. */
  open(): Session;
  /**
   * What of the stored values an error, event or object shows, by value name: any 8 characters of one,
   * in any case, as they are, JSON-escaped, URL-encoded or base64 (`quotesAny`).
   */
  leaks(...things: unknown[]): string[];
}
/** The harness with what only `topic` calls. */
interface Controlled extends Harness {
  seed(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Builds the harness of one topic; values are seeded once per subject, whichever topic runs first. */
function harness(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions): Controlled {
  let state = seeds.get(subject);
  if (!state) {
    state = makeValues(options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES);
    seeds.set(subject, state);
  }
  const seeded = state;
  const names = Object.keys(seeded.values);
  const secrets: [name: string, secret: string][] = names.flatMap((name) => [
    [name, seeded.probes[name] ?? (seeded.values[name] as string)],
    [name, seeded.tokens[name] as string],
  ]);
  const sessions: { session: Session; started: Promise<unknown>[] }[] = [];

  const scheme = (): string => {
    if (seeded.scheme === undefined) throw new Error('the subject is not seeded yet: use the harness inside a case');
    return seeded.scheme;
  };
  const bodyOf = (name: string): string => {
    const body = seeded.bodies?.[name];
    if (body === undefined) throw new Error(`seed() returned no body for "${name}"`);
    return body;
  };

  async function seed(): Promise<void> {
    const bodies = await subject.seed(seeded.values);
    for (const name of names) {
      if (typeof bodies[name] !== 'string' || bodies[name] === '') {
        throw new Error(`seed() must return a body for every name; "${name}" has none`);
      }
    }
    seeded.bodies = bodies;
    if (subject.scheme !== undefined) seeded.scheme = subject.scheme;
    else {
      const provider = subject.provider();
      seeded.scheme = provider.schemes[0] ?? '';
      provider.dispose?.();
    }
  }

  function open(): Session {
    const provider = subject.provider();
    const calls: FetchRequest[][] = [];
    const started: Promise<unknown>[] = [];
    // A wrapper, so that calls are counted; every other field (and any the contract gains) is the provider's.
    const counted: Provider = {
      ...provider,
      parse: (input) => provider.parse(input),
      fetch(requests, context) {
        calls.push([...requests]);
        const result = provider.fetch(requests, context);
        started.push(result);
        session.onFetch?.(context);
        return result;
      },
      dispose: () => provider.dispose?.(),
    };
    const resolver = createResolver({ providers: [counted] });
    const session: Session = {
      provider,
      resolver,
      calls,
      started,
      onFetch: undefined,
      request(ref) {
        const { scheme: s, body, params, region } = resolver.parse(ref);
        const display = provider.display;
        const shown = formatReference({
          scheme: s,
          body: display ? display(body) : body,
          params,
          ...(region === undefined ? {} : { region }),
        });
        // The canonical body parses to the locator the reference itself gives (the canonical cases check it).
        const locator: Locator = provider.parse({ scheme: s, body, form: 'uri', params, ref: shown });
        return { request: { locator, ref: shown, scheme: s, params }, region };
      },
      fetch(requests, signal) {
        const regions = new Set(requests.map((r) => r.region));
        if (regions.size > 1) throw new Error('a direct fetch takes requests of one region');
        const result = provider.fetch(
          requests.map((r) => r.request),
          { region: requests[0]?.region, signal: signal ?? new AbortController().signal },
        );
        started.push(result);
        return result;
      },
    };
    sessions.push({ session, started });
    return session;
  }

  return {
    test,
    options,
    promptMs: options.promptMs ?? DEFAULT_PROMPT_MS,
    names,
    opaque: ['plain', 'unicode', 'spaced', 'symbols', 'long'],
    get scheme() {
      return scheme();
    },
    keys: seeded.keys,
    value: (name) => seeded.values[name] as string,
    body: bodyOf,
    ref: (name, tail = '') => join(`${scheme()}:${bodyOf(name)}`, tail),
    missingRef(name) {
      if (!subject.missing) throw new Error('the subject needs missing(name) unless the options say notFound: false');
      return `${scheme()}:${subject.missing(name)}`;
    },
    forms(name) {
      const ref = `${scheme()}:${bodyOf(name)}`;
      const colon = ref.indexOf(':');
      const extra = options.canonicalForms?.(bodyOf(name), scheme()) ?? [];
      return [ref, `${ref.slice(0, colon).toUpperCase()}${ref.slice(colon)}`, ...extra];
    },
    open,
    leaks(...things) {
      const out: string[] = [];
      renderings(things, out, new Set(), 0);
      const text = [...new Set(out)].join('\n');
      // Renderings repeat one another (an array's, then each of its items'). A text without a line break
      // (and so each of its forms) can only be quoted within a line: once each line is enough for it.
      const lines = [...new Set(text.split('\n'))].join('\n');
      const shown = secrets.filter(([, secret]) => quotesAny(secret.includes('\n') ? text : lines, [secret]));
      return [...new Set(shown.map(([name]) => name))];
    },
    seed() {
      seeded.ready ??= seed();
      return seeded.ready;
    },
    async cleanup() {
      const ended = sessions.splice(0);
      const thrown: unknown[] = [];
      for (const { session } of ended) {
        try {
          session.resolver.dispose();
        } catch (error) {
          thrown.push(error);
        }
      }
      // Work a case left running ends before the next one starts (bounded: a hang is the abort cases' to report).
      const running = Promise.allSettled(ended.flatMap(({ started }) => started));
      await settleWithin(running, options.promptMs ?? DEFAULT_PROMPT_MS);
      if (thrown.length > 0) throw thrown[0];
    },
  };
}

/** Checks that `results` answer `names` one for one, in order. */
export function expectAnswers(h: Harness, results: readonly FetchResult[], names: readonly string[]): void {
  const { expect } = h.test;
  expect(results).toHaveLength(names.length);
  results.forEach((result, i) => {
    const label = `request ${i} (${names[i]})`;
    expect('error' in result ? result.error.message : undefined, label).toBeUndefined();
    if ('value' in result) expect(textOf(result.value), label).toBe(h.value(names[i] as string));
  });
}

/** A batch of requests for `names`, in that order. */
export function batchOf(h: Harness, session: Session, names: readonly string[]): Direct[] {
  return names.map((name) => session.request(h.ref(name)));
}

/** Declares one topic: a `describe` whose cases share the seeded values and dispose their sessions. */
export function topic(
  test: SuiteApi,
  subject: ConformanceSubject,
  options: ConformanceOptions,
  title: string,
  cases: (h: Harness) => void,
): void {
  test.describe(title, () => {
    const h = harness(test, subject, options);
    test.beforeAll(() => h.seed());
    test.afterEach(() => h.cleanup());
    cases(h);
  });
}

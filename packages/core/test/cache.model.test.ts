/**
 * A model-based test of the cache (issue 11, "Beyond the list"). fast-check drives random sequences of
 * resolves, clock steps, provider failures, heals, value changes, evictions, invalidations and dispose
 * against a resolver, and checks every result, every provider call, `peek` and `stats()` against a small
 * reference model written from the rules of docs/caching.md, not from the implementation.
 * SECRETREF_FUZZ_RUNS sets the number of runs (150 in `npm test`).
 */
import {
  AccessDeniedError,
  createResolver,
  type FetchRequest,
  ProviderError,
  type Resolver,
  SecretNotFoundError,
  type SecretrefError,
} from '@secretref/core';
import { type ManualClock, type MemoryProvider, manualClock, memoryProvider } from '@secretref/core/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';

const RUNS = Number(process.env.SECRETREF_FUZZ_RUNS ?? 150);
const TTL = 1000;
const MAX_STALE = 3000;
const BASE = 100;
const MAX_BACKOFF = 400;
const MAX_ENTRIES = 3;
const MAX_FAILURES = 3;
const BATCH = 2;
const KEYS = ['a', 'b', 'c', 'd'];

// Throttling is left out: the service's governor answers it for every key, with timers of its own
// (governor.test.ts). The other transient failures back off per key, as modelled here.
type Kind = 'PROVIDER_ERROR' | 'NOT_FOUND' | 'ACCESS_DENIED';
/** The failures docs/caching.md calls transient: served stale, and never drop the last good value. */
const TRANSIENT: ReadonlySet<Kind> = new Set<Kind>(['PROVIDER_ERROR']);
const MAKE: Record<Kind, (r: FetchRequest) => SecretrefError> = {
  PROVIDER_ERROR: (r) => new ProviderError('HTTP 503', { ref: r.ref, scheme: r.scheme, transient: true }),
  NOT_FOUND: (r) => new SecretNotFoundError('gone', { ref: r.ref, scheme: r.scheme }),
  ACCESS_DENIED: (r) => new AccessDeniedError('denied', { ref: r.ref, scheme: r.scheme }),
};

interface Call {
  readonly key: string;
  readonly forceFetch?: boolean;
  readonly ttlMs?: number;
}
/** What one tick does, in order: resolves, and invalidations of fetches those resolves started. */
type Step = Call | { readonly invalidate: string | undefined };
type Outcome = { readonly value: string } | { readonly error: Kind | 'DISPOSED' };
/** What the provider answers for one key. */
type Answer = { readonly value: string } | { readonly kind: Kind };

// --- The reference model: docs/caching.md, with jitter 0 ---

class Model {
  now = 0;
  disposed = false;
  version = 0;
  /**
   * The last good value of each key, and its cohort (the keys stored in the same tick, which expire
   * and refresh together); Map order is recency (least recently used first).
   */
  readonly values = new Map<
    string,
    { readonly value: string; readonly fetchedAt: number; readonly cohort: string[] }
  >();
  /** The failure memory: consecutive failures, the end of the backoff, the last error. Bounded apart. */
  readonly failures = new Map<string, { readonly count: number; readonly retryAt: number; readonly kind: Kind }>();
  /** The provider: its values, and its injected failures by key ('*' for every key). */
  readonly source = new Map(KEYS.map((key) => [key, `${key}0`]));
  readonly failing = new Map<string, Kind>();
  /** The keys of every provider call so far. */
  readonly calls: string[][] = [];
  readonly stats = { hits: 0, misses: 0, calls: 0, fetched: 0, staleServed: 0, errors: 0 };
}

/** Reads `key`, marking it most recently used. */
function touch<V>(map: Map<string, V>, key: string): V | undefined {
  const value = map.get(key);
  if (value !== undefined) map.delete(key);
  if (value !== undefined) map.set(key, value);
  return value;
}

/** Writes `key` as the most recently used, dropping the least recently used beyond `max`. */
function put<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

function invalidate(m: Model, key: string | undefined): void {
  for (const k of key === undefined ? KEYS : [key]) {
    m.values.delete(k);
    m.failures.delete(k);
  }
}

/**
 * A failed resolve: the last good value if the failure is transient and within maxStaleMs past expiry.
 * It is read right after the fetch's own result was kept, before the batch's other values are.
 */
function failed(m: Model, key: string, ttlMs: number, kind: Kind): Outcome {
  const entry = m.values.get(key);
  if (TRANSIENT.has(kind) && entry !== undefined && m.now <= entry.fetchedAt + ttlMs + MAX_STALE) {
    m.stats.staleServed++;
    return { value: entry.value };
  }
  m.stats.errors++;
  return { error: kind };
}

/** The result of one fetch, kept: a success is a value and ends the backoff; failures never are values. */
function store(m: Model, key: string, answer: Answer, cohort: string[]): void {
  if ('value' in answer) {
    cohort.push(key);
    put(m.values, key, { value: answer.value, fetchedAt: m.now, cohort }, MAX_ENTRIES);
    m.failures.delete(key);
    return;
  }
  const count = (m.failures.get(key)?.count ?? 0) + 1;
  const retryAt = m.now + Math.min(MAX_BACKOFF, BASE * 2 ** (count - 1));
  put(m.failures, key, { count, retryAt, kind: answer.kind }, MAX_FAILURES);
  if (!TRANSIENT.has(answer.kind)) m.values.delete(key); // never masked
}

/** One tick of resolves: hits, single flights, backoff, one call per batch, then the answers. */
function modelTick(m: Model, steps: readonly Step[]): Outcome[] {
  const out: Outcome[] = [];
  const backedOff: [number, string, number, Kind][] = [];
  const flights: { key: string; callers: [number, number][]; orphan: boolean; forced: boolean }[] = [];
  const swept = new Set<string[]>();
  for (const step of steps) {
    if ('invalidate' in step) {
      invalidate(m, step.invalidate);
      for (const f of flights) if (step.invalidate === undefined || f.key === step.invalidate) f.orphan = true;
      continue;
    }
    const i = out.push({ error: 'DISPOSED' }) - 1;
    if (m.disposed) {
      m.stats.errors++;
      continue;
    }
    const ttlMs = step.ttlMs ?? TTL;
    const entry = touch(m.values, step.key);
    if (entry !== undefined && !step.forceFetch && m.now < entry.fetchedAt + ttlMs) {
      m.stats.hits++;
      out[i] = { value: entry.value };
      continue;
    }
    m.stats.misses++;
    // A forced caller joins only a forced flight; its own flight supersedes the one it did not join.
    const forced = step.forceFetch === true;
    const flight = flights.find((f) => f.key === step.key && !f.orphan && (f.forced || !forced));
    if (flight) flight.callers.push([i, ttlMs]);
    else {
      const failure = touch(m.failures, step.key);
      if (failure && !forced && m.now < failure.retryAt) backedOff.push([i, step.key, ttlMs, failure.kind]);
      else {
        for (const f of flights) if (f.key === step.key) f.orphan = true;
        flights.push({ key: step.key, callers: [[i, ttlMs]], orphan: false, forced });
      }
    }
    // A miss of a cached value (not forced) refreshes its cohort, once a tick: each member still holding
    // the value stored with it, expired, not being fetched and not backing off, is fetched with no caller.
    if (entry === undefined || forced || swept.has(entry.cohort)) continue;
    swept.add(entry.cohort);
    for (const mate of entry.cohort) {
      const held = m.values.get(mate);
      if (held?.cohort !== entry.cohort || m.now < held.fetchedAt + TTL) continue;
      if (flights.some((f) => f.key === mate && !f.orphan)) continue;
      const failure = touch(m.failures, mate);
      if (failure && m.now < failure.retryAt) continue;
      flights.push({ key: mate, callers: [], orphan: false, forced: false });
    }
  }
  // Answers from the backoff settle first (after the tick's invalidations), then the batches.
  for (const [i, key, ttlMs, kind] of backedOff) out[i] = failed(m, key, ttlMs, kind);
  const keys = flights.map((f) => f.key);
  for (let j = 0; j < keys.length; j += BATCH) m.calls.push(keys.slice(j, j + BATCH));
  m.stats.calls += Math.ceil(keys.length / BATCH);
  m.stats.fetched += keys.length;
  // Each fetch's result is kept (an invalidated fetch writes nothing back), then its callers answered.
  // The values stored in this tick are one cohort.
  const cohort: string[] = [];
  for (const { key, callers, orphan } of flights) {
    const kind = m.failing.get(key) ?? m.failing.get('*');
    const answer: Answer = kind ? { kind } : { value: m.source.get(key) as string };
    if (!orphan) store(m, key, answer, cohort);
    for (const [i, ttlMs] of callers) out[i] = 'value' in answer ? answer : failed(m, key, ttlMs, answer.kind);
  }
  return out;
}

// --- The real resolver, and the commands ---

interface Real {
  readonly resolver: Resolver;
  readonly provider: MemoryProvider;
  readonly clock: ManualClock;
}

async function realTick({ resolver }: Real, steps: readonly Step[]): Promise<Outcome[]> {
  const pending: Promise<Outcome>[] = [];
  for (const step of steps) {
    if ('invalidate' in step) resolver.invalidate(step.invalidate && `mem:${step.invalidate}`);
    else {
      const { key, ...options } = step;
      pending.push(
        resolver.resolve(`mem:${key}`, options).then(
          (value) => ({ value: value as string }),
          (error: SecretrefError) => ({ error: error.code as Kind }),
        ),
      );
    }
  }
  const outcomes = await Promise.all(pending);
  // A cohort's refreshes have no caller to wait for: they are fetched in the next turns.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return outcomes;
}

/** Everything observable after a command: calls, counters, values (peek), time, timers. */
function verify(m: Model, r: Real): void {
  expect(r.provider.calls, 'provider calls').toEqual(m.calls);
  expect(r.resolver.stats()).toMatchObject({ ...m.stats, entries: m.values.size, failures: m.failures.size });
  for (const key of KEYS) {
    const entry = m.values.get(key);
    expect(r.resolver.peek(`mem:${key}`, { allowStale: true }), `peek ${key}`).toBe(entry?.value);
    const fresh = entry && m.now < entry.fetchedAt + TTL ? entry.value : undefined;
    expect(r.resolver.peek(`mem:${key}`), `fresh peek ${key}`).toBe(fresh);
  }
  expect(r.clock.now()).toBe(m.now);
  expect(r.clock.pending, 'timers left behind').toBe(0);
}

/** A command: what it does to the model and the resolver alike, then `verify`. */
const cmd = (
  label: string,
  apply: (m: Model, r: Real) => void | Promise<void>,
  when: (m: Readonly<Model>) => boolean = () => true,
): fc.AsyncCommand<Model, Real> => ({
  check: when,
  run: async (m, r) => {
    await apply(m, r);
    verify(m, r);
  },
  toString: () => label,
});

const show = (s: Step): string =>
  'invalidate' in s
    ? `invalidate(${s.invalidate ?? '*'})`
    : `${s.key}${s.forceFetch ? '!' : ''}${s.ttlMs === undefined ? '' : `@${s.ttlMs}`}`;
const tick = (steps: readonly Step[]) => async (m: Model, r: Real) => {
  const actual = await realTick(r, steps);
  expect(actual, steps.map(show).join(' ')).toEqual(modelTick(m, steps));
};
const advance = (ms: number) => (m: Model, r: Real) => {
  r.clock.advance(ms);
  m.now += ms;
};

const key = fc.constantFrom(...KEYS);
const keyOrAll = fc.option(key, { nil: undefined });
// Plain resolves mostly; then forced ones and per-call TTLs (0: always a miss, 300, 5000).
const VARIANTS: readonly Omit<Call, 'key'>[] = [{ forceFetch: true }, { ttlMs: 300 }, { ttlMs: 5000 }, { ttlMs: 0 }];
const call = fc.tuple(key, fc.nat(9)).map(([key, n]): Call => ({ key, ...VARIANTS[n - 6] }));

// Several resolves in one tick (single flight, batches of BATCH), sometimes with an invalidation among
// them. With more distinct keys than MAX_ENTRIES in one tick, a batch's new values can evict a key's
// last good value before its caller is answered: it is still served stale (it was read when its own
// fetch ended). `evict` goes beyond MAX_ENTRIES one tick per key.
const resolveCmd = fc
  .tuple(
    fc.array(call, { minLength: 1, maxLength: 5 }),
    fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.tuple(fc.nat(5), keyOrAll)),
  )
  .map(([calls, inv]) => {
    const steps: Step[] = [...calls];
    if (inv) steps.splice(inv[0], 0, { invalidate: inv[1] });
    return cmd(`resolve(${steps.map(show).join(' ')})`, tick(steps));
  });
const evictCmd = fc.shuffledSubarray(KEYS, { minLength: MAX_ENTRIES + 1 }).map((keys) =>
  cmd(`evict(${keys})`, async (m, r) => {
    for (const key of keys) await tick([{ key }])(m, r);
  }),
);

const advanceCmd = fc
  .oneof(fc.integer({ min: 1, max: 1500 }), fc.constantFrom(BASE, MAX_BACKOFF, TTL, MAX_STALE, 20 * TTL))
  .map((ms) => cmd(`advance(${ms})`, advance(ms)));
// To a key's expiry, the end of its stale window or of its backoff, or 1 ms either side.
type Mark = 'expiry' | 'staleEnd' | 'retryAt';
const mark = (m: Readonly<Model>, key: string, which: Mark): number => {
  const entry = m.values.get(key);
  if (which === 'retryAt') return m.failures.get(key)?.retryAt ?? Number.NaN;
  return entry ? entry.fetchedAt + TTL + (which === 'staleEnd' ? MAX_STALE : 0) : Number.NaN;
};
const advanceToCmd = fc
  .tuple(key, fc.constantFrom<Mark>('expiry', 'staleEnd', 'retryAt'), fc.integer({ min: -1, max: 1 }))
  .map(([key, which, d]) => {
    const label = `advanceTo(${key}.${which}${d < 0 ? '-1' : d > 0 ? '+1' : ''})`;
    return cmd(
      label,
      (m, r) => advance(mark(m, key, which) + d - m.now)(m, r),
      (m) => mark(m, key, which) + d > m.now,
    );
  });

// The provider: a key (or every key, '*') fails, heals, or gets a new value.
const failCmd = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: key }, fc.constant('*')),
    fc.constantFrom<Kind>('PROVIDER_ERROR', 'NOT_FOUND', 'ACCESS_DENIED'),
  )
  .map(([key, kind]) =>
    cmd(`fail(${key}, ${kind})`, (m, r) => {
      r.provider.fail(key, MAKE[kind]);
      m.failing.set(key, kind);
    }),
  );
const healCmd = keyOrAll.map((key) =>
  cmd(`heal(${key ?? ''})`, (m, r) => {
    r.provider.heal(key);
    for (const k of key === undefined ? [...m.failing.keys()] : [key]) m.failing.delete(k);
  }),
);
const setCmd = key.map((key) =>
  cmd(`set(${key})`, (m, r) => {
    const value = `${key}${++m.version}`;
    r.provider.set(key, value);
    m.source.set(key, value);
  }),
);

const invalidateCmd = keyOrAll.map((key) =>
  cmd(`invalidate(${key ?? '*'})`, (m, r) => {
    r.resolver.invalidate(key && `mem:${key}`);
    invalidate(m, key);
  }),
);
const disposeCmd = fc.constant(
  cmd('dispose()', (m, r) => {
    r.resolver.dispose();
    m.disposed = true;
    invalidate(m, undefined);
  }),
);

const command = fc.oneof(
  { arbitrary: resolveCmd, weight: 16 },
  { arbitrary: advanceCmd, weight: 6 },
  { arbitrary: advanceToCmd, weight: 6 },
  { arbitrary: failCmd, weight: 5 },
  { arbitrary: healCmd, weight: 3 },
  { arbitrary: setCmd, weight: 2 },
  { arbitrary: evictCmd, weight: 2 },
  { arbitrary: invalidateCmd, weight: 2 },
  { arbitrary: disposeCmd, weight: 1 },
);

function start(): { model: Model; real: Real } {
  const clock = manualClock({ startMs: 0 });
  const values = Object.fromEntries(KEYS.map((k) => [k, `${k}0`]));
  const provider = memoryProvider({ schemes: ['mem'], values, batchSize: BATCH });
  const resolver = createResolver({
    providers: [provider],
    clock,
    jitter: 0,
    ttlMs: TTL,
    maxStaleMs: MAX_STALE,
    retryBaseMs: BASE,
    retryMaxMs: MAX_BACKOFF,
    // The model has no retries within a deadline (retry.ts has its own tests).
    retries: 0,
    maxEntries: MAX_ENTRIES,
    maxFailures: MAX_FAILURES,
  });
  return { model: new Model(), real: { resolver, provider, clock } };
}

it(
  `the cache follows its model of docs/caching.md (${RUNS} runs of up to 50 commands)`,
  async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands([command], { maxCommands: 50, size: 'max' }), (cmds) =>
        fc.asyncModelRun(start, cmds),
      ),
      { numRuns: RUNS },
    );
  },
  Math.max(20_000, RUNS * 100),
);

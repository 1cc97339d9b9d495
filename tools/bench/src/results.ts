/**
 * What `pnpm bench` measures, as written to tools/bench/results.json: the renderers and the targets
 * read nothing else, so that `pnpm bench:render` rebuilds every page and chart from the file alone.
 */

export interface Fixture {
  readonly parameters: readonly string[];
  readonly secrets: readonly string[];
}

export const CONTENDERS = [
  'secretref',
  'secretref-fetch',
  'secretref-sdk',
  'powertools',
  'middy',
  'sdk',
  'floor',
] as const;
export type Contender = (typeof CONTENDERS)[number];

/** One contender's cold starts: wall times from process start (one per round) and its AWS calls. */
export interface ColdRuns {
  readonly ms: readonly number[];
  readonly calls: number;
  /** The most calls in flight at once. */
  readonly peak: number;
  /** Values it read (the fixture's size, or it failed). */
  readonly count: number;
}

export interface Results {
  readonly date: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly node: string;
    readonly platform: string;
    /** ns per read of the clock a hit reads (performance.now()), measured in the run. */
    readonly clockReadNs: number;
    /** ms from process start to the first line of an empty script, and to its exit (medians). */
    readonly nodeStartMs: number;
    readonly nodeExitMs: number;
  };
  readonly setup: {
    readonly rounds: number;
    readonly latencyMs: number;
    readonly parameters: number;
    readonly secrets: number;
  };
  readonly cold: {
    readonly unbundled: Readonly<Record<Contender, ColdRuns>>;
    readonly bundled: Readonly<Record<Contender, ColdRuns>>;
  };
  readonly herd: { readonly callers: number; readonly secretref: number; readonly powertools: number };
  readonly warm: {
    readonly turns: number;
    readonly mapGet: number;
    readonly floor: number;
    readonly resolve: number;
    readonly resolveRatio: number;
    readonly mapGetSync: number;
    readonly syncFloor: number;
    readonly peek: number;
    readonly peekRatio: number;
    readonly powertools: number;
    /** Powertools' ns over secretref's, per turn (median). */
    readonly powertoolsRatio: number;
    /** Powertools' ns over the floor's, per turn (median): no hit can do better than this ratio. */
    readonly powertoolsFloorRatio: number;
  };
  readonly throttle: { readonly reads: number; readonly secretref: number; readonly powertools: number };
  readonly startup: {
    readonly importRuns: number;
    readonly bundles: Readonly<Record<string, { readonly bytes: number; readonly importMs: number }>>;
    /** Minified own code of core + aws + ssm (the SDK, lru.min and aws4fetch left out). */
    readonly ownCodeBytes: number;
    /** Of which string literals (error messages above all). */
    readonly ownCodeStringBytes: number;
  };
  readonly scale: { readonly keys: number; readonly bytesPerEntry: number; readonly resolvesPerSecond: number };
}

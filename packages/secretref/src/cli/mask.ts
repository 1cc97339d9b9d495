/**
 * `exec --mask`: a stream that replaces every occurrence of the given values, and of the forms a
 * program commonly prints them in, with `*****`. Overlapping occurrences are masked as their union
 * (one `*****` per run of masked bytes), also when an occurrence is split across chunks: the end of a
 * chunk that could be the start of a value is held back until the next chunk tells; the rest is
 * written at once, so a line such as `ready` is not held.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { formsOf } from './mask-forms.ts';

export { MIN_MASKED_LENGTH } from './mask-forms.ts';

const MASK = Buffer.from('*****');

/** Creates the masking stream for `values` and their forms (see `formsOf`). */
export function createMasker(values: Iterable<string>): Transform {
  return maskersFor(values)();
}

/**
 * Finds the forms of `values` once (those of a JSON value make a large automaton) and returns a
 * function that creates a masking stream for them: one for stdout, one for stderr.
 */
export function maskersFor(values: Iterable<string>): () => Transform {
  const automaton = automatonOf(formsOf(values));
  return () => maskerOf(automaton);
}

function maskerOf(automaton: Automaton): Transform {
  let state = 0;
  // What is not written yet (the end that may still be part of a value), and which of its bytes are masked.
  let pending: Buffer = Buffer.alloc(0);
  let pendingCovered = new Uint8Array(0);
  // Whether the output so far ends in a mask whose run may go on into `pending`.
  let open = false;

  /** Reads `chunk` after `pending`; writes what no value can still cover, one `*****` per masked run. */
  function drain(chunk: Buffer, end: boolean, push: (chunk: Buffer) => void): void {
    const buffer = Buffer.concat([pending, chunk]);
    const covered = new Uint8Array(buffer.length);
    covered.set(pendingCovered);
    // The run of masked bytes that ends last: [runStart, runEnd).
    let runStart = 0;
    let runEnd = 0;
    for (let i = pending.length; i < buffer.length; i++) {
      state = automaton.next(state, buffer[i] as number);
      // The longest value ending here covers what the shorter ones do.
      const from = i + 1 - (automaton.longest[state] as number);
      if (from > i) continue;
      // Inside the last run, only the new bytes: a value such as "aaaa" in a long run of "a" stays linear.
      covered.fill(1, from >= runStart && from <= runEnd ? runEnd : from, i + 1);
      if (from < runStart || from > runEnd) runStart = from;
      runEnd = i + 1;
    }
    // A value that goes on in the next chunk starts in the last `depth` bytes, never before them.
    const safe = end ? buffer.length : buffer.length - (automaton.depth[state] as number);
    for (let at = 0; at < safe; ) {
      const masked = covered[at] === 1;
      let to = at;
      while (to < safe && (covered[to] === 1) === masked) to++;
      // A run that goes on from the last chunk was masked there already.
      if (!masked) push(buffer.subarray(at, to));
      else if (!(at === 0 && open)) push(MASK);
      at = to;
    }
    if (safe > 0) open = covered[safe - 1] === 1;
    pending = Buffer.from(buffer.subarray(safe));
    pendingCovered = covered.slice(safe);
  }

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (automaton.empty) {
        callback(null, chunk);
        return;
      }
      const out: Buffer[] = [];
      drain(chunk, false, (c) => out.push(c));
      callback(null, Buffer.concat(out));
    },
    flush(callback: TransformCallback) {
      const out: Buffer[] = [];
      drain(Buffer.alloc(0), true, (c) => out.push(c));
      callback(null, Buffer.concat(out));
    },
  });
}

// --- Internal helpers: finding every value at once ---

/**
 * An Aho-Corasick automaton over the values' bytes: one step per output byte, however many values
 * (a JSON value can have hundreds), and its state says how much of the output's end may still be the
 * start of a value, which is all that must be held back.
 */
interface Automaton {
  readonly empty: boolean;
  /** The state after reading `byte` in `state` (0 is the start). */
  next(state: number, byte: number): number;
  /** Per state: the length of the longest value that ends there, 0 for none. */
  readonly longest: Int32Array;
  /** Per state: how many bytes of the output's end it stands for (the start of a value). */
  readonly depth: Int32Array;
}

function automatonOf(values: Iterable<string>): Automaton {
  // Trie edges keyed by state * 256 + byte; per state its parent and the byte from it, so that the
  // states can be visited by depth without an array of children each (a JSON value's forms make 100k).
  const edges = new Map<number, number>();
  const parents = [0];
  const labels = [0];
  const depths = [0];
  const own = [0];
  for (const value of values) {
    let state = 0;
    for (const byte of Buffer.from(value)) {
      let next = edges.get(state * 256 + byte);
      if (next === undefined) {
        next = depths.length;
        edges.set(state * 256 + byte, next);
        parents.push(state);
        labels.push(byte);
        depths.push((depths[state] as number) + 1);
        own.push(0);
      }
      state = next;
    }
    own[state] = Buffer.byteLength(value);
  }
  // The start state's edges in an array, for the common case.
  const start = new Int32Array(256);
  const fail = new Int32Array(depths.length);
  const longest = new Int32Array(own);
  const next = (from: number, byte: number): number => {
    for (let state = from; ; state = fail[state] as number) {
      if (state === 0) return start[byte] as number;
      const to = edges.get(state * 256 + byte);
      if (to !== undefined) return to;
    }
  };
  // By depth, so that a state's failure (its longest proper suffix in the trie, shorter) is done before it.
  for (const state of byDepth(depths)) {
    const parent = parents[state] as number;
    const byte = labels[state] as number;
    if (parent === 0) start[byte] = state;
    else fail[state] = next(fail[parent] as number, byte);
    longest[state] = Math.max(longest[state] as number, longest[fail[state] as number] as number);
  }
  return { empty: depths.length === 1, next, longest, depth: Int32Array.from(depths) };
}

/** The states but the start one, shallowest first (a counting sort by depth). */
function byDepth(depths: readonly number[]): Int32Array {
  // Not Math.max(...depths): 100k arguments overflow the stack.
  let deepest = 0;
  for (const depth of depths) deepest = Math.max(deepest, depth);
  // first[d]: where the states of depth d go in the order.
  const first = new Int32Array(deepest + 2);
  for (const depth of depths) first[depth + 1] = (first[depth + 1] as number) + 1;
  for (let depth = 1; depth < first.length; depth++)
    first[depth] = (first[depth] as number) + (first[depth - 1] as number);
  const order = new Int32Array(depths.length);
  for (let state = 0; state < depths.length; state++) {
    const depth = depths[state] as number;
    order[first[depth] as number] = state;
    first[depth] = (first[depth] as number) + 1;
  }
  // The start state is the only one of depth 0, first in the order.
  return order.subarray(1);
}

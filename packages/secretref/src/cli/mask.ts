/**
 * `exec --mask`: a stream that replaces every occurrence of the given values, and of the forms a
 * program commonly prints them in, with `*****`. Overlapping occurrences are masked as their union
 * (one `*****` per run of masked bytes), also when an occurrence is split across chunks: the end of a
 * chunk that could be the start of a value is held back until the next chunk tells; the rest is
 * written at once, so a line such as `ready` is not held.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Values shorter than this are not masked: masking `on` or `1` would garble any output. */
export const MIN_MASKED_LENGTH = 4;
const MASK = Buffer.from('*****');

/** Creates the masking stream for `values` and their forms (see `formsOf`). */
export function createMasker(values: Iterable<string>): Transform {
  const automaton = automatonOf(formsOf(values));
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
  // Trie edges keyed by state * 256 + byte; the start state's edges in an array, for the common case.
  const edges = new Map<number, number>();
  const children: number[][] = [[]];
  const depths = [0];
  const own = [0];
  for (const value of values) {
    let state = 0;
    for (const byte of Buffer.from(value)) {
      let next = edges.get(state * 256 + byte);
      if (next === undefined) {
        next = depths.length;
        edges.set(state * 256 + byte, next);
        children[state]?.push(byte);
        children.push([]);
        depths.push((depths[state] as number) + 1);
        own.push(0);
      }
      state = next;
    }
    own[state] = Buffer.byteLength(value);
  }
  const start = new Int32Array(256);
  for (const byte of children[0] ?? []) start[byte] = edges.get(byte) as number;
  const fail = new Int32Array(depths.length);
  const longest = new Int32Array(own);
  const next = (from: number, byte: number): number => {
    for (let state = from; ; state = fail[state] as number) {
      if (state === 0) return start[byte] as number;
      const to = edges.get(state * 256 + byte);
      if (to !== undefined) return to;
    }
  };
  // Breadth first, so that a state's failure (its longest proper suffix in the trie) is done before it.
  const queue = [0];
  for (let at = 0; at < queue.length; at++) {
    const state = queue[at] as number;
    for (const byte of children[state] ?? []) {
      const child = edges.get(state * 256 + byte) as number;
      fail[child] = state === 0 ? 0 : next(fail[state] as number, byte);
      longest[child] = Math.max(longest[child] as number, longest[fail[child] as number] as number);
      queue.push(child);
    }
  }
  return { empty: depths.length === 1, next, longest, depth: Int32Array.from(depths) };
}

// --- Internal helpers: the forms a value is printed in ---

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every text to mask for `values` (each an environment value: text as it is, bytes as base64, JSON
 * as JSON text), at least `MIN_MASKED_LENGTH` characters each:
 * - the value, and its JSON-escaped form (`a"b` is `a\"b` in `JSON.stringify({ password })`);
 * - when it is the JSON text of an object or an array, every string and every number in it at any
 *   depth (a child that parses it prints them), not the keys: they are names (`password`, an SSM
 *   path's parameter names), and masking them would garble every line that names a field;
 * - when it is strict base64 of valid UTF-8 (a value resolved with `as=binary`), the decoded text.
 * Each form found is a value again: a JSON string in a JSON value, a JSON document in base64.
 */
function formsOf(values: Iterable<string>): Set<string> {
  const forms = new Set<string>();
  const seen = new Set<string>();
  const queue = [...values];
  for (let text = queue.pop(); text !== undefined; text = queue.pop()) {
    if (text.length < MIN_MASKED_LENGTH || seen.has(text)) continue;
    seen.add(text);
    forms.add(text);
    forms.add(JSON.stringify(text).slice(1, -1));
    for (const form of [...leavesOf(text), ...decodedOf(text)]) queue.push(form);
  }
  return forms;
}

/** The strings and numbers in the JSON text of an object or an array; nothing for other text. */
function leavesOf(text: string): string[] {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return [];
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // Not JSON: the text is only itself. (The error quotes the text: it goes nowhere.)
    return [];
  }
  const leaves: string[] = [];
  // Iterative, so that a deeply nested value cannot overflow the stack.
  const stack: unknown[] = [document];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') leaves.push(node);
    else if (typeof node === 'number') leaves.push(String(node));
    else if (typeof node === 'object' && node !== null) for (const child of Object.values(node)) stack.push(child);
  }
  return leaves;
}

/** The UTF-8 text that strict base64 decodes to; nothing for other text, or bytes that are not UTF-8. */
function decodedOf(text: string): string[] {
  if (!BASE64.test(text)) return [];
  const bytes = Buffer.from(text, 'base64');
  // Strict: the canonical encoding of its bytes (no stray bits in the last character).
  if (bytes.toString('base64') !== text) return [];
  try {
    return [utf8.decode(bytes)];
  } catch {
    return [];
  }
}

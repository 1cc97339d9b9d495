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

// --- Internal helpers: the forms a value is printed in ---

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every text to mask for `values` (each an environment value: text as it is, bytes as base64, JSON
 * as JSON text): every form at least `MIN_MASKED_LENGTH` characters long, of a text at least as long:
 * - each text in the forms it is printed in (see `printedForms`);
 * - when it is the JSON text of an object or an array, every string and every number in it at any
 *   depth (a child that parses it prints them), not the keys: they are names (`password`, an SSM
 *   path's parameter names), and masking them would garble every line that names a field;
 * - when it is strict base64 (a value resolved with `as=binary`), the decoded text when it is UTF-8,
 *   else the decoded bytes' base64 and hex forms.
 * Each text found is a value again: a JSON string in a JSON value, a JSON document in base64.
 */
function formsOf(values: Iterable<string>): Set<string> {
  const forms = new Set<string>();
  const add = (form: string) => {
    // A form can be shorter than its text: 1.0001 is "1" in toLocaleString.
    if (form.length >= MIN_MASKED_LENGTH) forms.add(form);
  };
  const seen = new Set<string>();
  const queue = [...values];
  for (let text = queue.pop(); text !== undefined; text = queue.pop()) {
    if (text.length < MIN_MASKED_LENGTH || seen.has(text)) continue;
    seen.add(text);
    for (const form of printedForms(text)) add(form);
    for (const leaf of leavesOf(text)) queue.push(leaf);
    const bytes = decodedOf(text);
    if (bytes === undefined) continue;
    const decoded = utf8Of(bytes);
    if (decoded !== undefined) queue.push(decoded);
    else if (bytes.length >= MIN_MASKED_LENGTH) for (const form of bytesForms(bytes)) add(form);
  }
  return forms;
}

/**
 * `text` as programs commonly print it: as it is; JSON-escaped (`JSON.stringify({ password })`), also
 * with every non-ASCII character as `\u00e4` (Python's `json.dumps`), with Go's HTML-safe escapes
 * (`\u003c`, `\u003e`, `\u0026`), and JSON-escaped twice; as Python's `repr` (a printed dict); its
 * UTF-8 bytes in base64 and hex (see `bytesForms`); URL-encoded; a number grouped as `toLocaleString`
 * prints it.
 */
function printedForms(text: string): string[] {
  const json = JSON.stringify(text).slice(1, -1);
  return [
    text,
    json,
    json.replace(/[\u007f-\uffff]/g, unicodeEscape),
    json.replace(/[<>&\u2028\u2029]/g, unicodeEscape),
    JSON.stringify(json).slice(1, -1),
    pythonRepr(text),
    ...bytesForms(Buffer.from(text)),
    ...uriEncoded(text),
    ...grouped(text),
  ];
}

/** `bytes` in base64 (standard and URL-safe alphabets, with and without padding) and hex (either case). */
function bytesForms(bytes: Buffer): string[] {
  const base64 = bytes.toString('base64');
  const url = bytes.toString('base64url');
  const hex = bytes.toString('hex');
  return [base64, base64.replace(/=+$/, ''), url, url.padEnd(base64.length, '='), hex, hex.toUpperCase()];
}

/** `\uXXXX` for one UTF-16 code unit, lower-case as Python and Go write it. */
function unicodeEscape(unit: string): string {
  return `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** What Python escapes in a str's repr: the backslash, \t \n \r, and what is not printable but the space. */
const PYTHON_ESCAPED = /[\\'\t\n\r\p{C}\p{Z}]/gu;
const PYTHON_SHORT: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Python's `repr` of a str without its quotes: `'` is escaped only when the text has both quotes. */
function pythonRepr(text: string): string {
  // Python quotes with ' unless the text has ' and no ", and escapes only the quote it quotes with.
  const quote = text.includes("'") && text.includes('"');
  return text.replace(PYTHON_ESCAPED, (char) => {
    if (char === "'") return quote ? "\\'" : char;
    if (char === ' ') return char;
    const short = PYTHON_SHORT[char];
    if (short !== undefined) return short;
    const point = char.codePointAt(0) as number;
    const digits = point < 0x100 ? 2 : point < 0x10000 ? 4 : 8;
    return `\\${digits === 2 ? 'x' : digits === 4 ? 'u' : 'U'}${point.toString(16).padStart(digits, '0')}`;
  });
}

/** `encodeURIComponent(text)`; nothing for a text with a lone surrogate, which it refuses. */
function uriEncoded(text: string): string[] {
  try {
    return [encodeURIComponent(text)];
  } catch {
    return [];
  }
}

// In the locale the command inherits (its environment is this process's) and in en-US: 123,456.
let groupings: readonly Intl.NumberFormat[] | undefined;

/** A number's text as `toLocaleString` prints it; nothing for other text. */
function grouped(text: string): string[] {
  const number = Number(text);
  if (!Number.isFinite(number) || String(number) !== text) return [];
  groupings ??= [new Intl.NumberFormat(), new Intl.NumberFormat('en-US')];
  return groupings.map((format) => format.format(number));
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

/** The bytes that strict base64 decodes to; nothing for other text. */
function decodedOf(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Strict: the canonical encoding of its bytes (no stray bits in the last character).
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** `bytes` as UTF-8 text; nothing for bytes that are not UTF-8. */
function utf8Of(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

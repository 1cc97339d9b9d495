/**
 * The forms a program commonly prints a value in, for `exec --mask`: JSON-escaped, Python's repr,
 * URL-encoded, base64 and hex, grouped numbers, and the strings and numbers inside a JSON value.
 */

/** Values shorter than this are not masked: masking `on` or `1` would garble any output. */
export const MIN_MASKED_LENGTH = 4;

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
export function formsOf(values: Iterable<string>): Set<string> {
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

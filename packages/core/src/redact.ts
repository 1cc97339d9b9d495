/**
 * Keeping values out of what is shown:
 * - how a text that must not be shown appears in messages and events: its length and a keyed digest
 *   (HMAC-SHA256 with a key drawn at random once per process); the digest tells two values apart in
 *   one process's logs, and unlike a plain digest no dictionary reverses it;
 * - the texts a value holds (`textsOf`), the forms a message may quote them in (`addForms`), and
 *   redaction of those forms from a message written by code secretref does not control (`redact`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { InvalidOptionError } from './errors.ts';
import { Secret } from './secret.ts';

const KEY = Symbol.for('secretref.redact.key');
type Holder = { [KEY]?: Buffer };

function text(value: unknown, of: string): string {
  if (typeof value !== 'string') throw new InvalidOptionError(`${of} takes a string`);
  return value;
}

/** The keyed digest of `text`: 12 hex digits. */
export function keyedDigest(value: string): string {
  // One key for every copy of secretref in the process (ESM and CommonJS), so their digests agree.
  const holder = globalThis as Holder;
  holder[KEY] ??= randomBytes(32);
  return createHmac('sha256', holder[KEY]).update(text(value, 'keyedDigest')).digest('hex').slice(0, 12);
}

/** `<N characters, hmac 0123456789ab>`: what is shown of a text that must not be. */
export function redactText(value: string): string {
  return `<${text(value, 'redactText').length} characters, hmac ${keyedDigest(value)}>`;
}

// --- Internal helpers: the texts of values, and their redaction ---

/** Shorter texts are too common to redact ("a" would eat every "a" of a message). */
export const MIN_REDACTABLE = 3;
const REDACTED = '[redacted]';

/**
 * Visits every text a value holds, at any depth: strings, numbers (as they print, grouped or not),
 * object keys, a `Secret`'s content, bytes as base64 and as text, and the parts of a string that is a
 * JSON text or a number (a schema or callback may parse it). `child` makes a place for a key.
 * Iterative, so a deeply nested value cannot overflow the stack.
 */
export function textsOf<P>(
  value: unknown,
  at: P,
  child: (place: P, key: string) => P,
  visit: (text: string, place: P) => void,
): void {
  const stack: { node: unknown; place: P }[] = [{ node: value, place: at }];
  const seen = new Set<object>();
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, place } = item;
    if (typeof node === 'string') {
      visit(node, place);
      if (/^-?\d+(?:\.\d+)?$/.test(node)) stack.push({ node: Number(node), place });
      if (/^\s*[[{]/.test(node)) {
        try {
          stack.push({ node: JSON.parse(node) as unknown, place });
        } catch {
          // Not JSON after all.
        }
      }
    } else if (typeof node === 'number' || typeof node === 'bigint') {
      visit(String(node), place);
      visit(node.toLocaleString('en-US'), place);
      visit(node.toLocaleString(), place);
    } else if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    else if (Secret.isSecret(node)) {
      seen.add(node);
      stack.push({ node: node.reveal(), place });
    } else if (node instanceof Uint8Array) {
      const bytes = Buffer.from(node.buffer, node.byteOffset, node.byteLength);
      visit(bytes.toString('base64'), place);
      if (bytes.length >= MIN_REDACTABLE) visit(bytes.toString('utf8'), place);
    } else {
      seen.add(node);
      for (const [key, inner] of Object.entries(node)) {
        const where = child(place, key);
        if (!Array.isArray(node)) visit(key, where);
        stack.push({ node: inner, place: where });
      }
    }
  }
}

/** Adds the forms a message may quote a text in: as it is, JSON-escaped, URL-encoded, base64. */
export function addForms(value: string, into: Set<string>): void {
  if (value.length < MIN_REDACTABLE) return;
  into.add(value);
  into.add(JSON.stringify(value).slice(1, -1));
  into.add(encodeURIComponent(value));
  into.add(Buffer.from(value).toString('base64').replace(/=+$/, ''));
}

/**
 * Replaces every occurrence of every string by `[redacted]`, case-insensitively and in one pass over
 * the original text (overlapping occurrences become one `[redacted]`).
 */
export function redact(message: string, strings: ReadonlySet<string>): string {
  const hidden = new Uint8Array(message.length);
  let found = false;
  for (const value of strings) {
    // Unicode case folding keeps positions, where lower-casing may not (`İ`).
    const pattern = new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
    for (let match = pattern.exec(message); match; match = pattern.exec(message)) {
      hidden.fill(1, match.index, match.index + match[0].length);
      found = true;
      // On to the next code point: lastIndex inside a surrogate pair would match the pair again.
      pattern.lastIndex = match.index + ((message.codePointAt(match.index) ?? 0) > 0xffff ? 2 : 1);
    }
  }
  if (!found) return message;
  let out = '';
  for (let i = 0; i < message.length; ) {
    let end = i;
    const masked = hidden[i] === 1;
    while (end < message.length && (hidden[end] === 1) === masked) end++;
    out += masked ? REDACTED : message.slice(i, end);
    i = end;
  }
  return out;
}

/**
 * Does `message` quote any of `texts`, even in part: any 8 characters of one (all of it if shorter),
 * case-insensitively, in any of the forms of `addForms`? For messages of thrown errors, which quote a
 * slice of what they were given (`JSON.parse`: `"<aaaS3CR3T"... is not valid JSON`).
 */
export function quotesAny(message: string, texts: Iterable<string>): boolean {
  const haystack = message.toLowerCase();
  for (const value of texts) {
    const forms = new Set<string>();
    addForms(value, forms);
    for (const form of forms) {
      const needle = form.toLowerCase();
      const window = Math.min(8, needle.length);
      for (let i = 0; i + window <= needle.length; i++) {
        if (haystack.includes(needle.slice(i, i + window))) return true;
      }
    }
  }
  return false;
}

/**
 * How a text that must not be shown appears in messages and events: its length and a keyed digest
 * (HMAC-SHA256 with a key drawn at random once per process). The digest tells two values apart in
 * one process's logs; unlike a plain digest, no dictionary reverses it.
 */
import { createHmac, randomBytes } from 'node:crypto';

const KEY = Symbol.for('secretref.redact.key');
type Holder = { [KEY]?: Buffer };

/** The keyed digest of `text`: 12 hex digits. */
export function keyedDigest(text: string): string {
  // One key for every copy of secretref in the process (ESM and CommonJS), so their digests agree.
  const holder = globalThis as Holder;
  holder[KEY] ??= randomBytes(32);
  return createHmac('sha256', holder[KEY]).update(text).digest('hex').slice(0, 12);
}

/** `<N characters, hmac 0123456789ab>`: what is shown of a text that must not be. */
export function redactText(text: string): string {
  return `<${text.length} characters, hmac ${keyedDigest(text)}>`;
}

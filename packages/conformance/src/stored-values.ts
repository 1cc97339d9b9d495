/** The values the suite stores: one set per subject, seeded once whichever topic runs first. */
import { randomBytes } from 'node:crypto';
import type { ConformanceSubject } from './subject.ts';

/** What is stored for one subject: its values, their tokens, and once seeded, their bodies and scheme. */
export interface Seeded {
  readonly values: Readonly<Record<string, string>>;
  /** A distinctive part of each value: a message quoting a value in part shows it. */
  readonly tokens: Readonly<Record<string, string>>;
  bodies?: Readonly<Record<string, string>>;
  scheme?: string;
  ready?: Promise<void>;
}

export const seeds: WeakMap<ConformanceSubject, Seeded> = new WeakMap();

function token(): string {
  return randomBytes(8).toString('hex');
}

/**
 * The values: non-ASCII and astral characters, whitespace at both ends, characters that mean something
 * in URLs and references, JSON, one just under the size limit, and enough others for two batches of 10.
 */
export function makeValues(maxValueBytes: number): Seeded {
  const tokens: Record<string, string> = {};
  const values: Record<string, string> = {};
  const add = (name: string, make: (t: string) => string): void => {
    const t = token();
    tokens[name] = t;
    values[name] = make(t);
  };
  add('plain', (t) => `conformance-${t}`);
  add('unicode', (t) => `p\u00e4ssw\u00f6rd-\u2603-\u{1F511}-\u4e2d\u6587-${t}`);
  add('spaced', (t) => `  ${t} with spaces,\ta tab and a\nnewline  `);
  add('symbols', (t) => `${t}%20?#&=+/\\"'<>{}[]:;,|^~\`$`);
  add('json', (t) => JSON.stringify({ user: 'conformance', password: `pw-${t}`, nested: { key: `nk-${t}` } }));
  add('long', (t) => {
    const head = `long-${t}-`;
    const unit = 'abc\u00e9\u2603-'; // 9 bytes of UTF-8
    const room = Math.max(0, maxValueBytes - 16 - Buffer.byteLength(head));
    return `${head}${unit.repeat(Math.floor(room / Buffer.byteLength(unit)))}end`;
  });
  for (let i = 1; i <= 6; i++) add(`batch-${i}`, (t) => `batch-${i}-${t}`);
  return { values, tokens };
}

/** The values the suite stores: one set per subject, seeded once whichever topic runs first. */
import { randomBytes } from 'node:crypto';
import type { ConformanceSubject } from './subject.ts';

/** The keys of the JSON value: `{ [user]: ..., [password]: ..., [nested]: { [key]: ... } }`. */
export interface JsonKeys {
  readonly user: string;
  readonly password: string;
  readonly nested: string;
  readonly key: string;
}

/** What is stored for one subject: its values, their tokens, and once seeded, their bodies and scheme. */
export interface Seeded {
  readonly values: Readonly<Record<string, string>>;
  /** A distinctive part of each value: a message quoting a value in part shows it. */
  readonly tokens: Readonly<Record<string, string>>;
  /**
   * For a value of many repeats, a shorter text with the same 8-character windows in every form the
   * leak check looks for, which it looks for instead (the long value, with 4 of its repeats).
   */
  readonly probes: Readonly<Record<string, string>>;
  readonly keys: JsonKeys;
  bodies?: Readonly<Record<string, string>>;
  scheme?: string;
  ready?: Promise<void>;
}

export const seeds: WeakMap<ConformanceSubject, Seeded> = new WeakMap();

/** `chars` random hex digits (16 by default). */
export function token(chars = 16): string {
  return randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars);
}

/**
 * The values: non-ASCII and astral characters, whitespace at both ends, characters that mean something
 * in URLs and references, JSON, one just under the size limit, and enough others for two batches of 10.
 * The leak check finds any 8 characters of a value, in any case and form (`quotesAny`), so no 8
 * characters of one are words or names a message may hold for its own reasons (`conformance`, the
 * value's name, a JSON key such as `password`): random digits are between any longer run of fixed ones.
 */
export function makeValues(maxValueBytes: number): Seeded {
  const tokens: Record<string, string> = {};
  const values: Record<string, string> = {};
  const r = (): string => token(4);
  const add = (name: string, make: (t: string) => string): void => {
    const t = token();
    tokens[name] = t;
    values[name] = make(t);
  };
  // Shorter than a window: any 8 characters of the JSON text hold a quote, colon or brace besides a key,
  // so a message naming a key (the reference `json#/<nested>/missing` does) quotes none of the value.
  const keys: JsonKeys = {
    user: `u${token(4)}`,
    password: `p${token(4)}`,
    nested: `n${token(4)}`,
    key: `k${token(4)}`,
  };
  add('plain', (t) => `cf-${t}`);
  add('unicode', (t) => `p\u00e4s${r()}w\u00f6rd-\u2603${r()}\u{1F511}-\u4e2d\u6587${r()}-${t}`);
  add('spaced', (t) => `  ${t} ${r()},\t${r()} ${r()}\n${r()}  `);
  add('symbols', (t) => `${t}%20?#&${r()}=+/\\"${r()}'<>{}${r()}[]:;,${r()}|^~\`$`);
  add('json', (t) =>
    JSON.stringify({
      [keys.user]: `u-${r()}`,
      [keys.password]: `pw-${t}`,
      [keys.nested]: { [keys.key]: `nk-${r()}${r()}` },
    }),
  );
  const probes: Record<string, string> = {};
  add('long', (t) => {
    const head = `lg-${t}-`;
    const unit = `${token(3)}\u00e9\u2603-`; // 9 bytes of UTF-8
    const room = Math.max(0, maxValueBytes - 16 - Buffer.byteLength(head));
    const units = Math.floor(room / Buffer.byteLength(unit));
    // The same 8-character windows in every form (a unit is 9 bytes, so base64 keeps its alignment), 100 times shorter.
    probes.long = `${head}${unit.repeat(Math.min(units, 4))}end`;
    return `${head}${unit.repeat(units)}end`;
  });
  for (let i = 1; i <= 6; i++) add(`batch-${i}`, (t) => `b${i}-${t}`);
  return { values, tokens, probes, keys };
}

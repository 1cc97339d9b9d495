/**
 * Keeping resolved values out of what a schema reports: its issues (messages and paths redacted,
 * withheld where a value is too short to redact) and what it throws.
 */
import { ConfigError, type ConfigIssue, describeThrown } from './errors.ts';
import { addForms, MIN_REDACTABLE, quotesAny, redact, textsOf } from './redact.ts';

/** A resolved value of the config and the keys it is at. */
export interface Resolved {
  readonly keys: readonly string[];
  readonly value: unknown;
}

const REDACTED = '[redacted]';
const WITHHELD = 'the value does not match the schema (message withheld: it could quote a secret)';

/** A place in the config, as a chain: cheap to make for every node of a large resolved value. */
interface Place {
  readonly parent: Place | undefined;
  readonly key: string;
}

function placeOf(keys: readonly string[]): Place | undefined {
  return keys.reduce<Place | undefined>((parent, key) => ({ parent, key }), undefined);
}

function keysOf(place: Place | undefined): string[] {
  const keys: string[] = [];
  for (let at = place; at; at = at.parent) keys.push(at.key);
  return keys.reverse();
}

/** What an issue could quote of the resolved values. */
interface Revealed {
  /** Every text of 3 or more characters, in every form a message may quote it, to redact. */
  readonly strings: Set<string>;
  /** Where the values and keys too short to redact are: issues there, above or below say nothing. */
  readonly short: (Place | undefined)[];
}

/** Collects every text of a resolved value (see `textsOf`), and where the too short ones are. */
function collect(value: unknown, at: Place | undefined, into: Revealed): void {
  textsOf(
    value,
    at,
    (parent, key) => ({ parent, key }),
    (text, place) => {
      if (text.length < MIN_REDACTABLE) into.short.push(place);
      else addForms(text, into.strings);
    },
  );
}

/** Is one path a prefix of the other (the same place, or one inside the other)? */
function related(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

type IssuePath = readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;

/**
 * A schema issue with no resolved value in it: strings redacted from the message; the keys of a
 * resolved value redacted from the path (array indexes stay); the whole message withheld when it
 * could quote a value too short to redact.
 */
function safeIssue(
  config: unknown,
  issue: { readonly message: string; readonly path?: IssuePath },
  resolvedAt: readonly (readonly string[])[],
  revealed: Revealed,
  shortKeys: readonly (readonly string[])[],
): ConfigIssue {
  const raw = (issue.path ?? []).map((part) => (typeof part === 'object' && part !== null ? part.key : part));
  const keys = raw.map((part) => String(part));
  const root = resolvedAt.find((at) => at.length < keys.length && related(at, keys));
  // A path part that is no key of the config is the schema's own: it may hold anything, so it is
  // redacted as a message is.
  let node: unknown = config;
  const path = raw
    .map((part, i) => {
      const known = typeof node === 'object' && node !== null && Object.hasOwn(node, String(part));
      node = known ? (node as Record<string, unknown>)[String(part)] : undefined;
      if (root && i >= root.length && typeof part !== 'number') return REDACTED;
      return known ? String(part) : redact(String(part), revealed.strings);
    })
    .join('.');
  const withheld = shortKeys.some((at) => related(at, keys));
  return { path, message: withheld ? WITHHELD : redact(String(issue.message), revealed.strings) };
}

/** The issues of a schema, each with no resolved value in it (see `safeIssue`). */
export function safeIssues(
  config: unknown,
  issues: readonly { readonly message: string; readonly path?: IssuePath }[],
  resolved: readonly Resolved[],
): ConfigIssue[] {
  // Validators may quote the value they rejected (an enum mismatch, an unknown key): no string,
  // key or number of any resolved value is shown.
  const found: Revealed = { strings: new Set(), short: [] };
  for (const { keys, value } of resolved) collect(value, placeOf(keys), found);
  const shortKeys = found.short.map(keysOf);
  const resolvedAt = resolved.map(({ keys }) => keys);
  return issues.map((issue) => safeIssue(config, issue, resolvedAt, found, shortKeys));
}

/**
 * A schema that throws (a transform's JSON.parse, BigInt, new URL of a value) quotes what it was
 * given: a ConfigError, its cause keeping the message only when it quotes no resolved value.
 */
export function schemaThrew(error: unknown, resolved: readonly Resolved[]): ConfigError {
  const texts: string[] = [];
  for (const { value } of resolved) {
    textsOf(
      value,
      undefined,
      () => undefined,
      (text) => void texts.push(text),
    );
  }
  const cause = describeThrown(error, (message) => !quotesAny(message, texts));
  return new ConfigError([{ path: '', message: `the schema threw ${cause.name} (see the cause)` }], { cause });
}

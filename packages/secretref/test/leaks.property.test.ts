/**
 * The leak property (issue 11, "Beyond the list"): fast-check plants a distinctive secret value behind
 * a random failure path (every error class the resolver produces, every transform, a provider that
 * throws, AWS error shapes off the wire, a value where a reference belongs), drives it through every
 * entry point (resolve, resolveAll, peek, watch, loadEnv/resolveEnv, loadConfig, retryWithFreshSecret,
 * secretsHandler/secretsMiddleware, decryptEnv) and the CLI's `run()`, and asserts that the value is in
 * nothing observable: no message, stack, cause chain, property (hidden ones too), `util.inspect`
 * (showHidden, depth 10), `JSON.stringify`, `String()`, diagnostics event, or CLI output. Raw,
 * JSON-escaped, inspect-escaped, percent-encoded and base64 forms all count, and so does the
 * value's distinctive core alone (a partial leak). Legitimate outputs are not checked: what a
 * successful resolve returns, and `secretref get`'s stdout when it exits 0.
 *
 * AWS shapes come from the real SDK clients with a stubbed transport (a `requestHandler` in-process,
 * a loopback HTTP server behind `AWS_ENDPOINT_URL` for the CLI, which builds its own clients), so the
 * SDK's own deserializer makes `__type`, `$response`, `$metadata` and its SyntaxErrors. No moto.
 *
 * A case is one value, one path and one entry point (or CLI command): SECRETREF_FUZZ_RUNS cases per
 * property, 200 by default (a few seconds), 100,000 in `pnpm fuzz`.
 *
 * What it found when first written (all fixed; each has a regression test of its own as well):
 * 1. a provider that throws: what it threw was kept as the cause (now its name and frames only);
 * 2. an AWS error whose message holds the value: the SDK exception was kept as the cause (now only
 *    checked fields); a BatchGetSecretValue per-secret error the same;
 * 3. an error name (`__type`, `x-amzn-errortype`) that is the value was quoted (now only known or
 *    letters-only names);
 * 4. `ssm-secure:` quoted a `Type` that is the value (now only SSM's three types);
 * 5. a value that starts like a scheme (`abcS3CR3T:rest`) was quoted as an unknown scheme (now only
 *    lower-case words of 16 letters at most);
 * 6. `secretref exec` with a NUL in a value printed spawn's error, which quotes it (now refused first);
 * 7. `watch` kept what onChange threw (a `JSON.parse(value)` SyntaxError) as the cause (now only when
 *    it quotes nothing of the value);
 * 8. a plaintext in a `kms:` reference quoted what followed a `#` or `?` (now hidden with the body).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createResolver } from '@secretref/core';
import { type ManualClock, type MemoryProvider, manualClock, memoryProvider } from '@secretref/core/testing';
import fc from 'fast-check';
import {
  AccessDeniedError,
  CHANNELS,
  DecryptionError,
  decryptEnv,
  type ErrorCode,
  kmsProvider,
  loadConfig,
  loadEnv,
  type Provider,
  ProviderError,
  peek,
  type ResolveOptions,
  type Resolver,
  resolve,
  resolveAll,
  resolveEnv,
  retryWithFreshSecret,
  SecretrefError,
  secret,
  secretsHandler,
  secretsManagerProvider,
  secretsMiddleware,
  setDefaultResolver,
  ssmProvider,
  ThrottledError,
  watch,
} from 'secretref';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { runCli } from './fake-io.ts';

const RUNS = Number(process.env.SECRETREF_FUZZ_RUNS ?? 200);
const TIMEOUT_MS = Math.max(60_000, RUNS * 100);

// --- The planted secret -------------------------------------------------------------------------

const MARK = 'S3CR3T';

/** A secret value and every form in which finding it (or its distinctive core) is a leak. */
interface Planted {
  readonly value: string;
  /** The part that can only come from the value: `<random prefix>S3CR3T`, or a short value whole. */
  readonly core: string;
  readonly needles: readonly string[];
}

/** Base64 of `bytes` at each of the three alignments it can have inside a larger buffer. */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const text = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    // The first group mixes in the padding, the last one what follows the value.
    const inner = text.slice(pad === 0 ? 0 : 4, -4);
    if (inner.length >= 8) forms.push(inner);
  }
  return forms;
}

function plant(value: string, core: string): Planted {
  const needles = new Set<string>();
  // Case-folded too: a scheme is lower-cased before it is quoted.
  for (const text of new Set([value, core, value.toLowerCase(), core.toLowerCase(), core.toUpperCase()])) {
    needles.add(text);
    needles.add(JSON.stringify(text).slice(1, -1));
    needles.add(inspect(text).slice(1, -1));
    needles.add(encodeURIComponent(text));
    for (const form of base64Forms(Buffer.from(text))) needles.add(form);
  }
  return { value, core, needles: [...needles] };
}

const ALNUM = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
// JSON-special characters, line breaks, reference syntax, quotes, unicode (astral too), a NUL.
const SPECIAL = [
  '"',
  '\\',
  '\n',
  '\r\n',
  '\t',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '#',
  '?',
  '/',
  "'",
  '`',
  '\u2028',
  '\u0000',
  'é',
  '😀',
  '密码',
  ' ',
  '=',
  '+',
  '%',
  '&',
  '<',
  '$',
  '{{',
  '}}',
];
// Characters no message, stack or path of secretref ever holds: a short value made of them is recognisable.
const RARE = ['§', '¤', 'Ꙭ', 'ᚠ', 'ᛟ', '☿', '♆', '𓂀', 'ǂ', 'Ʃ', 'ꙮ'];

// A letter first, so that `<prefix>S3CR3T:` looks like a scheme.
const prefix = fc
  .tuple(
    fc.constantFrom(...ALNUM.slice(0, 26)),
    fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 2, maxLength: 5 }),
  )
  .map(([first, rest]) => first + rest);
const piece = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.string({ unit: 'grapheme', maxLength: 3 }),
  fc.string({ maxLength: 4 }),
);
const tail = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));
/** `<anything><prefix>S3CR3T<anything>`: recognisable by its core, with JSON, unicode and newlines around it. */
const longSecret = fc
  .tuple(tail, prefix, tail)
  .map(([before, p, after]) => plant(`${before}${p}${MARK}${after}`, `${p}${MARK}`));
/** 3 to 5 characters, the first a rare one: recognisable whole. */
const shortSecret = fc
  .tuple(
    fc.constantFrom(...RARE),
    fc.string({
      unit: fc.constantFrom(...RARE, '"', '\\', '\n', '{', ':', ',', 'a', '1', ' '),
      minLength: 2,
      maxLength: 4,
    }),
  )
  .map(([first, rest]) => plant(first + rest, first + rest));
/** Reference syntax right after or before the core, as in `user:password` strings: `abcS3CR3T:rest`, `#abcS3CR3T`. */
const separatedSecret = fc
  .tuple(prefix, fc.constantFrom(':', '#', '?', ',', '@', '/', '=', '&'), fc.boolean(), tail)
  .map(([p, separator, first, rest]) =>
    plant(first ? `${separator}${p}${MARK}${rest}` : `${p}${MARK}${separator}${rest}`, `${p}${MARK}`),
  );
const anySecret = fc.oneof(
  { weight: 3, arbitrary: longSecret },
  { weight: 1, arbitrary: shortSecret },
  { weight: 1, arbitrary: separatedSecret },
);
/**
 * A secret that is base64 text, so that it passes for a ciphertext (a plaintext put in a `kms:` variable):
 * shorter than a ciphertext can be, and long enough (32 bytes and more) to be sent to KMS.
 */
const base64Unit = fc.constantFrom(...'ABCxyz0189+/');
const base64Secret = fc
  .tuple(
    prefix,
    fc.oneof(
      fc.string({ unit: base64Unit, maxLength: 12 }),
      fc.string({ unit: base64Unit, minLength: 40, maxLength: 60 }),
    ),
  )
  .map(([p, rest]) => {
    const value = `${p}${MARK}${rest}`;
    return plant(value.length % 4 === 1 ? `${value}A` : value, `${p}${MARK}`);
  });

// --- Everything observable, and the check -------------------------------------------------------

interface Seen {
  readonly where: string;
  readonly text: string;
}

/**
 * Every string reachable from each observed value (own properties, hidden and symbol-keyed ones too,
 * getters, keys, Map and Set entries, bytes decoded as UTF-8, Latin-1 and base64), the inspect
 * (showHidden, depth 10), JSON.stringify and String of each observed value, and the message, stack,
 * String and JSON of every error in them (causes too). Streams and sockets are not walked.
 */
function reachable(observed: readonly (readonly [string, unknown])[]): Seen[] {
  const out: Seen[] = [];
  const seen = new Set<object>();
  let budget = 5000;
  const render = (value: object, where: string, full: boolean): void => {
    if (full) {
      // showHidden reaches the prototype of an http request under an SDK error's `$response`, where a
      // deprecated getter (`_headers`) would print a DEP0066 warning: not this test's business.
      const quiet = process.noDeprecation === true;
      process.noDeprecation = true;
      try {
        out.push({ where: `inspect(${where})`, text: inspect(value, { showHidden: true, depth: 10, getters: true }) });
      } catch {
      } finally {
        process.noDeprecation = quiet;
      }
    }
    try {
      out.push({ where: `JSON.stringify(${where})`, text: JSON.stringify(value) ?? '' });
    } catch {}
    try {
      out.push({ where: `String(${where})`, text: String(value) });
    } catch {}
  };
  const visit = (value: unknown, where: string, depth: number): void => {
    if (typeof value === 'string') {
      out.push({ where, text: value });
      return;
    }
    if (typeof value === 'symbol') {
      out.push({ where, text: value.description ?? '' });
      return;
    }
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 12 || --budget < 0) return;
    seen.add(value);
    if (value instanceof EventEmitter) return;
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      const bytes = ArrayBuffer.isView(value)
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        : Buffer.from(value);
      for (const encoding of ['utf8', 'latin1', 'base64'] as const) {
        out.push({ where: `${where} (bytes as ${encoding})`, text: bytes.toString(encoding) });
      }
      return;
    }
    if (depth === 0 || value instanceof Error) render(value, where, depth === 0);
    if (value instanceof Error) {
      visit(value.message, `${where}.message`, depth + 1);
      visit(value.stack, `${where}.stack`, depth + 1);
    }
    if (value instanceof Map || value instanceof Set) {
      let i = 0;
      for (const entry of value instanceof Map ? value.entries() : value.values()) {
        visit(entry, `${where}[${i++}]`, depth + 1);
      }
    }
    for (const key of Reflect.ownKeys(value)) {
      const name = typeof key === 'symbol' ? `[${String(key)}]` : key;
      out.push({ where: `${where} (key ${name})`, text: name });
      let child: unknown;
      try {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        child = descriptor && ('value' in descriptor ? descriptor.value : descriptor.get?.call(value));
      } catch {
        continue;
      }
      visit(child, `${where}.${name}`, depth + 1);
    }
  };
  for (const [label, value] of observed) visit(value, label, 0);
  if (budget < 0) expect.fail('the walk of what was observed stopped after 5000 objects: raise the budget');
  return out;
}

/** Fails with where the secret showed up, and the text around it. */
function expectNoLeak(planted: Planted, observed: readonly (readonly [string, unknown])[]): void {
  const texts = reachable(observed);
  const all = texts.map((seen) => seen.text).join('\n');
  for (const needle of planted.needles) {
    if (!all.includes(needle)) continue;
    const hit = texts.find((seen) => seen.text.includes(needle));
    if (hit === undefined) continue; // only across the joins of two texts
    const { where, text } = hit;
    const at = text.indexOf(needle);
    const context = text.slice(Math.max(0, at - 120), at + needle.length + 60);
    expect.fail(
      `${where} shows the secret ${JSON.stringify(planted.value)} (as ${JSON.stringify(needle)}):\n${JSON.stringify(context)}`,
    );
  }
}

// Every diagnostics event of every resolver in the process.
const events: unknown[] = [];
const listener = (message: unknown): void => {
  events.push(message);
};
beforeAll(() => {
  for (const name of Object.values(CHANNELS)) subscribe(name, listener);
});
afterAll(() => {
  for (const name of Object.values(CHANNELS)) unsubscribe(name, listener);
});

// --- A stubbed AWS wire -------------------------------------------------------------------------

/** One HTTP answer of the stubbed AWS, a network failure, or no answer until the request is aborted. */
type Wire =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body: string }
  | { readonly network: () => Error }
  | { readonly hang: true };
/** Answers one request: the `X-Amz-Target` operation and the JSON input. */
type Answer = (op: string, input: Record<string, unknown>) => Wire;

const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.1' };
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
// Shaped like a KMS ciphertext blob of a symmetric key (0x01 0x02 ...), 64 bytes as moto's are.
const BLOB = Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78, ...Array.from({ length: 59 }, (_, i) => i)]).toString('base64');

const noAnswer: Answer = () => ({ status: 500, headers: JSON_TYPE, body: '{"__type":"InternalFailure"}' });
let answer: Answer = noAnswer;

function ok(body: unknown): Wire {
  return { status: 200, headers: JSON_TYPE, body: JSON.stringify(body) };
}

const idsOf = (input: Record<string, unknown>): string[] =>
  (input.Names ?? input.SecretIdList ?? [input.Name ?? input.SecretId]) as string[];
const isOkName = (name: unknown): boolean => typeof name === 'string' && name.includes('lk/ok');

/** A successful answer of every service, with `value` (bytes: SecretBinary or a KMS plaintext) for every name. */
function valueAnswer(value: string | Uint8Array, ssmType = 'SecureString'): Answer {
  const text = typeof value === 'string' ? value : undefined;
  const bytes = Buffer.from(typeof value === 'string' ? new TextEncoder().encode(value) : value).toString('base64');
  const secretOf = (id: string) => ({
    Name: id,
    ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-AbCdEf`,
    VersionId: 'v1',
    ...(text === undefined ? { SecretBinary: bytes } : { SecretString: text }),
  });
  return (op, input) => {
    switch (op) {
      case 'AmazonSSM.GetParameters':
        return ok({ Parameters: idsOf(input).map((Name) => ({ Name, Type: ssmType, Value: text, Version: 1 })) });
      case 'AmazonSSM.GetParameter':
        return ok({ Parameter: { Name: input.Name, Type: ssmType, Value: text, Version: 1 } });
      case 'AmazonSSM.GetParametersByPath':
        return ok({ Parameters: [{ Name: `${String(input.Path)}x`, Type: ssmType, Value: text, Version: 1 }] });
      case 'secretsmanager.GetSecretValue':
        return ok(secretOf(String(input.SecretId)));
      case 'secretsmanager.BatchGetSecretValue':
        return ok({ SecretValues: idsOf(input).map(secretOf), Errors: [] });
      case 'TrentService.Decrypt':
        return ok({ Plaintext: bytes, KeyId: KEY_ARN, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      default:
        return noAnswer(op, input);
    }
  };
}

/** Names with `lk/ok` in them get `secret`; the rest what `path` says. */
function withOkNames(path: Answer, secretValue: string): Answer {
  const good = valueAnswer(secretValue);
  return (op, input) => (idsOf(input).every(isOkName) ? good(op, input) : path(op, input));
}

/** The in-process transport of the library's clients. */
const requestHandler = {
  async handle(request: { headers: Record<string, string>; body?: unknown }, options?: { abortSignal?: AbortSignal }) {
    const op = request.headers['x-amz-target'] ?? '';
    const { body } = request;
    const text = typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : '';
    const input = JSON.parse(text || '{}') as Record<string, unknown>;
    const wire = answer(op, input);
    if ('network' in wire) throw wire.network();
    if ('hang' in wire) {
      return new Promise<never>((_, reject) => {
        const abort = () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
        if (options?.abortSignal?.aborted) abort();
        else options?.abortSignal?.addEventListener('abort', abort, { once: true });
      });
    }
    return {
      response: { statusCode: wire.status, headers: { ...wire.headers }, body: Buffer.from(wire.body) },
    };
  },
};
const clientConfig = {
  region: REGION,
  maxAttempts: 1,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  requestHandler: requestHandler as never,
};
const ssmClient = new SSMClient(clientConfig);
const secretsClient = new SecretsManagerClient(clientConfig);
const kmsClient = new KMSClient(clientConfig);

// --- A fresh world per case ---------------------------------------------------------------------

/** One resolver with its providers and clock, as the default resolver for the case. */
interface Lab {
  readonly resolver: Resolver;
  readonly clock: ManualClock;
  /** `mem:ok` resolves to the secret, `mem:okjson` to a JSON document holding it. */
  readonly mem: MemoryProvider;
  /** The in-memory SSM and Secrets Manager (memory labs only). */
  readonly ssm: MemoryProvider;
  readonly secrets: MemoryProvider;
  /** What the `boom:` provider's fetch throws (synchronously) or rejects with. */
  thrown: { readonly rejects: boolean; readonly make: () => unknown } | undefined;
  /** True when the failure is a fetch that never answers: the clock is moved until its deadline. */
  hangs: boolean;
}

/** A JSON value that holds the secret in every place a transform or a validator can look (a key too). */
function jsonHolding(value: string): string {
  return JSON.stringify({
    password: value,
    starred: `*${value}`,
    nested: { token: value },
    list: [value],
    mixed: [value, { value }, true],
    byKey: { [value]: 'x' },
  });
}

// The real providers the in-memory ones imitate (their parsers, parameters, batch sizes).
const LIKE_SSM = ssmProvider() as Provider;
const LIKE_SECRETS_MANAGER = secretsManagerProvider() as Provider;

function newLab(kind: 'memory' | 'aws', value: string): Lab {
  const clock = manualClock();
  const mem = memoryProvider({ schemes: ['mem'], values: { ok: value, okjson: jsonHolding(value) } });
  const ssm = memoryProvider({ like: LIKE_SSM });
  const secrets = memoryProvider({ like: LIKE_SECRETS_MANAGER });
  let lab: Lab | undefined;
  // A provider whose fetch throws, or rejects with, whatever the path says.
  const boom: Provider = {
    schemes: ['boom'],
    batchSize: 10,
    parse: ({ body }) => ({ key: body }),
    fetch: () => {
      const thrown = lab?.thrown?.make();
      if (lab?.thrown?.rejects) return Promise.reject(thrown);
      throw thrown;
    },
  };
  const aws: Provider[] =
    kind === 'aws'
      ? [ssmProvider({ client: ssmClient }) as Provider, secretsManagerProvider({ client: secretsClient }) as Provider]
      : [ssm, secrets];
  const resolver = createResolver({
    providers: [...aws, kmsProvider({ client: kmsClient }) as Provider, mem, boom],
    clock,
    jitter: 0,
    ttlMs: 60_000,
    timeoutMs: 1000,
    // One attempt: each failure path is seen as it is.
    retries: 0,
    // Small, so that a resolver costs little to make (the LRUs preallocate).
    maxEntries: 50,
    maxFailures: 50,
  });
  lab = { resolver, clock, mem, ssm, secrets, thrown: undefined, hangs: false };
  return lab;
}

/**
 * Waits for `work`, moving the clock to its deadline when it cannot settle on its own: a fetch that
 * never answers, or one that waits its turn behind the governor of a service that throttled. Else the
 * real SDK's pipeline is given real time (a loaded machine takes many turns of the event loop).
 */
async function settleOn<T>(lab: Lab, work: Promise<T>): Promise<T> {
  let done = false;
  work.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  // 100 ms of the clock at a time (60 at most: past every deadline), a real millisecond between.
  for (let waited = 0, moved = 0; !done && waited < 10_000 && moved < 60; waited++) {
    if (lab.hangs || lab.resolver.stats().governors.some((g) => g.limiting)) {
      await lab.clock.advanceAsync(100);
      moved++;
    }
    if (!done) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return work;
}

// --- Failure paths ------------------------------------------------------------------------------

/** What a path sets up: the reference that fails, and how to call it. */
interface Target {
  readonly ref: string;
  readonly options?: ResolveOptions;
  /** A second reference of the same service, so that both are asked for in one batch. */
  readonly twin?: string;
  /** For KMS paths: the ciphertext, as a Lambda variable would hold it, for decryptEnv. */
  readonly kmsBody?: string;
}

interface Path {
  readonly name: string;
  readonly kind: 'memory' | 'aws';
  /** What resolving the target gives: the code of its error (one of them), or `value` (the last good value). */
  readonly code: ErrorCode | readonly ErrorCode[] | 'value';
  /** The target has a `kmsBody`, for decryptEnv. */
  readonly ciphertext?: boolean;
  /** The target fails only with its call options (`{ as }`), which the CLI cannot pass. */
  readonly callOptions?: boolean;
  /** Sets up the lab (and the wire) for `value`; returns what to resolve. */
  prepare(lab: Lab, value: string): Target | Promise<Target>;
}

/** How a transform is asked for, and the stored value that makes it fail. */
interface Transform {
  readonly name: string;
  /** Appended to the reference: a query, a fragment. */
  readonly suffix: string;
  readonly options?: ResolveOptions;
  /** The stored value, holding the secret: text, or bytes. */
  readonly raw: (value: string) => string | Uint8Array;
  /** Reads a whole text value as base64 (no failure when the value is bytes). */
  readonly binaryOfText?: boolean;
}

const notJson = (value: string) => `{password: ${value}}`;
const notUtf8 = (value: string) => new Uint8Array([0xff, 0xfe, ...new TextEncoder().encode(jsonHolding(value))]);

const TEXT_TRANSFORMS: readonly Transform[] = [
  { name: 'as=json on non-JSON', suffix: '?as=json', raw: notJson },
  { name: "{ as: 'json' } on non-JSON", suffix: '', options: { as: 'json' }, raw: notJson },
  { name: '#key on non-JSON', suffix: '#password', raw: notJson },
  { name: '#key missing', suffix: '#absent', raw: jsonHolding },
  { name: '#/pointer missing', suffix: '#/nested/absent', raw: jsonHolding },
  { name: '#/pointer through a string', suffix: '#/password/0', raw: jsonHolding },
  { name: '#/pointer past an array', suffix: '#/list/7', raw: jsonHolding },
  { name: 'as=binary on non-base64', suffix: '?as=binary', raw: (value) => `*${value}`, binaryOfText: true },
  {
    name: "{ as: 'binary' } on non-base64",
    suffix: '',
    options: { as: 'binary' },
    raw: (value) => `*${value}`,
    binaryOfText: true,
  },
  { name: '#key as=binary on non-base64', suffix: '?as=binary#starred', raw: jsonHolding },
  { name: '#key as=binary on an object', suffix: '?as=binary#nested', raw: jsonHolding },
  { name: 'as=list on an object', suffix: '?as=list#nested', raw: jsonHolding },
  { name: 'as=list on an array of non-strings', suffix: '?as=list#mixed', raw: jsonHolding },
  { name: "{ as: 'list' } on an object", suffix: '#nested', options: { as: 'list' }, raw: jsonHolding },
];
const BYTE_TRANSFORMS: readonly Transform[] = [
  { name: 'bytes that are not UTF-8, as a string', suffix: '', raw: notUtf8 },
  { name: 'bytes that are not UTF-8, #key', suffix: '#password', raw: notUtf8 },
  { name: 'bytes that are not UTF-8, as=json', suffix: '?as=json', raw: notUtf8 },
  { name: "bytes that are not UTF-8, { as: 'list' }", suffix: '', options: { as: 'list' }, raw: notUtf8 },
];

type Make = (request: { ref: string; scheme: string }) => SecretrefError;
const MEMORY_FAILURES: readonly [string, Make][] = [
  ['access denied', (r) => new AccessDeniedError(`GetParameters for "${r.ref}": AccessDeniedException`, r)],
  ['throttled', (r) => new ThrottledError(`GetParameters for "${r.ref}" was throttled`, r)],
  [
    'a transient provider error',
    (r) => new ProviderError(`GetParameters for "${r.ref}" failed: HTTP 503`, { ...r, transient: true }),
  ],
  [
    'a permanent provider error',
    (r) => new ProviderError(`GetParameters for "${r.ref}" failed: ValidationException`, r),
  ],
  ['a decryption error', (r) => new DecryptionError(`GetParameters for "${r.ref}": InvalidKeyId`, r)],
];

/** What the `boom:` provider throws: an error of its own; the value in a message, a SyntaxError, a property, a string. */
const THROWN: readonly [string, (value: string) => unknown][] = [
  ['an Error of its own', () => new TypeError('fetch failed')],
  ['nothing (undefined)', () => undefined],
  ['an Error whose message holds the value', (value) => new Error(`upstream refused ${value}`)],
  [
    "JSON.parse's SyntaxError (V8 quotes the input)",
    (value) => {
      try {
        return JSON.parse(`<${value}>`);
      } catch (error) {
        return error;
      }
    },
  ],
  ['an Error with the value in a property', (value) => Object.assign(new Error('upstream refused'), { body: value })],
  ['the value itself (a string)', (value) => value],
];

const memoryPaths: Path[] = [
  { name: 'not found', kind: 'memory', code: 'NOT_FOUND', prepare: () => ({ ref: 'ssm:/lk/missing' }) },
  ...MEMORY_FAILURES.map(
    ([name, make]): Path => ({
      name,
      kind: 'memory',
      code: make({ ref: '', scheme: '' }).code,
      prepare(lab, value) {
        lab.ssm.set('/lk/v', value);
        lab.ssm.fail('/lk/v', make);
        return { ref: 'ssm:/lk/v' };
      },
    }),
  ),
  {
    name: 'throttled, the last good value served',
    kind: 'memory',
    code: 'value',
    async prepare(lab, value) {
      lab.ssm.set('/lk/v', value);
      await lab.resolver.resolve('ssm:/lk/v');
      lab.clock.advance(61_000);
      lab.ssm.fail('/lk/v', MEMORY_FAILURES[1]?.[1] as Make);
      return { ref: 'ssm:/lk/v' };
    },
  },
  {
    name: 'a timeout (the provider never answers)',
    kind: 'memory',
    code: 'TIMEOUT',
    prepare(lab, value) {
      lab.ssm.set('/lk/v', value);
      lab.ssm.hang = true;
      lab.hangs = true;
      return { ref: 'ssm:/lk/v' };
    },
  },
  ...TEXT_TRANSFORMS.map(
    (t): Path => ({
      name: `invalid value: ${t.name}`,
      kind: 'memory',
      code: 'INVALID_VALUE',
      prepare(lab, value) {
        lab.ssm.set('/lk/v', t.raw(value));
        return { ref: `ssm:/lk/v${t.suffix}`, ...(t.options ? { options: t.options } : {}) };
      },
    }),
  ),
  ...BYTE_TRANSFORMS.map(
    (t): Path => ({
      name: `invalid value: ${t.name}`,
      kind: 'memory',
      code: 'INVALID_VALUE',
      prepare(lab, value) {
        lab.secrets.set('lk/v', t.raw(value));
        return { ref: `secretsmanager:lk/v${t.suffix}`, ...(t.options ? { options: t.options } : {}) };
      },
    }),
  ),
  ...['?as=binary', '?as=list'].map(
    (suffix): Path => ({
      name: `invalid value: a whole SSM path ${suffix}`,
      kind: 'memory',
      code: 'INVALID_VALUE',
      prepare(lab, value) {
        lab.ssm.set('/lk/p/', { x: value, [`k-${value}`]: 'y' });
        return { ref: `ssm:/lk/p/${suffix}` };
      },
    }),
  ),
  ...THROWN.flatMap(([name, make]) =>
    [false, true].map(
      (rejects): Path => ({
        name: `a provider that ${rejects ? 'rejects with' : 'throws'} ${name}`,
        kind: 'memory',
        code: 'PROVIDER_ERROR',
        prepare(lab, value) {
          lab.thrown = { rejects, make: () => make(value) };
          return { ref: 'boom:v' };
        },
      }),
    ),
  ),
];

// AWS error shapes, as the services (or a proxy, or an emulator) write them on the wire.
const SERVICE_ERRORS: Readonly<Record<'ssm' | 'secretsmanager' | 'kms', readonly [string, number, ErrorCode][]>> = {
  ssm: [
    ['ParameterNotFound', 400, 'NOT_FOUND'],
    ['AccessDeniedException', 400, 'ACCESS_DENIED'],
    ['ThrottlingException', 400, 'THROTTLED'],
    ['ValidationException', 400, 'PROVIDER_ERROR'],
    ['InvalidKeyId', 400, 'DECRYPTION_FAILED'],
    ['InternalServerError', 500, 'PROVIDER_ERROR'],
  ],
  secretsmanager: [
    ['ResourceNotFoundException', 400, 'NOT_FOUND'],
    ['AccessDeniedException', 400, 'ACCESS_DENIED'],
    ['ThrottlingException', 400, 'THROTTLED'],
    ['DecryptionFailure', 400, 'DECRYPTION_FAILED'],
    ['InvalidRequestException', 400, 'PROVIDER_ERROR'],
    ['InternalServiceError', 500, 'PROVIDER_ERROR'],
  ],
  kms: [
    ['InvalidCiphertextException', 400, 'DECRYPTION_FAILED'],
    ['IncorrectKeyException', 400, 'DECRYPTION_FAILED'],
    ['AccessDeniedException', 400, 'ACCESS_DENIED'],
    ['ThrottlingException', 400, 'THROTTLED'],
    ['DisabledException', 400, 'DECRYPTION_FAILED'],
    ['KMSInternalException', 500, 'PROVIDER_ERROR'],
  ],
};

interface Service {
  readonly name: 'ssm' | 'secretsmanager' | 'kms';
  readonly ref: (suffix: string) => string;
  readonly twin?: (suffix: string) => string;
}
const SERVICES: readonly Service[] = [
  { name: 'ssm', ref: (suffix) => `ssm:/lk/v${suffix}`, twin: (suffix) => `ssm:/lk/w${suffix}` },
  {
    name: 'secretsmanager',
    ref: (suffix) => `secretsmanager:lk/v${suffix}`,
    twin: (suffix) => `secretsmanager:lk/w${suffix}`,
  },
  { name: 'kms', ref: (suffix) => `kms:${BLOB}${suffix}` },
];

/** An error answer: `__type` (or the `x-amzn-errortype` header) and a message. */
function errorWire(type: string, status: number, message: string | undefined, inHeader = false): Wire {
  const body: Record<string, string> = {};
  if (!inHeader) body.__type = type;
  if (message !== undefined) {
    body.message = message;
    body.Message = message;
  }
  return {
    status,
    headers: inHeader ? { ...JSON_TYPE, 'x-amzn-errortype': type } : JSON_TYPE,
    body: JSON.stringify(body),
  };
}

/** The value as an error name (`__type` or `x-amzn-errortype`), as it is. */
function asErrorName(value: string): string {
  return value;
}

/** A wire shape that fails, for any service. */
interface Shape {
  readonly name: string;
  readonly code: ErrorCode | readonly ErrorCode[];
  readonly wire: (value: string) => Wire;
  /** True when the wire never answers. */
  readonly hangs?: boolean;
}

function shapesOf(service: Service['name']): Shape[] {
  const shapes: Shape[] = SERVICE_ERRORS[service].flatMap(([type, status, code]): Shape[] => [
    { name: `${type} (HTTP ${status})`, code, wire: () => errorWire(type, status, `${type} message`) },
    {
      name: `${type} (HTTP ${status}) whose message holds the value`,
      code,
      wire: (value) => errorWire(type, status, `${type}: ${value} is not valid`),
    },
  ]);
  const printable = (value: string) => (/^[\x20-\x7e]+$/.test(value) ? asErrorName(value) : 'NotPrintable');
  return [
    ...shapes,
    {
      name: 'an error whose __type is the value',
      code: 'PROVIDER_ERROR',
      wire: (value) => errorWire(asErrorName(value), 400, 'rejected'),
    },
    {
      name: 'an error whose __type is the value (HTTP 500)',
      code: 'PROVIDER_ERROR',
      wire: (value) => errorWire(asErrorName(value), 500, undefined),
    },
    {
      name: 'an error whose x-amzn-errortype header is the value',
      code: 'PROVIDER_ERROR',
      wire: (value) => errorWire(printable(value), 400, 'rejected', true),
    },
    {
      name: 'a 200 whose body is the value (not JSON)',
      code: 'PROVIDER_ERROR',
      wire: (value) => ({ status: 200, headers: JSON_TYPE, body: value }),
    },
    {
      name: 'a 200 whose JSON is cut off after the value',
      code: 'PROVIDER_ERROR',
      wire: (value) => ({ status: 200, headers: JSON_TYPE, body: `{"Parameters":[{"Value":${JSON.stringify(value)}` }),
    },
    {
      name: 'a 500 with an HTML body holding the value',
      code: 'PROVIDER_ERROR',
      wire: (value) => ({ status: 500, headers: { 'content-type': 'text/html' }, body: `<html>${value}</html>` }),
    },
    {
      name: 'a 403 XML body (moto, IAM) holding the value',
      // An unreadable response today; access denied once a 403 is read as a denial.
      code: ['PROVIDER_ERROR', 'ACCESS_DENIED'],
      wire: (value) => ({
        status: 403,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse><Error><Code>AccessDenied</Code><Message>${value}</Message></Error></ErrorResponse>`,
      }),
    },
    {
      name: 'a connection reset',
      code: 'PROVIDER_ERROR',
      wire: () => ({
        network: () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' }),
      }),
    },
    { name: 'no answer before the deadline', code: 'TIMEOUT', wire: () => ({ hang: true }), hangs: true },
  ];
}

/** Paths through the real AWS providers and SDK clients, the wire stubbed. */
const awsPaths: Path[] = SERVICES.flatMap((service): Path[] => {
  const target = (suffix: string, options?: ResolveOptions): Target => ({
    ref: service.ref(suffix),
    ...(options ? { options } : {}),
    ...(service.twin ? { twin: service.twin(suffix) } : {}),
    ...(service.name === 'kms' && suffix === '' ? { kmsBody: BLOB } : {}),
  });
  const failures = shapesOf(service.name).map(
    (shape): Path => ({
      name: `${service.name}: ${shape.name}`,
      kind: 'aws',
      code: shape.code,
      ...(service.name === 'kms' ? { ciphertext: true } : {}),
      prepare(lab, value) {
        answer = withOkNames(() => shape.wire(value), value);
        lab.hangs = shape.hangs === true;
        return target('');
      },
    }),
  );
  // A KMS plaintext is bytes: as=binary returns them as they are, so only the text transforms fail.
  const texts = service.name === 'kms' ? TEXT_TRANSFORMS.filter((t) => !t.binaryOfText) : TEXT_TRANSFORMS;
  const transforms = [...texts, ...(service.name === 'ssm' ? [] : BYTE_TRANSFORMS)].map(
    (t): Path => ({
      name: `${service.name}: invalid value: ${t.name}`,
      kind: 'aws',
      code: 'INVALID_VALUE',
      ...(t.options ? { callOptions: true } : {}),
      ...(service.name === 'kms' && t.suffix === '' ? { ciphertext: true } : {}),
      prepare(_lab, value) {
        answer = withOkNames(valueAnswer(t.raw(value)), value);
        return target(t.suffix, t.options);
      },
    }),
  );
  return [...failures, ...transforms];
});

/** BatchGetSecretValue answering with per-secret errors (each id its own error code). */
function perSecretErrors(message: (value: string) => string): Path {
  return {
    name: `secretsmanager: BatchGetSecretValue per-secret errors (Message: ${message('<value>')})`,
    kind: 'aws',
    code: 'NOT_FOUND',
    prepare(_lab, value) {
      const codes = ['ResourceNotFoundException', 'DecryptionFailure', 'InternalServiceError'];
      answer = withOkNames(
        (op, input) =>
          op === 'secretsmanager.BatchGetSecretValue'
            ? ok({
                SecretValues: [],
                Errors: idsOf(input).map((SecretId, i) => ({
                  SecretId,
                  ErrorCode: codes[i % codes.length],
                  Message: message(value),
                })),
              })
            : errorWire('ResourceNotFoundException', 400, message(value)),
        value,
      );
      return { ref: 'secretsmanager:lk/v', twin: 'secretsmanager:lk/w' };
    },
  };
}

awsPaths.push(
  perSecretErrors(() => "Secrets Manager can't find the specified secret."),
  perSecretErrors((value) => `cannot read ${value}`),
  ...['String', 'StringList', 'the value'].map(
    (type): Path => ({
      name: `ssm: ssm-secure: on a parameter whose Type is ${type}`,
      kind: 'aws',
      code: 'INVALID_VALUE',
      prepare(_lab, value) {
        answer = withOkNames(valueAnswer(value, type === 'the value' ? value : type), value);
        return { ref: 'ssm-secure:/lk/v' };
      },
    }),
  ),
  {
    name: 'ssm: InvalidParameters lists the name',
    kind: 'aws',
    code: 'NOT_FOUND',
    prepare(_lab, value) {
      answer = withOkNames((_op, input) => ok({ Parameters: [], InvalidParameters: idsOf(input) }), value);
      return { ref: 'ssm:/lk/v' };
    },
  },
);

// --- Entry points -------------------------------------------------------------------------------

/** What an entry point gives to look at: errors thrown or reported, records of errors. */
type Observed = unknown[];

interface Entry {
  readonly name: string;
  /** Only for paths with a ciphertext (decryptEnv). */
  readonly ciphertextOnly?: boolean;
  run(lab: Lab, target: Target, value: string): Promise<Observed>;
}

/** Runs `work` and keeps what it threw; what it returned is legitimately the value, so it is dropped. */
async function attempt(lab: Lab, into: Observed, work: () => unknown): Promise<void> {
  try {
    await settleOn(lab, Promise.resolve().then(work));
  } catch (error) {
    into.push(error);
  }
}

const authFailure = new Error('password authentication failed for user "app"');
const lambdaContext = { getRemainingTimeInMillis: () => 3000 };

const ENTRIES: readonly Entry[] = [
  {
    name: 'resolve',
    async run(lab, { ref, options }) {
      const seen: Observed = [];
      await attempt(lab, seen, () => resolve(ref, options));
      await attempt(lab, seen, () => resolve(ref, { ...options, forceFetch: true, optional: true }));
      return seen;
    },
  },
  {
    name: 'resolveAll',
    async run(lab, { ref, options, twin }) {
      const seen: Observed = [];
      await attempt(lab, seen, () =>
        resolveAll({ target: ref, spec: { ref, ...options }, twin: twin ?? 'mem:ok', ok: 'mem:ok' }),
      );
      return seen;
    },
  },
  {
    name: 'peek (after a resolve)',
    async run(lab, { ref, options }) {
      const seen: Observed = [];
      await attempt(lab, seen, () => resolve(ref, options));
      for (const peekOptions of [undefined, { allowStale: true }, { as: 'json' as const }, { as: 'list' as const }]) {
        await attempt(lab, seen, () => peek(ref, peekOptions));
      }
      return seen;
    },
  },
  {
    name: 'watch (onError; an onChange that throws)',
    async run(lab, { ref, options }, value) {
      const seen: Observed = [];
      const onError = (error: SecretrefError) => void seen.push(error);
      const onChange = () => {
        throw new Error('the database pool could not be rebuilt');
      };
      const as = options?.as === undefined ? {} : { as: options.as };
      const watchers = [
        watch(ref, onChange, { ...as, intervalMs: 1000, onError }),
        watch('mem:ok', onChange, { intervalMs: 1000, onError }),
      ];
      for (const watcher of watchers) await attempt(lab, seen, () => watcher.ready);
      lab.mem.set('ok', `${value}-rotated`);
      for (let i = 0; i < 2; i++) await lab.clock.advanceAsync(1000);
      for (const watcher of watchers) watcher.stop();
      return seen;
    },
  },
  {
    name: 'loadEnv and resolveEnv',
    async run(lab, { ref, twin }, value) {
      const seen: Observed = [];
      const env = {
        TARGET: ref,
        TEMPLATE: `postgres://app:{{ ${ref} }}@db:5432/app`,
        TWIN: twin ?? 'mem:ok',
        OK: 'mem:ok',
        PLAIN: value,
      };
      await attempt(lab, seen, () => loadEnv({ env: { ...env }, write: true }));
      await attempt(lab, seen, async () => {
        seen.push((await settleOn(lab, resolveEnv({ env }))).errors);
      });
      return seen;
    },
  },
  {
    name: 'loadConfig',
    async run(lab, { ref, twin }) {
      const seen: Observed = [];
      await attempt(lab, seen, () =>
        loadConfig({ db: { password: ref, wrapped: secret(ref) }, twin: twin ?? 'mem:ok', ok: 'mem:ok', port: 5432 }),
      );
      await attempt(lab, seen, () =>
        loadConfig({ db: { password: ref } }, { schema: z.object({ db: z.object({ password: z.number() }) }) }),
      );
      return seen;
    },
  },
  {
    name: 'retryWithFreshSecret (an auth failure: one forced refetch)',
    async run(lab, { ref, options }) {
      const seen: Observed = [];
      await attempt(lab, seen, () =>
        retryWithFreshSecret(
          ref,
          () => {
            throw authFailure;
          },
          { ...options, isAuthFailure: (error) => error === authFailure },
        ),
      );
      return seen;
    },
  },
  {
    name: 'secretsHandler and secretsMiddleware',
    async run(lab, { ref, twin }) {
      const seen: Observed = [];
      const refs = { target: ref, twin: twin ?? 'mem:ok', ok: 'mem:ok' };
      await attempt(lab, seen, () => secretsHandler(refs, () => 'handled')({}, lambdaContext));
      await attempt(lab, seen, () => secretsMiddleware(refs).before({ context: { ...lambdaContext }, internal: {} }));
      return seen;
    },
  },
  {
    name: 'decryptEnv',
    ciphertextOnly: true,
    async run(lab, { kmsBody = BLOB }) {
      const seen: Observed = [];
      await attempt(lab, seen, () => decryptEnv(['DB_PASSWORD'], { env: { DB_PASSWORD: kmsBody } }));
      await attempt(lab, seen, () =>
        decryptEnv(['DB_PASSWORD', 'API_KEY'], {
          env: { DB_PASSWORD: kmsBody, API_KEY: `${kmsBody.slice(0, 8)}\n${kmsBody.slice(8)}` },
          context: { LambdaFunctionName: 'orders' },
        }),
      );
      return seen;
    },
  },
];

/** A path and an entry point that applies to it. */
const pathAndEntry = (paths: readonly Path[]) =>
  fc
    .constantFrom(...paths)
    .chain((path) =>
      fc
        .constantFrom(...ENTRIES.filter((entry) => !entry.ciphertextOnly || path.ciphertext))
        .map((entry) => ({ path, entry })),
    );

/** One case: `path` set up on a fresh lab, driven through `entry`; checks everything observable. */
async function pathThroughEntry(planted: Planted, path: Path, entry: Entry): Promise<void> {
  const lab = newLab(path.kind, planted.value);
  events.length = 0;
  const previous = setDefaultResolver(lab.resolver);
  try {
    const target = await path.prepare(lab, planted.value);
    const seen = await entry.run(lab, target, planted.value);
    expectNoLeak(planted, [
      ...seen.map((failure, i) => [`${entry.name} on ${path.name}: failure ${i}`, failure] as const),
      [`${entry.name} on ${path.name}: events`, [...events]],
      [`${entry.name} on ${path.name}: stats`, lab.resolver.stats()],
    ]);
  } finally {
    setDefaultResolver(previous);
    lab.resolver.dispose();
    answer = noAnswer;
  }
}

// --- A value where a reference belongs ----------------------------------------------------------

/** A place a secret can be put by mistake instead of a reference, and the entry point that gets it. */
type Placement = readonly [string, (lab: Lab, value: string, into: Observed) => Promise<void>];

const ignore = () => {};
/** The value as it is, in CloudFormation's braces, in a template's, as a CloudFormation body. */
const asInputs = (value: string) => [value, `{{${value}}}`, `{{ ${value} }}`, `{{resolve:${value}}}`];

const PLACEMENTS: readonly Placement[] = [
  [
    'resolve',
    async (lab, value, seen) => {
      for (const input of asInputs(value)) {
        await attempt(lab, seen, () => resolve(input));
        await attempt(lab, seen, () => resolve(input, { optional: true, as: 'json' }));
      }
    },
  ],
  [
    'peek and watch',
    async (lab, value, seen) => {
      for (const input of asInputs(value)) {
        await attempt(lab, seen, () => peek(input));
        const onError = (error: SecretrefError) => void seen.push(error);
        await attempt(lab, seen, () => watch(input, ignore, { intervalMs: 1000, onError }).ready);
      }
    },
  ],
  [
    'retryWithFreshSecret',
    async (lab, value, seen) => {
      for (const input of asInputs(value)) {
        await attempt(lab, seen, () => retryWithFreshSecret(input, ignore, { isAuthFailure: () => true }));
      }
    },
  ],
  [
    'resolveAll',
    async (lab, value, seen) => {
      await attempt(lab, seen, () => resolveAll({ k: value, ok: 'mem:ok' }));
      await attempt(lab, seen, () => resolveAll({ k: { ref: `{{${value}}}`, as: 'json' } }));
    },
  ],
  [
    'secretsHandler and secretsMiddleware',
    async (lab, value, seen) => {
      await attempt(lab, seen, () => secretsHandler({ k: value }, () => 'handled')({}, lambdaContext));
      await attempt(lab, seen, () => secretsMiddleware({ k: value }).before({ context: { ...lambdaContext } }));
    },
  ],
  [
    'loadEnv and resolveEnv (as a plain value and in braces)',
    async (lab, value, seen) => {
      const env = {
        PLAIN: value,
        TEMPLATE: `{{${value}}}`,
        SPACED: `pre-{{ ${value} }}-post`,
        BAD: 'ssm:/lk/missing',
        OK: 'mem:ok',
      };
      await attempt(lab, seen, () => loadEnv({ env: { ...env } }));
      await attempt(lab, seen, async () => {
        seen.push((await resolveEnv({ env })).errors);
      });
    },
  ],
  [
    'loadConfig (as a plain value)',
    async (lab, value, seen) => {
      await attempt(lab, seen, () => loadConfig({ plain: value, nested: { also: value }, bad: 'ssm:/lk/missing' }));
      // A plain value (not a reference) that the schema rejects: zod's own messages do not quote it.
      const schema = z.object({ plain: z.number(), missing: z.string() });
      await attempt(lab, seen, () => loadConfig({ plain: value }, { schema }));
    },
  ],
  [
    'decryptEnv (a plaintext where a ciphertext belongs; base64-shaped ones reach KMS)',
    async (lab, value, seen) => {
      // What KMS says of a plaintext sent as a ciphertext.
      answer = withOkNames(() => errorWire('InvalidCiphertextException', 400, undefined), value);
      await attempt(lab, seen, () => decryptEnv(['DB_PASSWORD'], { env: { DB_PASSWORD: value } }));
      const env = { DB_PASSWORD: value, API_KEY: value };
      await attempt(lab, seen, () => decryptEnv(['DB_PASSWORD', 'API_KEY'], { env, context: { App: 'web' } }));
    },
  ],
  [
    'a kms: reference to the plaintext (resolve, loadEnv)',
    async (lab, value, seen) => {
      answer = withOkNames(() => errorWire('InvalidCiphertextException', 400, undefined), value);
      for (const input of [`kms:${value}`, `kms:${value}?context.App=web`]) {
        await attempt(lab, seen, () => resolve(input));
        await attempt(lab, seen, () => loadEnv({ env: { KMS: input } }));
      }
    },
  ],
];

/** A resolver with the lab's schemes, to tell references from values. */
const REFERENCE_CHECK = newLab('memory', '').resolver;
afterAll(() => REFERENCE_CHECK.dispose());

/** Is `value` written as a reference (or a template of references)? Then it is one, quoted by design. */
function looksLikeReference(resolver: Resolver, value: string): boolean {
  const candidates = [value, value.trim(), `{{${value}}}`, `{{resolve:${value}}}`];
  for (const match of value.matchAll(/\{\{\s*([^{}]+?)\s*\}\}/g)) candidates.push(match[1] ?? '');
  return candidates.some((candidate) => resolver.isReference(candidate));
}

// --- Validators and callbacks given the value ---------------------------------------------------

const quoting = (input: unknown) => `got ${String(input)} = ${JSON.stringify(input)}`;
const quote = z.any().superRefine((input, ctx) => ctx.addIssue({ code: 'custom', message: quoting(input) }));

/** Schemas that reject a config resolved from `mem:` (the secret, JSON holding it, a list, Secrets). */
const SCHEMAS: readonly [string, z.ZodType][] = [
  ['a number', z.object({ a: z.number() })],
  ['an enum', z.object({ a: z.enum(['x', 'y']) })],
  ['an email', z.object({ a: z.email() })],
  ['a URL', z.object({ a: z.url() })],
  ['a UUID', z.object({ a: z.uuid() })],
  ['at most 2 characters', z.object({ a: z.string().max(2) })],
  ['a literal', z.object({ a: z.literal('x') })],
  ['a refinement that quotes the string', z.object({ a: quote })],
  [
    'a JSON value of the wrong shape',
    z.object({ j: z.object({ password: z.number(), nested: z.object({ token: z.enum(['x']) }) }) }),
  ],
  ['a strict object (unknown keys)', z.object({ j: z.strictObject({ password: z.string() }) })],
  ['a strict object under a key that is the value', z.object({ j: z.object({ byKey: z.strictObject({}) }) })],
  ['a refinement that quotes the JSON value', z.object({ j: quote })],
  ['a list of an enum', z.object({ l: z.array(z.enum(['x'])) })],
  ['a refinement that quotes the list', z.object({ l: quote })],
  ['a string where a Secret is', z.object({ w: z.string() })],
  ['a refinement that quotes a Secret', z.object({ w: quote, wj: quote })],
  [
    'a refinement that quotes the whole config',
    z
      .object({})
      .passthrough()
      .superRefine((c, ctx) => ctx.addIssue({ code: 'custom', message: quoting(c) })),
  ],
];

/** What an onChange callback does with the value when it throws. */
const CALLBACKS: readonly [string, (value: string) => void][] = [
  [
    'throws an error of its own',
    () => {
      throw new Error('the database pool could not be rebuilt');
    },
  ],
  ['parses the value as JSON (SyntaxError)', (value) => void JSON.parse(`<${value}>`)],
  ['builds a URL from the value (TypeError with input)', (value) => void new URL(`http://[${value}`)],
];

async function validatorsAndCallbacks(
  lab: Lab,
  value: string,
  [, schema]: readonly [string, z.ZodType],
  [, callback]: readonly [string, (value: string) => void],
): Promise<Observed> {
  const seen: Observed = [];
  const spec = {
    a: 'mem:ok',
    j: 'mem:okjson?as=json',
    l: 'mem:ok?as=list',
    w: secret('mem:ok'),
    wj: secret('mem:okjson', { as: 'json' }),
  };
  await attempt(lab, seen, () => loadConfig(spec, { schema }));
  const watcher = watch('mem:ok', callback, { intervalMs: 1000, onError: (e) => void seen.push(e) });
  await attempt(lab, seen, () => watcher.ready);
  lab.mem.set('ok', `${value}-rotated`);
  for (let i = 0; i < 2; i++) await lab.clock.advanceAsync(1000);
  watcher.stop();
  return seen;
}

// --- The CLI, in-process ------------------------------------------------------------------------

/** Runs the CLI; what it printed, but not `get`'s stdout when it succeeded (that is the value). */
async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Observed> {
  const { code, stdout, stderr } = await runCli(args, env);
  const legitimate = args[0] === 'get' && code === 0;
  return [`exit ${code}`, stderr, legitimate ? '' : stdout];
}

// A real environment cannot hold a NUL: the CLI's environment never does.
const envSafe = (value: string) => value.replaceAll('\u0000', '');
const NO_SUCH_COMMAND = '/nonexistent/secretref-leak-probe';

/** The environment of `check` and `exec`: the reference, in a template, the value as a plain variable. */
function cliEnv(ref: string, value: string): Record<string, string> {
  const plain = envSafe(value);
  return {
    TARGET: envSafe(ref),
    TEMPLATE: envSafe(`postgres://app:{{ ${ref} }}@db/app`),
    PLAIN: plain,
    SPACED: `a{{ ${plain} }}b`,
  };
}

/** The commands of the CLI, each on `ref` (and the value in its environment). */
const COMMANDS: readonly (readonly [string, (ref: string, value: string) => Promise<Observed>])[] = [
  ['get', (ref) => cli(['get', ref])],
  ['get --json', (ref) => cli(['get', '--json', ref])],
  ['check', (ref, value) => cli(['check'], cliEnv(ref, value))],
  [
    'exec (references that fail: the command is not run)',
    (ref, value) => cli(['exec', '--', NO_SUCH_COMMAND], cliEnv(ref, value)),
  ],
  // Every reference resolves (the secret among them), then the command cannot start.
  [
    'exec (a command that cannot start)',
    (_ref, value) => cli(['exec', '--', NO_SUCH_COMMAND, '--flag'], { OK: 'ssm:/lk/ok', PLAIN: envSafe(value) }),
  ],
];

interface CliPath {
  readonly name: string;
  /** The value itself is the input, as it is, in braces or in a `kms:` reference. */
  readonly misplaced?: '' | '{{' | 'kms:';
  prepare(value: string): string;
}

const cliPaths: CliPath[] = [
  // Not the paths that need a call option, nor those that never answer (the CLI waits 10 s of real time).
  ...awsPaths
    .filter((path) => !path.callOptions && path.code !== 'TIMEOUT')
    .map(
      (path): CliPath => ({
        name: path.name,
        prepare(value) {
          const lab = newLab('aws', value);
          const target = path.prepare(lab, value) as Target;
          lab.resolver.dispose();
          return target.ref;
        },
      }),
    ),
  ...TEXT_TRANSFORMS.filter((t) => t.options === undefined).map(
    (t): CliPath => ({
      name: `env: invalid value: ${t.name}`,
      prepare(value) {
        answer = withOkNames(noAnswer, value);
        process.env.SECRETREF_LEAK_VALUE = envSafe(t.raw(value) as string);
        return `env:SECRETREF_LEAK_VALUE${t.suffix}`;
      },
    }),
  ),
  ...(['', '{{', 'kms:'] as const).map(
    (form): CliPath => ({
      name: `the value where a reference belongs (${form || 'as it is'})`,
      misplaced: form,
      prepare(value) {
        answer = withOkNames(() => errorWire('InvalidCiphertextException', 400, undefined), value);
        return form === '{{' ? `{{${value}}}` : `${form}${value}`;
      },
    }),
  ),
];

async function cliCase(
  generated: Planted,
  path: CliPath,
  [command, runCommand]: (typeof COMMANDS)[number],
): Promise<void> {
  const planted = generated;
  if (path.misplaced !== undefined) fc.pre(!looksLikeReference(REFERENCE_CHECK, planted.value));
  events.length = 0;
  try {
    const ref = path.prepare(planted.value);
    const printed = await runCommand(ref, planted.value);
    expectNoLeak(planted, [
      [`secretref ${command} on ${path.name}: output`, printed.join('\n')],
      [`secretref ${command} on ${path.name}: events`, [...events]],
    ]);
  } finally {
    answer = noAnswer;
    delete process.env.SECRETREF_LEAK_VALUE;
  }
}

// --- The properties -----------------------------------------------------------------------------

async function inLab(planted: Planted, what: string, body: (lab: Lab) => Promise<Observed>): Promise<void> {
  const lab = newLab('memory', planted.value);
  events.length = 0;
  const previous = setDefaultResolver(lab.resolver);
  try {
    const seen = await body(lab);
    expectNoLeak(planted, [
      ...seen.map((failure, i) => [`${what}: failure ${i}`, failure] as const),
      [`${what}: events`, [...events]],
    ]);
  } finally {
    setDefaultResolver(previous);
    lab.resolver.dispose();
    answer = noAnswer;
  }
}

describe('the failure paths', () => {
  it('each fails the way it says (or serves the last good value), and together they give every error class', async () => {
    const planted = plant('xq7S3CR3T-pass"word\n{é😀}', 'xq7S3CR3T');
    const outcomes = new Set<string>();
    const wrong: string[] = [];
    for (const path of [...memoryPaths, ...awsPaths]) {
      const lab = newLab(path.kind, planted.value);
      try {
        const target = await path.prepare(lab, planted.value);
        const outcome = await settleOn(lab, lab.resolver.resolve(target.ref, target.options)).then(
          () => 'value',
          (error: unknown) => (error instanceof SecretrefError ? error.code : `not a SecretrefError: ${String(error)}`),
        );
        outcomes.add(outcome);
        if (outcome === 'PROVIDER_ERROR') {
          const error = await lab.resolver.resolve(target.ref, target.options).catch((e: SecretrefError) => e);
          outcomes.add(`PROVIDER_ERROR, ${(error as SecretrefError).transient ? 'transient' : 'permanent'}`);
        }
        const expected: readonly string[] = typeof path.code === 'string' ? [path.code] : path.code;
        if (!expected.includes(outcome)) wrong.push(`${path.name}: ${outcome}, not ${expected.join(' or ')}`);
      } finally {
        lab.resolver.dispose();
        answer = noAnswer;
      }
    }
    expect(wrong).toEqual([]);
    expect([...outcomes].sort()).toEqual(
      [
        'ACCESS_DENIED',
        'DECRYPTION_FAILED',
        'INVALID_VALUE',
        'NOT_FOUND',
        'PROVIDER_ERROR',
        'PROVIDER_ERROR, permanent',
        'PROVIDER_ERROR, transient',
        'THROTTLED',
        'TIMEOUT',
        'value',
      ].sort(),
    );
  }, 60_000);
});

describe('no secret value in anything observable, on any failure path', () => {
  it(
    `in-memory providers: every error class, every transform, a provider that throws; every entry point (${RUNS} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(anySecret, pathAndEntry(memoryPaths), (planted, { path, entry }) =>
          pathThroughEntry(planted, path, entry),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `AWS error shapes off the wire (the real SDK clients and providers); every entry point (${RUNS} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(anySecret, pathAndEntry(awsPaths), (planted, { path, entry }) =>
          pathThroughEntry(planted, path, entry),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `a value where a reference belongs, through every entry point and decryptEnv (${RUNS} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(anySecret, separatedSecret, base64Secret),
          fc.constantFrom(...PLACEMENTS),
          async (planted, [name, place]) => {
            fc.pre(!looksLikeReference(REFERENCE_CHECK, planted.value));
            await inLab(planted, `the value where a reference belongs, through ${name}`, async (lab) => {
              const seen: Observed = [];
              await place(lab, planted.value, seen);
              return seen;
            });
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `validators and watch callbacks given the value: loadConfig schemas that reject, an onChange that throws (${RUNS} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          anySecret,
          fc.constantFrom(...SCHEMAS),
          fc.constantFrom(...CALLBACKS),
          (planted, schema, callback) =>
            inLab(planted, `loadConfig (${schema[0]}), watch (onChange ${callback[0]})`, (lab) =>
              validatorsAndCallbacks(lab, planted.value, schema, callback),
            ),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );
});

describe('no secret value in the output of the CLI', () => {
  let server: Server;
  beforeAll(async () => {
    // The CLI builds its own resolver and SDK clients from the default chain: they find this server.
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        let input: Record<string, unknown> = {};
        try {
          input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        } catch {}
        const wire = answer(String(request.headers['x-amz-target'] ?? ''), input);
        if (!('status' in wire)) {
          request.socket.destroy();
          return;
        }
        response.writeHead(wire.status, { ...wire.headers });
        response.end(wire.body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);
    vi.stubEnv('AWS_REGION', REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it(
    `get, get --json, check, exec (a command that cannot start) on every wire path, transform and misplaced value (${RUNS} cases)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(anySecret, separatedSecret),
          fc.constantFrom(...cliPaths),
          fc.constantFrom(...COMMANDS),
          cliCase,
        ),
        { numRuns: RUNS },
      );
    },
    // A throttled wire path's retries wait the turns of SSM's throttle governor, on the real clock: seconds.
    3 * TIMEOUT_MS,
  );
});

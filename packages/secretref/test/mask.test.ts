import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker } from '../src/cli/mask.ts';

async function masked(chunks: readonly (string | Buffer)[], values: readonly string[]): Promise<string> {
  const out: Buffer[] = [];
  const stream = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(createMasker(values));
  for await (const chunk of stream) out.push(chunk as Buffer);
  return Buffer.concat(out).toString('utf8');
}

/** `bytes` cut at the given widths (the rest in one last chunk). */
function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const cut of cuts.concat(bytes.length)) {
    chunks.push(bytes.subarray(at, Math.min(bytes.length, at + cut)));
    at = Math.min(bytes.length, at + cut);
  }
  return chunks;
}

/**
 * The masking as a whole-text reference, with no streaming: every byte of every occurrence of every
 * value is covered, and each run of covered bytes becomes one `*****`.
 */
function reference(text: string, values: readonly string[]): string {
  const bytes = Buffer.from(text);
  const covered = new Uint8Array(bytes.length);
  for (const value of values.filter((v) => v.length >= 4)) {
    const needle = Buffer.from(value);
    for (let i = bytes.indexOf(needle); i !== -1; i = bytes.indexOf(needle, i + 1)) {
      covered.fill(1, i, i + needle.length);
    }
  }
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    let end = i;
    while (end < bytes.length && covered[end] === covered[i]) end++;
    out.push(covered[i] === 1 ? Buffer.from('*****') : bytes.subarray(i, end));
    i = end;
  }
  return Buffer.concat(out).toString('utf8');
}

describe('exec --mask', () => {
  it('masks values, also when split across chunks, and the longer of two overlapping values', async () => {
    expect(await masked(['pass=hun', 'ter2-secret; again hunter2-secret'], ['hunter2-secret'])).toBe(
      'pass=*****; again *****',
    );
    expect(await masked(['a-long-secret a-long'], ['a-long', 'a-long-secret'])).toBe('***** *****');
    expect(await masked(['s\u00e9cr\u00e8t'.slice(0, 3), 's\u00e9cr\u00e8t'.slice(3)], ['s\u00e9cr\u00e8t'])).toBe(
      '*****',
    );
  });

  it('leaves values under 4 characters and text without values alone', async () => {
    expect(await masked(['on off 123'], ['on', '123'])).toBe('on off 123');
    expect(await masked(['nothing here'], [])).toBe('nothing here');
  });

  it('masks the union of overlapping values: a tail that starts inside another value is masked too', async () => {
    const values = ['first-secret-OVERLAP', 'OVERLAP-second-9f3'];
    expect(await masked(['x first-secret-OVERLAP-second-9f3 y'], values)).toBe('x ***** y');
    // The same text cut at every byte: one run, one mask.
    const text = Buffer.from('x first-secret-OVERLAP-second-9f3 y');
    expect(
      await masked(
        chunked(
          text,
          Array.from({ length: text.length }, () => 1),
        ),
        values,
      ),
    ).toBe('x ***** y');
    // The tail of one value, the head of the next: the order the brief's attacker found.
    expect(await masked(['S3CR3T-HEAD-TAIL-9f3\n'], ['S3CR3T-HEAD', 'HEAD-TAIL-9f3'])).toBe('*****\n');
    // A short value inside a long one, and values that only touch: one run each.
    expect(await masked(['<aaaa-bbbb-cccc>'], ['aaaa-bbbb-cccc', 'bbbb'])).toBe('<*****>');
    expect(await masked(['<aaaabbbb>'], ['aaaa', 'bbbb'])).toBe('<*****>');
  });

  it('masks the JSON-escaped form of a value with quotes or backslashes', async () => {
    const password = 'S3CR3T"quote\\back';
    const logged = JSON.stringify({ password });
    expect(logged).toBe('{"password":"S3CR3T\\"quote\\\\back"}');
    expect(await masked([logged], [password])).toBe('{"password":"*****"}');
    expect(await masked([`${password}\n`], [password])).toBe('*****\n');
    // Control characters too: a newline in a value is \n in JSON.
    expect(await masked([JSON.stringify('line-1\nline-2')], ['line-1\nline-2'])).toBe('"*****"');
  });

  it('masks the string values and the numbers (4+ characters) of a JSON value, at any depth, not its keys', async () => {
    const config = JSON.stringify({
      user: 'app',
      password: 'inner-pw-\u00e9"1',
      pin: 918273,
      port: 54,
      nested: { token: 'tok-abcdef', list: ['item-one', 7, true, null] },
    });
    const printed = [
      'user=app',
      'password=inner-pw-\u00e9"1',
      `json=${JSON.stringify('inner-pw-\u00e9"1')}`,
      'pin=918273',
      'port=54',
      'token=tok-abcdef',
      'first=item-one',
      'flag=true',
      `whole=${config}`,
    ].join(' ');
    expect(await masked([printed], [config])).toBe(
      'user=app password=***** json="*****" pin=***** port=54 token=***** first=***** flag=true whole=*****',
    );
    // An array, and an SSM path (an object keyed by parameter names) are JSON too; text that is not
    // JSON is only itself.
    expect(await masked(['a-leaf b-leaf'], [JSON.stringify(['a-leaf', 'b-leaf'])])).toBe('***** *****');
    expect(await masked(['{not json: a-leaf}, a-leaf'], ['{not json: a-leaf}'])).toBe('*****, a-leaf');
  });

  it('masks the decoded UTF-8 text of a base64 value (as=binary), 4 characters or longer', async () => {
    const plain = 'binary-plain-\u2603';
    const base64 = Buffer.from(plain).toString('base64');
    expect(await masked([`${base64} ${plain}\n`], [base64])).toBe('***** *****\n');
    // Decoded bytes of JSON text are JSON too.
    const document = Buffer.from('{"key":"decoded-key-1"}').toString('base64');
    expect(await masked(['decoded-key-1'], [document])).toBe('*****');
    // Under 4 characters decoded, or bytes that are not UTF-8: the base64 text alone.
    expect(await masked(['abc'], [Buffer.from('abc').toString('base64')])).toBe('abc');
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43, 0x44]);
    expect(await masked([`${bytes.toString('base64')} ${bytes.toString('latin1')}`], [bytes.toString('base64')])).toBe(
      `***** ${bytes.toString('latin1')}`,
    );
  });

  it("masks a value as Python's json.dumps prints it: non-ASCII (and DEL) escaped as \\u00e4, surrogate pairs for the rest", async () => {
    const password = 'p\u00e4ssw\u00f6rd-S3CR3T-\u{1F511}"\x7f';
    const printed = '{"password": "p\\u00e4ssw\\u00f6rd-S3CR3T-\\ud83d\\udd11\\"\\u007f"}';
    expect(await masked([printed], [password])).toBe('{"password": "*****"}');
    // A string inside a JSON value too.
    expect(await masked([printed], [JSON.stringify({ db: { password } })])).toBe('{"password": "*****"}');
  });

  it("masks a value as Python's repr (a printed dict) shows it: backslashes doubled, the quote it needs escaped", async () => {
    const cases = [
      // Python: print({'password': value})
      ['S3CR3T"quote\\back', `{'password': 'S3CR3T"quote\\\\back'}`],
      ['it\'s "S3CR3T"\\x', `{'password': 'it\\'s "S3CR3T"\\\\x'}`],
      ["it's-S3CR3T\\x", `{'password': "it's-S3CR3T\\\\x"}`],
      ['tab\tS3CR3T\u00a0\x01\u00e9', `{'password': 'tab\\tS3CR3T\\xa0\\x01\u00e9'}`],
    ] as const;
    for (const [value, printed] of cases) {
      expect({ value, out: await masked([printed], [value]) }).toEqual({
        value,
        out: printed.startsWith(`{'password': '`) ? `{'password': '*****'}` : `{'password': "*****"}`,
      });
    }
  });

  it("masks a value JSON-encoded twice, and with Go's HTML-safe escapes (\\u003c, \\u003e, \\u0026)", async () => {
    const password = 'S3CR3T"<quote>\\&amp';
    const twice = JSON.stringify(JSON.stringify({ password }));
    expect(await masked([twice], [password])).toBe('"{\\"password\\":\\"*****\\"}"');
    // Go: json.Marshal(map[string]string{"password": value})
    const go = '{"password":"S3CR3T\\"\\u003cquote\\u003e\\\\\\u0026amp"}';
    expect(await masked([go], [password])).toBe('{"password":"*****"}');
    expect(await masked(['"a\\u2028S3CR3T"'], ['a\u2028S3CR3T'])).toBe('"*****"');
  });

  it('masks the base64 (standard and URL-safe, padded or not), the hex (either case) and the URL-encoding of a value', async () => {
    const password = 'S3CR3T?>~\u00ff\u00fe-q7';
    const bytes = Buffer.from(password);
    const forms = [
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      `${bytes.toString('base64url')}==`,
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      encodeURIComponent(password),
    ];
    // Each form is a different text: the test would not see one missing.
    expect(new Set([password, ...forms]).size).toBe(forms.length + 1);
    for (const form of forms)
      expect({ form, out: await masked([`x=${form};`], [password]) }).toEqual({ form, out: 'x=*****;' });
    // The strings of a JSON value too, and the bytes of a base64 value that are not UTF-8.
    const inner = 'inner-\u00e9-S3CR3T';
    const config = JSON.stringify({ inner });
    expect(await masked([Buffer.from(inner).toString('hex')], [config])).toBe('*****');
    expect(await masked([encodeURIComponent(inner)], [config])).toBe('*****');
    const binary = Buffer.from([0xff, 0xfe, 0xfd, 0x41, 0x42, 0x43]);
    expect(
      await masked([`${binary.toString('hex')} ${binary.toString('base64url')}`], [binary.toString('base64')]),
    ).toBe('***** *****');
  });

  it('masks a number grouped as toLocaleString prints it, never a form under 4 characters', async () => {
    const config = JSON.stringify({ pin: 123456, big: -9876543.25, short: 1.0001, port: 54 });
    expect(await masked(['pin=123,456 big=-9,876,543.25 short=1 port=54 1.0001'], [config])).toBe(
      'pin=***** big=***** short=1 port=54 *****',
    );
    // Under 4 characters, no form of a value is masked: 'abc' is YWJj in base64, 616263 in hex.
    expect(await masked(['abc YWJj 616263'], ['abc'])).toBe('abc YWJj 616263');
  });

  it('holds back as much as the longest form needs: an end that may start the hex of a value', async () => {
    const masker = createMasker(['hold-S3CR3T']);
    const read = () => new Promise<string>((resolve) => masker.once('data', (chunk: Buffer) => resolve(String(chunk))));
    const hex = Buffer.from('hold-S3CR3T').toString('hex');
    let next = read();
    masker.write(`ready ${hex.slice(0, 15)}`);
    expect(await next).toBe('ready ');
    next = read();
    masker.end(`${hex.slice(15)} done\n`);
    expect(await next).toBe('***** done\n');
  });

  it('writes output at once, holding back only an end that could start a value', async () => {
    const masker = createMasker(['a-value-of-thirty-characters-1']);
    const read = () => new Promise<string>((resolve) => masker.once('data', (chunk: Buffer) => resolve(String(chunk))));
    let next = read();
    masker.write('ready\n');
    expect(await next).toBe('ready\n');
    next = read();
    masker.write('pw=a-val');
    expect(await next).toBe('pw=');
    next = read();
    masker.end('ue-of-thirty-characters-1 done\n');
    expect(await next).toBe('***** done\n');
  });

  it('never lets a value through, however the output is chunked (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 4, maxLength: 12, unit: 'grapheme' }).filter((s) => !s.includes('*')),
        fc.array(fc.string({ maxLength: 20, unit: 'grapheme' }), { maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        async (secret, noise, cuts) => {
          const text = noise.join(secret);
          const out = await masked(chunked(Buffer.from(`${text}${secret}`), cuts), [secret]);
          expect(out).not.toContain(secret);
          expect(out.endsWith('*****')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('masks the union of overlapping values exactly as the whole text would be, however chunked (property)', async () => {
    // A small alphabet, so that values overlap and noise makes occurrences of its own. Every value
    // has a "-": never base64, never JSON, nothing to escape: each value is only itself.
    const unit = fc.constantFrom('a', 'b', '-', '\u00e9', '\u2603');
    const text = (min: number, max: number) =>
      fc.array(unit, { minLength: min, maxLength: max }).map((units) => units.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(text(3, 10), fc.integer({ min: 1, max: 9 }), text(1, 6)).map(([head, k, tail]) => {
            const first = `${head}-`;
            const chars = Array.from(first);
            // The second value starts with the last k characters of the first.
            const second = chars.slice(-Math.min(k, chars.length - 1)).join('') + tail;
            return [first, second, first + tail] as const;
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.array(fc.tuple(text(0, 8), fc.nat(5)), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 30 }),
        async (pairs, pieces, cuts) => {
          const values = pairs.flatMap((pair) => pair.slice(0, 2)); // the two values, not their join
          // Noise, and between the noise each value and each overlapping pair written as one.
          const sample: string[] = pairs.flat();
          const output = pieces.map(([noise, i]) => noise + (sample[i % sample.length] ?? '')).join('');
          const expected = reference(output, values);
          expect(await masked(chunked(Buffer.from(output), cuts), values)).toBe(expected);
          for (const value of values.filter((v) => v.length >= 4)) expect(expected).not.toContain(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never lets a value through in its JSON-escaped, JSON-inner or decoded forms, however chunked (property)', async () => {
    // Often with a quote or a backslash, which JSON escapes.
    const secretText = fc
      .tuple(fc.string({ minLength: 4, maxLength: 12, unit: 'grapheme' }), fc.constantFrom('', '"', '\\', '"\\'))
      // Inserted between code points: a value in the environment is well-formed text.
      .map(([s, special]) => {
        const points = Array.from(s);
        return points.slice(0, 2).join('') + special + points.slice(2).join('');
      })
      .filter((s) => !s.includes('*') && !JSON.stringify(s).includes('*'));
    await fc.assert(
      fc.asyncProperty(
        secretText,
        secretText,
        fc.integer({ min: 1000, max: 2 ** 40 }),
        secretText,
        fc.array(
          fc.string({ maxLength: 12, unit: 'grapheme' }).filter((s) => !s.includes('*')),
          { maxLength: 4 },
        ),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 30 }),
        async (plain, inner, pin, binary, noise, cuts) => {
          const values = [
            plain,
            JSON.stringify({ password: inner, pin, nested: [inner.toUpperCase()] }),
            Buffer.from(binary).toString('base64'),
          ];
          const forms = [
            plain,
            JSON.stringify(plain).slice(1, -1),
            inner,
            JSON.stringify(inner).slice(1, -1),
            String(pin),
            binary,
            JSON.stringify(binary).slice(1, -1),
          ];
          const output = forms.map((form, i) => `${noise[i % Math.max(1, noise.length)] ?? ''}${form}`).join('');
          const out = await masked(chunked(Buffer.from(output), cuts), values);
          for (const form of forms) expect(out).not.toContain(form);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never lets a value through in its encoded forms (Python, Go, JSON twice, base64, hex, URL), however chunked (property)', async () => {
    const pythonAscii = (s: string) =>
      JSON.stringify(s)
        .slice(1, -1)
        .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const goHtml = (s: string) =>
      JSON.stringify(s)
        .slice(1, -1)
        .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const twice = (s: string) => JSON.stringify(JSON.stringify(s).slice(1, -1)).slice(1, -1);
    const formsOf = (s: string) => {
      const bytes = Buffer.from(s);
      return [
        s,
        pythonAscii(s),
        goHtml(s),
        twice(s),
        bytes.toString('base64'),
        bytes.toString('base64url'),
        bytes.toString('hex'),
        bytes.toString('hex').toUpperCase(),
        encodeURIComponent(s),
      ];
    };
    // Often with characters that the forms escape.
    const secretText = fc
      .tuple(
        fc.string({ minLength: 4, maxLength: 10, unit: 'grapheme' }),
        fc.constantFrom('', '"', '\\', '<&>', '\u00e4\u{1F511}', '\n'),
      )
      .map(([s, special]) => {
        const points = Array.from(s);
        return points.slice(0, 2).join('') + special + points.slice(2).join('');
      })
      .filter((s) => !s.includes('*'));
    await fc.assert(
      fc.asyncProperty(
        secretText,
        secretText,
        fc.integer({ min: 1000, max: 2 ** 40 }),
        fc.array(
          fc.string({ maxLength: 12, unit: 'grapheme' }).filter((s) => !s.includes('*')),
          { maxLength: 4 },
        ),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 40 }),
        async (plain, inner, pin, noise, cuts) => {
          const values = [plain, JSON.stringify({ password: inner, pin })];
          const forms = [...formsOf(plain), ...formsOf(inner), pin.toLocaleString('en-US')];
          const output = forms.map((form, i) => `${noise[i % Math.max(1, noise.length)] ?? ''}${form}`).join('');
          const out = await masked(chunked(Buffer.from(output), cuts), values);
          for (const form of forms) expect(out).not.toContain(form);
        },
      ),
      { numRuns: 200 },
    );
  });
});

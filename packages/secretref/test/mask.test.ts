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

  it('never lets a value through, however the output is chunked (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 4, maxLength: 12, unit: 'grapheme' }).filter((s) => !s.includes('*')),
        fc.array(fc.string({ maxLength: 20, unit: 'grapheme' }), { maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        async (secret, noise, cuts) => {
          const text = noise.join(secret);
          const bytes = Buffer.from(`${text}${secret}`);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const cut of cuts.concat(bytes.length)) {
            chunks.push(bytes.subarray(at, Math.min(bytes.length, at + cut)));
            at = Math.min(bytes.length, at + cut);
          }
          const out = await masked(chunks, [secret]);
          expect(out).not.toContain(secret);
          expect(out.endsWith('*****')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

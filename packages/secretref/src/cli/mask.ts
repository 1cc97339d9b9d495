/**
 * `exec --mask`: a stream that replaces every occurrence of the given values with `*****`, also when
 * an occurrence is split across chunks (it holds back the last `longest - 1` bytes until it knows).
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Values shorter than this are not masked: masking `on` or `1` would garble any output. */
export const MIN_MASKED_LENGTH = 4;
const MASK = Buffer.from('*****');

/** Creates the masking stream; values under `MIN_MASKED_LENGTH` characters are left alone. */
export function createMasker(values: Iterable<string>): Transform {
  const needles = [...new Set(values)]
    .filter((value) => value.length >= MIN_MASKED_LENGTH)
    .map((value) => Buffer.from(value))
    // Longest first: of two values that start at the same byte, the longer is masked whole.
    .sort((a, b) => b.length - a.length);
  const longest = needles[0]?.length ?? 0;
  let pending: Buffer = Buffer.alloc(0);

  /** Masks `buffer` up to `safe` (matches starting before it are completed); returns the rest to hold. */
  function drain(buffer: Buffer, safe: number, push: (chunk: Buffer) => void): Buffer {
    let at = 0;
    while (at < safe) {
      let best = -1;
      let bestLength = 0;
      for (const needle of needles) {
        const found = buffer.indexOf(needle, at);
        if (
          found !== -1 &&
          found < safe &&
          (best === -1 || found < best || (found === best && needle.length > bestLength))
        ) {
          best = found;
          bestLength = needle.length;
        }
      }
      if (best === -1) {
        push(buffer.subarray(at, safe));
        at = safe;
        break;
      }
      push(buffer.subarray(at, best));
      push(MASK);
      at = best + bestLength;
    }
    return buffer.subarray(Math.max(at, safe));
  }

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (longest === 0) {
        callback(null, chunk);
        return;
      }
      const buffer = Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      // A match can only be confirmed once `longest - 1` more bytes are known.
      pending = Buffer.from(drain(buffer, Math.max(0, buffer.length - (longest - 1)), (c) => out.push(c)));
      callback(null, Buffer.concat(out));
    },
    flush(callback: TransformCallback) {
      const out: Buffer[] = [];
      drain(pending, pending.length, (c) => out.push(c));
      pending = Buffer.alloc(0);
      callback(null, Buffer.concat(out));
    },
  });
}

/** Reading an HTTP answer's body up to a size, for the transports and the credential fetch. */

/** Reads at most `maxBytes` of a body as UTF-8: `undefined` beyond (the rest is not read). */
export async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  return (await readCappedBytes(response, maxBytes))?.toString('utf8');
}

/** Reads at most `maxBytes` of a body: `undefined` beyond (the rest is not read). */
export async function readCappedBytes(response: Response, maxBytes: number): Promise<Buffer | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

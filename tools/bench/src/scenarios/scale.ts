/** Scale: 1,000 distinct keys cached; resolves per second over all of them, heap per entry. */
import { createResolver } from '@secretref/core';
import { memoryProvider } from '@secretref/core/testing';
import { nsPerOp } from '../measure.ts';
import type { Results } from '../results.ts';

export async function measureScale(keys = 1000): Promise<Results['scale']> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const provider = memoryProvider({ schemes: ['mem'], values: {}, batchSize: 100 });
  for (let i = 0; i < keys; i++) provider.set(`k${i}`, `value-${i}-0123456789abcdef0123456789`);
  const resolver = createResolver({ providers: [provider], ttlMs: 3_600_000 });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  await Promise.all(Array.from({ length: keys }, (_, i) => resolver.resolve(`mem:k${i}`)));
  gc();
  const bytesPerEntry = (process.memoryUsage().heapUsed - heapBefore) / keys;
  let k = 0;
  const perResolveNs = await nsPerOp(() => resolver.resolve(`mem:k${k++ % keys}`), 500_000);
  return { keys, bytesPerEntry, resolvesPerSecond: 1e9 / perResolveNs };
}

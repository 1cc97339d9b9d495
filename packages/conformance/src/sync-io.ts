/**
 * Synchronous file system calls made while a function runs: every `...Sync` function of `node:fs` is
 * wrapped for the call (on the module object, which `require('node:fs')` and the default export are,
 * and, through `syncBuiltinESMExports`, on its named ES exports), recorded, and passed on.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

/** Runs `run`, and returns the names of the synchronous `fs` functions it called, in order. */
export function syncFsCalls(run: () => void): string[] {
  const calls: string[] = [];
  const target = fs as unknown as Record<string, unknown>;
  const originals: [name: string, fn: (...args: unknown[]) => unknown][] = [];
  for (const name of Object.keys(target)) {
    const original = target[name];
    const descriptor = Object.getOwnPropertyDescriptor(target, name);
    if (!name.endsWith('Sync') || typeof original !== 'function' || descriptor?.writable !== true) continue;
    const fn = original as (...args: unknown[]) => unknown;
    // Its own properties too (realpathSync.native).
    target[name] = Object.assign(function (this: unknown, ...args: unknown[]): unknown {
      calls.push(name);
      return Reflect.apply(fn, this, args);
    }, fn);
    originals.push([name, fn]);
  }
  syncBuiltinESMExports();
  try {
    run();
  } finally {
    for (const [name, fn] of originals) target[name] = fn;
    syncBuiltinESMExports();
  }
  return calls;
}

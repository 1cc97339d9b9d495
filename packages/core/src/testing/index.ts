/**
 * Test helpers for applications: an in-memory provider, so code that calls `resolve` can be
 * unit-tested without AWS.
 */
export { type MemoryProvider, type MemoryProviderOptions, memoryProvider } from './memory-provider.ts';

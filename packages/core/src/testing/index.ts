/**
 * Test helpers for applications: an in-memory provider, so code that calls `resolve` can be
 * unit-tested without AWS, and a manual clock, so time-dependent code is tested without sleeping.
 *
 * @module @secretref/core/testing
 */
export { type ManualClock, manualClock } from './manual-clock.ts';
export { type MemoryProvider, type MemoryProviderOptions, memoryProvider } from './memory-provider.ts';

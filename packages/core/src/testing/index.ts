/**
 * Test helpers for applications: an in-memory provider, so code that calls `resolve` can be
 * unit-tested without AWS, a manual clock, so time-dependent code is tested without sleeping, and
 * `quotesAny`, the leak check of a message.
 *
 * @module @secretref/core/testing
 */

/** Does a message quote any of the texts, even in part (8 characters, any case, JSON-escaped, URL-encoded or base64)? */
export { quotesAny } from '../redact.ts';
export { type ManualClock, manualClock } from './manual-clock.ts';
export { type MemoryProvider, type MemoryProviderOptions, memoryProvider } from './memory-provider.ts';

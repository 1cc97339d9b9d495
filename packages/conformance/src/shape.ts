/** The provider object: fields the core reads, in the shapes it accepts. */
import { createResolver } from '@secretref/core';
import { topic } from './harness.ts';
import type { ConformanceOptions, ConformanceSubject, SuiteApi } from './subject.ts';

// The core lower-cases the scheme of what it parses: a scheme with capitals would never match.
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const ARN_SERVICE = /^[a-z0-9-]+$/;
const PARAM = /^[A-Za-z0-9_.-]+(?:\.\*)?$/;
// Read by the core itself, never handed to a provider: declaring one is a mistake.
const COMMON_PARAMS = ['region', 'ttl', 'as', 'optional'];

/** Schemes, batch size, TTL, parameters and ARN services in the shapes the core accepts. */
export function shapeTests(test: SuiteApi, subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  const { it, expect } = test;
  topic(test, subject, options, 'shape', (h) => {
    it('declares lower-case schemes, a whole batch size, a TTL and the parameters it reads', () => {
      const { provider } = h.open();
      expect(provider.schemes.length).toBeGreaterThan(0);
      for (const scheme of provider.schemes) expect(scheme).toMatch(SCHEME);
      expect(provider.schemes).toContain(h.scheme);
      if (provider.batchSize !== undefined) {
        expect(Number.isInteger(provider.batchSize) && provider.batchSize >= 1).toBe(true);
      }
      if (provider.ttlMs !== undefined) expect(provider.ttlMs).toBeGreaterThanOrEqual(0);
      for (const param of provider.params ?? []) {
        expect(param).toMatch(PARAM);
        expect(COMMON_PARAMS).not.toContain(param);
      }
      for (const service of provider.arnServices ?? []) expect(service).toMatch(ARN_SERVICE);
      expect(typeof provider.parse).toBe('function');
      expect(typeof provider.fetch).toBe('function');
      expect(() => createResolver({ providers: [provider] }).dispose()).not.toThrow();
    });
  });
}

/**
 * The default resolver: the one resolver with the AWS providers that `resolve`, `loadEnv` and the
 * other functions of `secretref` use, created on first use and shared by the ESM and CommonJS copies
 * of this version in one process.
 */
import { createResolver, type Provider, type Resolver } from '@secretref/core';
import { kmsProvider } from '@secretref/kms';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { ssmProvider } from '@secretref/ssm';
import { VERSION } from './version.ts';

/**
 * The AWS providers of the default resolver: SSM Parameter Store (`ssm:`, `ssm-secure:`, parameter
 * ARNs), Secrets Manager (`secretsmanager:`, secret ARNs) and KMS (`kms:`). Each imports its SDK
 * client on its first fetch, so an app that only resolves `ssm:` never loads the others' clients.
 * A resolver of your own with them: `createResolver({ providers: awsProviders(), ttl: '5m' })`.
 */
export function awsProviders(): Provider[] {
  return [ssmProvider() as Provider, secretsManagerProvider() as Provider, kmsProvider() as Provider];
}

// Kept on globalThis, under a key of this version, so that the ESM and the CommonJS copy of secretref
// in one process (an app that imports it, a dependency that requires it) share one default resolver:
// one cache, one set of AWS clients. Another version keeps its own, as its options may differ.
const DEFAULT_RESOLVER = Symbol.for(`secretref.defaultResolver@${VERSION}`);
const shared = globalThis as { [DEFAULT_RESOLVER]?: Resolver | undefined };

/** The resolver behind `resolve`, `loadEnv` and the other functions of `secretref`, created on first use. */
export function defaultResolver(): Resolver {
  shared[DEFAULT_RESOLVER] ??= createResolver({ providers: awsProviders() });
  return shared[DEFAULT_RESOLVER];
}

/**
 * Replaces the default resolver (to configure it, or in tests); returns the previous one.
 * `undefined` makes the next call create a fresh default. The ESM and CommonJS copies of this
 * version share the default: replacing it in one replaces it in both.
 */
export function setDefaultResolver(resolver: Resolver | undefined): Resolver | undefined {
  const previous = shared[DEFAULT_RESOLVER];
  shared[DEFAULT_RESOLVER] = resolver;
  return previous;
}

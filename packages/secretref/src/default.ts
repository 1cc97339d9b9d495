/**
 * The default resolver: the one resolver with the AWS providers that `resolve`, `loadEnv` and the
 * other functions of `secretref` use, created on first use and shared by the ESM and CommonJS copies
 * of this version in one process.
 */
import { appconfigProvider } from '@secretref/appconfig';
import { chooseTransport, type TransportChoice, type TransportChoiceMade } from '@secretref/aws';
import { createResolver, type Provider, type Resolver } from '@secretref/core';
import { kmsProvider } from '@secretref/kms';
import { secretsManagerProvider } from '@secretref/secrets-manager';
import { ssmProvider } from '@secretref/ssm';
import { VERSION } from './version.ts';

/** Options of `awsProviders`: what the four providers share. */
export interface AwsProvidersOptions {
  /**
   * How their calls are sent (docs/providers/transports.md): `sdk`, `fetch`, `agent` or `auto`.
   * @default SECRETREF_AWS_TRANSPORT, else 'auto'
   */
  readonly transport?: TransportChoice | undefined;
}

/**
 * The AWS providers of the default resolver: SSM Parameter Store (`ssm:`, `ssm-secure:`, parameter
 * ARNs), Secrets Manager (`secretsmanager:`, secret ARNs), KMS (`kms:`) and AppConfig (`appconfig:`). Each sends its calls by
 * the transport `auto` picks (signed `fetch` where the environment holds keys and a region, else its
 * SDK client, imported on its first fetch), or by the one `transport` or `SECRETREF_AWS_TRANSPORT` names.
 * A resolver of your own with them: `createResolver({ providers: awsProviders(), ttlMs: 300_000 })`.
 */
export function awsProviders(options: AwsProvidersOptions = {}): Provider[] {
  const { transport } = options;
  const shared = transport === undefined ? {} : { transport };
  return [
    ssmProvider(shared) as Provider,
    secretsManagerProvider(shared) as Provider,
    kmsProvider(shared) as Provider,
    appconfigProvider(shared) as Provider,
  ];
}

/**
 * Which transport `awsProviders(options)` sends by here, and why (`auto: AWS_PROFILE is set`): from
 * the options and the environment, as the providers read them. `secretref check` prints it.
 */
export function awsTransportChoice(options: AwsProvidersOptions = {}): TransportChoiceMade {
  return chooseTransport(options, process.env, true);
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

/**
 * AppConfig in the demo: a configuration and feature flags, read with the `secretref` package, and a
 * flag flipped by a deployment that `watch` picks up. AppConfig's data plane is an emulator here
 * (tools/local-aws: moto has none); the resolver and the emulator share a clock that the demo jumps
 * past AppConfig's poll interval instead of waiting 15 s.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { JumpingClock, LocalAppConfig } from '@secretref/local-aws';
import { whenCheckoutChanges } from './watch-flag.ts';

/** Seeds the emulator as a deployment pipeline would: an application, its settings and its flags. */
export function seedAppConfig(appconfig: LocalAppConfig): void {
  appconfig.createApplication('shop');
  appconfig.createEnvironment('shop', 'prod');
  appconfig.createProfile('shop', 'settings');
  appconfig.deploy('shop', 'prod', 'settings', JSON.stringify({ db: { pool: 10 }, currency: 'EUR' }), {
    contentType: 'application/json',
    versionLabel: 'v1.0',
  });
  appconfig.createProfile('shop', 'flags', 'AWS.AppConfig.FeatureFlags');
  appconfig.setFlag('shop', 'prod', 'flags', 'new-checkout', false);
}

/** Runs the AppConfig part of the demo; returns the lines it prints. */
export async function appconfigDemo(appconfig: LocalAppConfig, clock: JumpingClock): Promise<string[]> {
  const { createResolver, awsProviders, flagWith } = await import('secretref');
  const lines: string[] = [];
  const versions: string[] = [];
  const onFetch = (event: unknown) =>
    versions.push(...Object.values((event as { versions: Record<string, string> }).versions));
  subscribe('secretref:fetch', onFetch);
  const resolver = createResolver({ providers: awsProviders(), clock });
  try {
    // #region appconfig
    const pool = await resolver.resolve('appconfig:shop/prod/settings#/db/pool'); // JSON, by its content type
    const checkout = await flagWith(resolver, 'appconfig:shop/prod/flags#new-checkout'); // { enabled, ...attributes }
    // #endregion appconfig
    lines.push(`appconfig:shop/prod/settings#/db/pool -> ${JSON.stringify(pool)} (version ${versions[0]})`);
    lines.push(`flag appconfig:shop/prod/flags#new-checkout -> ${JSON.stringify(checkout)}`);

    const calls = appconfig.calls.length;
    for (let i = 0; i < 10; i++) {
      clock.jump(1_000);
      await resolver.resolve('appconfig:shop/prod/settings?ttl=1s');
    }
    lines.push(
      `10 resolves with ?ttl=1s over 10 s: ${appconfig.calls.length - calls} AppConfig calls (its poll interval, 15 s, is the floor of the TTL)`,
    );

    const seen = whenCheckoutChanges(resolver);
    appconfig.setFlag('shop', 'prod', 'flags', 'new-checkout', true, { limit: 5 });
    lines.push('a deployment turns new-checkout on; 15 s later (the clock jumps past the poll interval):');
    clock.jump(15_000);
    const flipped = await seen;
    lines.push(`  watch's onChange got ${JSON.stringify(flipped)}`);
    const byOperation = ['StartConfigurationSession', 'GetLatestConfiguration'].map(
      (op) => `${appconfig.calls.filter((c) => c.operation === op).length} ${op}`,
    );
    lines.push(`AppConfig calls in all: ${byOperation.join(', ')} (one session per profile)`);
  } finally {
    unsubscribe('secretref:fetch', onFetch);
    resolver.dispose();
  }
  return lines;
}

/** A feature flag watched by a long-running process, as docs/providers/appconfig.md shows it. */
// #region watch-flag
import type { Flag, Resolver } from 'secretref';

/** Settles with the new-checkout flag when a deployment changes it. */
export function whenCheckoutChanges(resolver: Resolver): Promise<Flag> {
  return new Promise((changed) => {
    const watcher = resolver.watch<Flag>(
      'appconfig:shop/prod/flags#new-checkout',
      (checkout) => {
        watcher.stop();
        changed(checkout); // { enabled: true, limit: 5 }
      },
      // A check each second; AppConfig's poll interval (15 s) holds the calls to AWS back.
      { intervalMs: 1_000 },
    );
  });
}
// #endregion watch-flag

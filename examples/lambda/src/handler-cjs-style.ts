/**
 * A handler as a CommonJS user writes it (no top-level await): `withSecrets` from the batteries-included
 * package resolves before each invocation, from the cache when fresh.
 */
// #region cjs
import { withSecrets } from 'secretref';

export const handler = withSecrets(
  { dbPassword: 'ssm:/orders/db-password', stripeKey: 'secretsmanager:orders/stripe#key' },
  async (_event: unknown, _context: { getRemainingTimeInMillis(): number }, secrets) => {
    return { ready: secrets.dbPassword.length > 0 && secrets.stripeKey.length > 0 };
  },
);
// #endregion cjs

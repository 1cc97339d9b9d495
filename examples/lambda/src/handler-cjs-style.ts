/**
 * A handler as a CommonJS user writes it (no top-level await): `secretsHandler` from the batteries-included
 * package resolves before each invocation, from the cache when fresh.
 */
// #region cjs
import { secretsHandler } from 'secretref';

export const handler = secretsHandler(
  // A #key of a JSON secret is typed unknown (JSON may hold a number): as: 'string' makes it a string.
  { dbPassword: 'ssm:/orders/db-password', stripeKey: { ref: 'secretsmanager:orders/stripe#key', as: 'string' } },
  async (_event: unknown, _context: { getRemainingTimeInMillis(): number }, secrets) => {
    return { ready: secrets.dbPassword.length > 0 && secrets.stripeKey.length > 0 };
  },
);
// #endregion cjs

/** The Express app: a route guarded by a secret API key, and a database status route. */
// #region app
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express } from 'express';
import type { Secret } from 'secretref';
import type { Pool } from './db.ts';

export interface AppOptions {
  /** The key clients send in `x-api-key`. */
  readonly apiKey: Secret<string>;
  /** The pool in use now: a new one after each password rotation. */
  readonly pool: () => Pool;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

export function createApp({ apiKey, pool }: AppOptions): Express {
  const app = express();
  // Revealed once, kept as a digest: all digests have one length, so not even the key's length leaks.
  const expected = sha256(apiKey.reveal());

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  // A route that uses a resolved secret: the API key, compared in constant time, never echoed.
  app.get('/orders', (req, res) => {
    if (!timingSafeEqual(sha256(req.get('x-api-key') ?? ''), expected)) {
      res.status(401).json({ error: 'invalid API key' });
      return;
    }
    res.json({ orders: [{ id: 'o-1', total: 42 }] });
  });

  // The pool in use now: after a rotation, a new generation built with the new password.
  app.get('/db', (_req, res) => {
    res.json(pool().status());
  });

  return app;
}
// #endregion app

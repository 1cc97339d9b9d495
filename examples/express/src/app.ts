/** The Express app: a route guarded by a secret API key, and a database status route. */
// #region app
import { timingSafeEqual } from 'node:crypto';
import express, { type Express } from 'express';
import type { Secret } from 'secretref';
import type { Pool } from './db.ts';

export function createApp(options: { apiKey: Secret<unknown>; pool: () => Pool }): Express {
  const app = express();
  const expected = Buffer.from(String(options.apiKey.reveal()));

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  // A route that uses a resolved secret: the API key, compared in constant time, never echoed.
  app.get('/orders', (req, res) => {
    const given = Buffer.from(req.get('x-api-key') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ error: 'invalid API key' });
      return;
    }
    res.json({ orders: [{ id: 'o-1', total: 42 }] });
  });

  // The pool in use now: after a rotation, a new generation built with the new password.
  app.get('/db', (_req, res) => {
    res.json(options.pool().status());
  });

  return app;
}
// #endregion app

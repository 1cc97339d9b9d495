/**
 * The server: config loaded before `listen`, a pool built from the database password, and the pool
 * rebuilt when the password rotates (watch, no restart). Standard AWS environment; `APP_PREFIX` names
 * the parameters, `PORT` overrides the configured port, `SECRETREF_WATCH_INTERVAL_MS` sets how often the
 * password is checked (default 60 s).
 */
// #region server
import { Secret, watch } from 'secretref';
import { createApp } from './app.ts';
import { loadAppConfig } from './config.ts';
import { createPool } from './db.ts';

const prefix = process.env.APP_PREFIX ?? 'express-demo';
const config = await loadAppConfig(prefix); // before listen: a missing secret stops the start-up here
let pool = createPool(config.db.user, config.db.password);

const app = createApp({ apiKey: config.apiKey, pool: () => pool });
const server = app.listen(Number(process.env.PORT ?? config.port), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : '?'}`);
});

const watcher = watch(
  `secretsmanager:${prefix}/db#password`,
  (password) => {
    const old = pool;
    pool = createPool(config.db.user, new Secret(password));
    old.end();
    console.log(`database password rotated: pool rebuilt (generation ${pool.generation})`);
  },
  {
    intervalMs: Number(process.env.SECRETREF_WATCH_INTERVAL_MS ?? 60_000),
    onError: (error) => console.error(`password check failed (${error.code}); the current pool stays`),
  },
);

process.on('SIGTERM', () => {
  watcher.stop();
  server.close(() => process.exit(0));
});
// #endregion server

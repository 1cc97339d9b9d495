/**
 * The server: config loaded before `listen`, a pool built from the database password, and the pool
 * rebuilt when the password rotates (watch, no restart). Standard AWS environment; `APP_PREFIX` names
 * the parameters and secret, `PORT` overrides the configured port, `SECRETREF_WATCH_INTERVAL_MS` sets
 * how often the password is checked (default 60 s, at least 1 s).
 */
// #region server
import { Secret, watch } from 'secretref';
import { createApp } from './app.ts';
import { loadAppConfig } from './config.ts';
import { createPool } from './db.ts';

const prefix = process.env.APP_PREFIX ?? 'express-demo';
const intervalMs = Number(process.env.SECRETREF_WATCH_INTERVAL_MS || 60_000);
if (!Number.isInteger(intervalMs) || intervalMs < 1000) {
  throw new Error('SECRETREF_WATCH_INTERVAL_MS must be a whole number of milliseconds, at least 1000');
}

const config = await loadAppConfig(prefix); // before listen: a missing or invalid value stops the start-up here
let pool = createPool(config.db.user, config.db.password);

const watcher = watch(
  `secretsmanager:${prefix}/db#password`,
  (password) => {
    const old = pool;
    pool = createPool(config.db.user, new Secret(password));
    old.end();
    console.log(`database password rotated: pool rebuilt (generation ${pool.generation})`);
  },
  {
    as: 'string', // a #key of a JSON secret is typed unknown unless you say what it is
    intervalMs,
    onError: (error) => console.error(`password check failed (${error.code}); the current pool stays`),
  },
);
await watcher.ready; // the baseline later values are compared with: the password just loaded, from the cache

const app = createApp({ apiKey: config.apiKey, pool: () => pool });
const server = app.listen(Number(process.env.PORT || config.port), '127.0.0.1', (error) => {
  if (error) {
    console.error(`cannot listen: ${error.message}`);
    process.exit(1);
  }
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : '?'}`);
});

function shutdown(): void {
  watcher.stop();
  server.close(() => process.exit(0)); // waits for requests in flight; idle connections are closed
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
// #endregion server

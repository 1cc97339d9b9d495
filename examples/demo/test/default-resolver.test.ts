/** The default resolver behind the functions of `secretref`, configured once. */
import { awsProviders, createResolver, defaultResolver, resolve, setDefaultResolver } from 'secretref';
import { expect, it } from 'vitest';

it('configures the default resolver once, before the first resolve', async () => {
  // #region default-resolver
  // Once, before the first resolve: the functions of `secretref` use it from then on.
  const previous = setDefaultResolver(createResolver({ providers: awsProviders(), ttlMs: 60_000, timeoutMs: 3000 }));
  // #endregion default-resolver
  process.env.DEMO_GREETING = 'hello';
  try {
    expect(await resolve('env:DEMO_GREETING')).toBe('hello');
    expect(defaultResolver().isReference('ssm:/app/db')).toBe(true);
    expect(defaultResolver().stats()).toMatchObject({ misses: 1, calls: 1, entries: 1 });
  } finally {
    defaultResolver().dispose();
    setDefaultResolver(previous);
    delete process.env.DEMO_GREETING;
  }
});

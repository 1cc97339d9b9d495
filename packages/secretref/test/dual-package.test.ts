/**
 * The dual-package hazard: an app whose own code `import`s secretref while a dependency `require`s it
 * loads both dist/index.mjs and dist/index.cjs (and both copies of @secretref/core). The two copies
 * share one default resolver, and `Secret` and the errors are recognised across them. Checked on the
 * built files in a real Node process, as an installed package would be loaded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packages = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(packages, 'secretref/dist');
const { version } = JSON.parse(readFileSync(join(packages, 'secretref/package.json'), 'utf8')) as { version: string };

/** The newest mtime of the files under `dir` (0 when there are none). */
function newest(dir: string, pick: (values: number[]) => number): number {
  const times = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map(
    (file) => statSync(join(dir, file)).mtimeMs,
  );
  return times.length === 0 ? 0 : pick(times);
}

/** Fails with what to do when the built files are missing or older than their sources. */
function assertBuilt(): void {
  for (const name of ['core', 'aws', 'ssm', 'secrets-manager', 'kms', 'appconfig', 'secretref']) {
    const built = join(packages, name, 'dist');
    if (!existsSync(built)) throw new Error(`${built} is missing: run "pnpm --filter secretref... build" first`);
    if (newest(built, (t) => Math.min(...t)) < newest(join(packages, name, 'src'), (t) => Math.max(...t))) {
      throw new Error(`${built} is older than its src/: run "pnpm --filter secretref... build" first`);
    }
  }
}

// Runs in a fresh process: loads both copies, compares what each makes, prints the results as JSON.
const CHILD = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const [mjs, cjsPath, version] = process.argv.slice(1);
const esm = await import(pathToFileURL(mjs).href);
const cjs = createRequire(cjsPath)(cjsPath);
const results = {};
const check = (name, fn) => { try { results[name] = fn(); } catch (error) { results[name] = 'threw ' + error; } };
const rejection = async (promise) => { try { await promise; } catch (error) { return error; } };

check('two copies', () => esm.Secret !== cjs.Secret && esm.createResolver !== cjs.createResolver);
check('same default resolver', () => esm.defaultResolver() === cjs.defaultResolver());
check('kept under the versioned global', () =>
  globalThis[Symbol.for('secretref.defaultResolver@' + version)] === esm.defaultResolver());
const mine = cjs.createResolver();
const previous = esm.setDefaultResolver(mine);
check('setDefaultResolver replaces it for both', () => cjs.defaultResolver() === mine && esm.defaultResolver() === mine);
check('setDefaultResolver returns the shared previous one', () => previous !== mine && previous !== undefined);
process.env.SECRETREF_DUAL = 'dual-value';
results['resolve through the other copy'] = await esm.resolve('env:SECRETREF_DUAL');
check('the value is cached in the one shared resolver', () => cjs.peek('env:SECRETREF_DUAL'));
esm.setDefaultResolver(undefined);
check('undefined makes a fresh default for both', () =>
  esm.defaultResolver() !== mine && esm.defaultResolver() === cjs.defaultResolver());

const fromCjs = new cjs.Secret('cjs-secret');
const fromEsm = esm.Secret.of('esm-secret');
check('a CJS Secret is an ESM Secret', () => fromCjs instanceof esm.Secret && esm.Secret.isSecret(fromCjs));
check('an ESM Secret is a CJS Secret', () => fromEsm instanceof cjs.Secret && cjs.Secret.isSecret(fromEsm));
check('Secret.of keeps a Secret of the other copy', () => esm.Secret.of(fromCjs) === fromCjs);
check('reveal across copies', () => [esm.Secret.of(fromCjs).reveal(), cjs.Secret.of(fromEsm).reveal()]);
check('still redacted', () => [String(fromCjs), JSON.stringify({ fromEsm })]);
check('no Secret without the brand', () =>
  [{}, 'x', null, Object.create(esm.Secret.prototype), { ...fromCjs }].some(
    (v) => v instanceof esm.Secret || cjs.Secret.isSecret(v),
  ));

for (const [from, to, name] of [[cjs, esm, 'CJS error for ESM'], [esm, cjs, 'ESM error for CJS']]) {
  const error = await rejection(from.createResolver({ providers: from.awsProviders() }).resolve('ssm:/x?flavour=1'));
  check(name, () => ({
    invalidReference: error instanceof to.InvalidReferenceError,
    secretrefError: error instanceof to.SecretrefError,
    notFound: error instanceof to.SecretNotFoundError,
    error: error instanceof Error,
  }));
}
process.stdout.write(JSON.stringify(results));
`;

describe('ESM and CommonJS copies of secretref in one process', () => {
  it('share the default resolver, and recognise each other’s Secret and errors', () => {
    assertBuilt();
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', CHILD, join(dist, 'index.mjs'), join(dist, 'index.cjs'), version],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      'two copies': true,
      'same default resolver': true,
      'kept under the versioned global': true,
      'setDefaultResolver replaces it for both': true,
      'setDefaultResolver returns the shared previous one': true,
      'resolve through the other copy': 'dual-value',
      'the value is cached in the one shared resolver': 'dual-value',
      'undefined makes a fresh default for both': true,
      'a CJS Secret is an ESM Secret': true,
      'an ESM Secret is a CJS Secret': true,
      'Secret.of keeps a Secret of the other copy': true,
      'reveal across copies': ['cjs-secret', 'esm-secret'],
      'still redacted': ['[redacted]', '{"fromEsm":"[redacted]"}'],
      'no Secret without the brand': false,
      'CJS error for ESM': { invalidReference: true, secretrefError: true, notFound: false, error: true },
      'ESM error for CJS': { invalidReference: true, secretrefError: true, notFound: false, error: true },
    });
    expect(child.status).toBe(0);
  });
});

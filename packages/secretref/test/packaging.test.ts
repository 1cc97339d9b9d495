/**
 * What `npm install secretref` brings: the batteries-included package does Encryption SDK envelopes
 * out of the box (`@aws-crypto/client-node` is a dependency), while the composable @secretref/kms keeps
 * it an optional peer, and bundles still leave it out. The packed tarballs installed with npm and run
 * against moto are in cli.integration.test.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SDK = '@aws-crypto/client-node';
const packages = fileURLToPath(new URL('../../', import.meta.url));

interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = (name: string): Manifest =>
  JSON.parse(readFileSync(join(packages, name, 'package.json'), 'utf8')) as Manifest;

describe('the Encryption SDK', () => {
  it('is a pinned dependency of secretref, not a peer to add by hand', () => {
    const secretref = manifest('secretref');
    expect(secretref.dependencies?.[SDK]).toBe('5.0.2');
    expect(secretref.peerDependencies?.[SDK]).toBeUndefined();
    expect(secretref.peerDependenciesMeta?.[SDK]).toBeUndefined();
    expect(secretref.devDependencies?.[SDK]).toBeUndefined();
  });

  it('stays an optional peer of @secretref/kms', () => {
    const kms = manifest('kms');
    expect(kms.dependencies?.[SDK]).toBeUndefined();
    expect(kms.peerDependencies?.[SDK]).toMatch(/^\^5\./);
    expect(kms.peerDependenciesMeta?.[SDK]).toEqual({ optional: true });
  });

  it('resolves from secretref and from the @secretref/kms it depends on (where the import is)', () => {
    for (const from of [join(packages, 'secretref'), join(packages, 'secretref/node_modules/@secretref/kms')]) {
      const require = createRequire(join(from, 'package.json'));
      const entry = require.resolve(SDK);
      const root = join(dirname(entry).slice(0, entry.lastIndexOf(join('node_modules', SDK))), 'node_modules', SDK);
      const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
      expect({ from, version }).toEqual({ from, version: '5.0.2' });
    }
  });

  it('is still left out of a bundle of secretref (imported by a computed name)', async () => {
    const result = await build({
      stdin: {
        contents: `import { resolve } from 'secretref'; export const handler = () => resolve('kms:AQID');`,
        resolveDir: import.meta.dirname,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      conditions: ['@secretref/source'],
      logLevel: 'silent',
      metafile: true,
    });
    const code = result.outputFiles[0]?.text ?? '';
    const inputs = Object.keys(result.metafile.inputs);
    // The KMS provider is in the bundle, and imports the Encryption SDK by name at run time...
    expect(inputs.some((input) => input.endsWith('kms/src/envelope.ts'))).toBe(true);
    expect(code).toContain(`"${SDK}"`);
    // ...which is not in it (the SDK clients' own @aws-crypto hashing helpers are).
    expect(
      inputs.filter((input) => /@aws-crypto[/+](client-node|decrypt-node|encrypt-node|kms-keyring)/.test(input)),
    ).toEqual([]);
  });
});

/** Start-up: an SSM-only Lambda handler bundled with esbuild, its size and import time; our own code's size. */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, IMPORT_RUNS, importMs } from '../measure.ts';
import type { Results } from '../results.ts';
import { OWN_CODE_SOURCE } from '../targets.ts';

const here = dirname(fileURLToPath(import.meta.url));

const HANDLERS: Readonly<Record<string, string>> = {
  secretref: `import { createResolver } from '@secretref/core'; import { ssmProvider } from '@secretref/ssm';
    const resolver = createResolver({ providers: [ssmProvider()] });
    export const handler = async () => resolver.resolve('ssm:/app/db');`,
  'secretref, fetch only': `import { createResolver } from '@secretref/core'; import { ssmFetchProvider } from '@secretref/ssm';
    const resolver = createResolver({ providers: [ssmFetchProvider()] });
    export const handler = async () => resolver.resolve('ssm:/app/db');`,
  'bare SSM client': `import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
    const client = new SSMClient({});
    export const handler = async () => (await client.send(new GetParameterCommand({ Name: '/app/db', WithDecryption: true }))).Parameter?.Value;`,
  powertools: `import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
    export const handler = async () => getParameter('/app/db', { decrypt: true });`,
};

export async function measureStartup(): Promise<Results['startup']> {
  const bundles: Record<string, { bytes: number; importMs: number }> = {};
  for (const [name, source] of Object.entries(HANDLERS)) {
    const { file, bytes } = await bundle(name.replaceAll(' ', '-'), source, here);
    bundles[name] = { bytes, importMs: importMs(file) };
  }
  // As the bundle test measures it: no banner.
  const own = await bundle('own-code', OWN_CODE_SOURCE, here, ['@aws-sdk/*', 'lru.min', 'aws4fetch'], false);
  // The string literals of the minified code (error messages above all), as a tokenizer would find them.
  const literals = readFileSync(own.file, 'utf8').match(/`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g) ?? [];
  const ownCodeStringBytes = literals.reduce((sum, literal) => sum + Buffer.byteLength(literal), 0);
  return { importRuns: IMPORT_RUNS, bundles, ownCodeBytes: own.bytes, ownCodeStringBytes };
}

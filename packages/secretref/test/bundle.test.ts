/**
 * The composed, size-conscious form for Lambda: an esbuild bundle of an SSM-only handler built from
 * @secretref/core and @secretref/ssm contains no Secrets Manager or KMS code.
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundle(source: string, external: string[] = []): Promise<string> {
  return (await built(source, external)).code;
}

/** The bundle's code and the modules whose code it holds. */
async function built(source: string, external: string[] = []): Promise<{ code: string; modules: string[] }> {
  const result = await build({
    external,
    stdin: { contents: source, resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    conditions: ['@secretref/source'],
    logLevel: 'silent',
    metafile: true,
  });
  // The modules with code in the output: esbuild reads some that tree shaking then drops entirely.
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output?.inputs ?? {}).filter(([, { bytesInOutput }]) => bytesInOutput > 0);
  return { code: result.outputFiles[0]?.text ?? '', modules: modules.map(([name]) => name) };
}

const FOREIGN = [/secretsmanager/i, /BatchGetSecretValue/, /client-kms/, /KMSClient/, /GenerateDataKey/];

describe('an SSM-only Lambda bundle', () => {
  it('holds the SSM client and nothing of Secrets Manager or KMS', async () => {
    const code = await bundle(`
      import { createResolver } from '@secretref/core';
      import { ssmProvider } from '@secretref/ssm';
      const resolver = createResolver({ providers: [ssmProvider()] });
      export const handler = async () => ({ ok: (await resolver.resolve('ssm:/app/db')).length > 0 });
    `);
    expect(code).toContain('GetParametersCommand');
    for (const pattern of FOREIGN) expect(code, String(pattern)).not.toMatch(pattern);
  });

  it('while the batteries-included secretref package does bring Secrets Manager (so the check can fail)', async () => {
    const code = await bundle(`
      import { resolve } from 'secretref';
      export const handler = async () => resolve('ssm:/app/db');
    `);
    expect(code).toMatch(/BatchGetSecretValue/);
  });
});

// Budgets, in bytes of minified bundle, shared with `pnpm bench` (tools/bench/budgets.json, which says
// why): growth is a decision made there, in review, rather than an accident. The targets, which are not
// all met, are in tools/bench/src/targets.ts and docs/benchmarks.md.
const BUDGETS = JSON.parse(readFileSync(new URL('../../../tools/bench/budgets.json', import.meta.url), 'utf8')) as {
  ownCodeBytes: number;
  overBareClientBytes: number;
  fetchHandlerBytes: number;
};
const BUDGET = {
  overBareClient: BUDGETS.overBareClientBytes,
  ownCode: BUDGETS.ownCodeBytes,
  fetchHandler: BUDGETS.fetchHandlerBytes,
};

describe('bundle budgets', () => {
  it(`an SSM-only handler is at most ${BUDGET.overBareClient / 1024} KB over the bare SSM client; our own code at most ${BUDGET.ownCode / 1024} KB`, async () => {
    const composed = await bundle(`
      import { createResolver } from '@secretref/core';
      import { ssmProvider } from '@secretref/ssm';
      const resolver = createResolver({ providers: [ssmProvider()] });
      export const handler = async () => resolver.resolve('ssm:/app/db');
    `);
    const bare = await bundle(`
      import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
      const client = new SSMClient({});
      export const handler = async () => (await client.send(new GetParameterCommand({ Name: '/app/db', WithDecryption: true }))).Parameter?.Value;
    `);
    const own = await bundle(
      `export { createResolver } from '@secretref/core'; export { ssmProvider } from '@secretref/ssm';`,
      ['@aws-sdk/*', 'lru.min', 'aws4fetch'],
    );
    expect(Buffer.byteLength(composed) - Buffer.byteLength(bare)).toBeLessThanOrEqual(BUDGET.overBareClient);
    expect(Buffer.byteLength(own)).toBeLessThanOrEqual(BUDGET.ownCode);
  });
});

describe('an SSM-only handler composed for the fetch transport', () => {
  const HANDLER = `
    import { createResolver } from '@secretref/core';
    import { ssmFetchProvider } from '@secretref/ssm';
    const resolver = createResolver({ providers: [ssmFetchProvider()] });
    export const handler = async () => resolver.resolve('ssm:/app/db');
  `;

  it(`holds no @aws-sdk/client-* module, and is at most ${BUDGET.fetchHandler / 1024} KB in all`, async () => {
    const { code, modules } = await built(HANDLER);
    expect(modules.filter((m) => m.includes('@aws-sdk/'))).toEqual([]);
    expect(modules.some((m) => m.includes('aws4fetch'))).toBe(true);
    expect(code).toContain('AmazonSSM');
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(BUDGET.fetchHandler);
  });

  it('while ssmProvider() does bring the SDK client (so the check can fail)', async () => {
    const { modules } = await built(HANDLER.replaceAll('ssmFetchProvider', 'ssmProvider'));
    expect(modules.some((m) => m.includes('@aws-sdk/client-ssm'))).toBe(true);
  });
});

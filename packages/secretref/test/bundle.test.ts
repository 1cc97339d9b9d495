/**
 * The composed, size-conscious form for Lambda: an esbuild bundle of an SSM-only handler built from
 * @secretref/core and @secretref/ssm contains no Secrets Manager or KMS code.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function bundle(source: string, external: string[] = []): Promise<string> {
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
  });
  return result.outputFiles[0]?.text ?? '';
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

// Budgets, in bytes of minified bundle: the measured size plus a little headroom, so that growth is
// a decision (raise the budget in review) rather than an accident. docs/benchmarks.md has the targets.
// Raised from 50 and 30 KB when the engine grew its monotonic clock, option checks on every path,
// failure memory, redaction and deadline fixes, and the providers checked every answer's shape and kept
// nothing of AWS's error bodies, and thrown errors were described rather than kept (own code 27.5 -> 43
// KB); then by 1 KB for the split into core, aws and ssm and the hit path at its floor (45.2 KB). The
// target of 30 KB for core + aws + ssm (issue 12) is not met: see docs/benchmarks.md.
const BUDGET = { overBareClient: 64 * 1024, ownCode: 45 * 1024 };

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
      ['@aws-sdk/*', 'lru-cache'],
    );
    expect(Buffer.byteLength(composed) - Buffer.byteLength(bare)).toBeLessThanOrEqual(BUDGET.overBareClient);
    expect(Buffer.byteLength(own)).toBeLessThanOrEqual(BUDGET.ownCode);
  });
});

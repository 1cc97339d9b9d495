import { MOTO_HINT, startMoto } from '@secretref/local-aws';
import { afterEach, describe, expect, it } from 'vitest';

describe('startMoto', () => {
  const saved = process.env.MOTO_PYTHON;
  afterEach(() => {
    if (saved === undefined) delete process.env.MOTO_PYTHON;
    else process.env.MOTO_PYTHON = saved;
  });

  it('fails with the install hint when moto is missing, instead of skipping', async () => {
    process.env.MOTO_PYTHON = 'false'; // a "Python" that cannot import moto
    await expect(startMoto()).rejects.toThrow(MOTO_HINT);
    expect(MOTO_HINT).toContain("pip install 'moto[server]'");
  });
});

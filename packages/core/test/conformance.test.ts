import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envProvider, fileProvider } from '@secretref/core';
import { memoryProvider } from '@secretref/core/testing';
// A relative import: core cannot depend on the suite, which depends on core.
import { describeProvider } from '../../../tools/conformance/src/index.ts';

const memory = memoryProvider({ schemes: ['mem'] });
describeProvider('memory', {
  provider: () => memory,
  seed: async (values) => {
    for (const [body, value] of Object.entries(values)) memory.set(body, value);
  },
  body: (name) => `conf/${name}`,
});

describeProvider('env', {
  provider: envProvider,
  seed: async (values) => {
    Object.assign(process.env, values);
  },
  body: (name) => `SECRETREF_CONFORMANCE_${name.toUpperCase().replaceAll('-', '_')}`,
});

const dir = mkdtempSync(join(tmpdir(), 'secretref-conformance-'));
describeProvider('file', {
  provider: fileProvider,
  seed: async (values) => {
    await Promise.all(Object.entries(values).map(([path, value]) => writeFile(path, value)));
  },
  body: (name) => join(dir, name),
});

import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envProvider, fileProvider } from '@secretref/core';
import { memoryProvider } from '@secretref/core/testing';
// A relative import: the suite peer-depends on core, so core cannot depend on the suite.
import { describeProvider } from '../../conformance/src/index.ts';

/** The bodies `seed` returns: one per name, made by `body`. */
const bodies = (values: Readonly<Record<string, string>>, body: (name: string) => string) =>
  Object.fromEntries(Object.keys(values).map((name) => [name, body(name)]));

// One instance for every case (it has no dispose): what seed stores, every case reads.
const memory = memoryProvider({ schemes: ['mem'] });
describeProvider(
  'memory',
  {
    provider: () => memory,
    seed: async (values) => {
      for (const [name, value] of Object.entries(values)) memory.set(`conf/${name}`, value);
      return bodies(values, (name) => `conf/${name}`);
    },
    update: (name, value) => memory.set(`conf/${name}`, value),
    missing: (name) => `conf/never-${name}`,
  },
  // An in-memory answer has nothing to abort.
  { abort: false, canonicalForms: (body, scheme) => [`{{resolve:${scheme}:${body}}}`] },
);

const envName = (name: string): string => `SECRETREF_CONFORMANCE_${name.toUpperCase().replaceAll('-', '_')}`;
describeProvider(
  'env',
  {
    provider: envProvider,
    seed: async (values) => {
      for (const [name, value] of Object.entries(values)) process.env[envName(name)] = value;
      return bodies(values, envName);
    },
    update: (name, value) => {
      process.env[envName(name)] = value;
    },
    missing: (name) => envName(`never-${name}`),
  },
  { abort: false, invalid: ['env:9LIVES', 'env:A/B', 'env:%41'] },
);

const dir = mkdtempSync(join(tmpdir(), 'secretref-conformance-'));
describeProvider(
  'file',
  {
    provider: fileProvider,
    seed: async (values) => {
      await Promise.all(Object.entries(values).map(([name, value]) => writeFile(join(dir, name), value)));
      return bodies(values, (name) => join(dir, name));
    },
    update: (name, value) => writeFile(join(dir, name), value),
    missing: (name) => join(dir, `never-${name}`),
  },
  // fileProvider does not pass the signal to readFile: a read in flight runs to its end.
  { abort: false, canonicalForms: (body, scheme) => [`${scheme}://${body}`] },
);

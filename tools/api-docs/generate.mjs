// The API reference, docs/api: TypeDoc (with its own TypeScript 6, which this package pins: TypeDoc
// 0.28 does not run on the repo's TypeScript 7) and typedoc-plugin-markdown, over the entry points
// in typedoc.json. scripts/api-docs.mjs calls generate(); any TypeDoc warning fails it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, LogLevel } from 'typedoc';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** The names of the published packages (packages/*), whose types must all be documented. */
function publishedPackages() {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => JSON.parse(readFileSync(join(root, 'packages', entry.name, 'package.json'), 'utf8')))
    .filter((manifest) => !manifest.private)
    .map((manifest) => manifest.name);
}

/**
 * Writes the API reference into `out` (emptied first). Returns the problems TypeDoc reported (its
 * warnings and errors, each once); nothing is written when there is one.
 */
export async function generate(out) {
  const app = await Application.bootstrapWithPlugins({ options: join(here, 'typedoc.json'), out, logLevel: 'Warn' });
  const problems = [];
  const log = app.logger.log.bind(app.logger);
  app.logger.log = (message, level) => {
    if (level >= LogLevel.Warn) {
      if (problems.includes(message)) return;
      problems.push(message);
    }
    log(message, level);
  };
  const project = await app.convert();
  if (!project) return problems.length > 0 ? problems : ['TypeDoc could not convert the project'];
  // TypeDoc's notExported check ("X is referenced by Y but not included in the documentation") looks
  // only at types declared in the project's own package, here the private root one, so a type of
  // @secretref/core that a public signature uses but no entry point exports would pass unseen: run
  // it once for each published package.
  const own = project.packageName;
  for (const name of publishedPackages()) {
    project.packageName = name;
    app.validate(project);
  }
  project.packageName = own;
  if (problems.length > 0) return problems;
  await app.generateOutputs(project);
  return problems;
}

/**
 * The package's version, taken from its package.json when the package is built (the JSON is inlined
 * into each dist file), so that dist/index.mjs, dist/index.cjs and dist/cli.mjs agree and read no file.
 */
import manifest from '../package.json' with { type: 'json' };

export const VERSION: string = manifest.version;

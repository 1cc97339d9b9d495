import { readFile } from 'node:fs/promises';
import { AccessDeniedError, ProviderError, SecretNotFoundError } from '../errors.ts';
import type { FetchResult, Locator, Provider } from '../provider.ts';

function readError(error: unknown, path: string, ref: string): FetchResult {
  const code = (error as NodeJS.ErrnoException).code;
  const options = { ref, scheme: 'file', cause: error };
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return { error: new SecretNotFoundError(`file ${path} does not exist (reference "${ref}")`, options) };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      error: new AccessDeniedError(`file ${path} is not readable by this process (reference "${ref}")`, options),
    };
  }
  return {
    error: new ProviderError(`reading file ${path} failed (${code ?? 'unknown error'}; reference "${ref}")`, options),
  };
}

/**
 * `file:path`: the contents of a file, as Docker and Kubernetes mount secrets
 * (`file:/run/secrets/db_password`). Relative paths are relative to the working directory;
 * `file:///abs/path` URLs work too. Contents are returned exactly, trailing newline included.
 */
export function fileProvider(): Provider {
  return {
    schemes: ['file'],
    batchSize: 100,
    parse({ body }): Locator {
      // file:///run/secrets/x is the URL form of /run/secrets/x.
      return { key: body.startsWith('///') ? body.slice(2) : body };
    },
    fetch(requests) {
      return Promise.all(
        requests.map(({ locator, ref }) =>
          readFile(locator.key).then(
            (bytes): FetchResult => ({ value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }),
            (error: unknown) => readError(error, locator.key, ref),
          ),
        ),
      );
    },
  };
}

import { InvalidReferenceError, SecretNotFoundError } from '../errors.ts';
import type { Locator, Provider } from '../provider.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * `env:NAME`: a variable of the process environment, for local development and for values a
 * platform injects. Missing variables are `SecretNotFoundError` (or `undefined` with `optional`).
 */
export function envProvider(): Provider {
  return {
    schemes: ['env'],
    batchSize: 1000,
    parse({ body, ref }): Locator {
      if (!NAME.test(body)) {
        throw new InvalidReferenceError(`"${body}" is not an environment variable name in "${ref}"`, {
          ref,
          scheme: 'env',
        });
      }
      return { key: body };
    },
    async fetch(requests) {
      return requests.map(({ locator, ref }) => {
        const value = process.env[locator.key];
        return value === undefined
          ? {
              error: new SecretNotFoundError(`environment variable ${locator.key} is not set (reference "${ref}")`, {
                ref,
                scheme: 'env',
              }),
            }
          : { value };
      });
    },
  };
}

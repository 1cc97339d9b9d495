/**
 * The AppConfig reference body: `<application>/<environment>/<profile>`, each a name or an id, a `/`
 * (or any character a reference cannot hold) inside a name written percent-encoded (`my%2Fapp`).
 */
import { InvalidReferenceError, type Locator, type ParseInput } from '@secretref/core';

/** How the AppConfig provider locates one configuration profile's deployed configuration. */
export interface AppConfigLocator extends Locator {
  /** The application's name or id, decoded. */
  readonly application: string;
  /** The environment's name or id, decoded. */
  readonly environment: string;
  /** The configuration profile's name or id, decoded. */
  readonly profile: string;
}

/** AppConfigData's identifiers are 1 to 128 characters (its API reference). */
const MAX_IDENTIFIER = 128;
// Control characters, bidirectional and zero-width marks and lone surrogates are never part of a name
// (they would show one name as another in a message or log): refused after decoding too.
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const PARTS = ['application', 'environment', 'configuration profile'] as const;

function invalid(input: ParseInput, message: string): InvalidReferenceError {
  return new InvalidReferenceError(`${message} in "${input.ref}"`, { ref: input.ref, scheme: input.scheme });
}

function decode(input: ParseInput, text: string, part: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    throw invalid(input, `the ${part} is not validly percent-encoded`);
  }
  if (decoded === '') throw invalid(input, `the ${part} is empty`);
  if (decoded.length > MAX_IDENTIFIER) throw invalid(input, `the ${part} is longer than ${MAX_IDENTIFIER} characters`);
  if (UNPRINTABLE.test(decoded)) throw invalid(input, `the ${part} holds a control or invisible character`);
  // A URL path would read them as steps up (the agent's route): no name of AppConfig's is one.
  if (decoded === '.' || decoded === '..') throw invalid(input, `the ${part} cannot be "${decoded}"`);
  return decoded;
}

/**
 * Parses `application/environment/profile` (names or ids). The key is each part percent-encoded as
 * `encodeURIComponent` does, so that every spelling of one profile has one key.
 */
export function parseAppConfigBody(input: ParseInput): AppConfigLocator {
  const parts = input.body.split('/');
  if (parts.length !== 3) {
    throw invalid(
      input,
      'an AppConfig reference is appconfig:<application>/<environment>/<profile> (names or ids; write a "/" inside a name as %2F)',
    );
  }
  const [application, environment, profile] = parts.map((part, i) => decode(input, part, PARTS[i] as string)) as [
    string,
    string,
    string,
  ];
  return {
    key: [application, environment, profile].map((part) => encodeURIComponent(part)).join('/'),
    application,
    environment,
    profile,
    batch: false,
  };
}

/**
 * SSM's answers and the requests they answer: the name sent for a request, the calls requests are
 * split into so that answers match without ambiguity, and the checks an answer passes before it is a
 * value (a string Value, a SecureString for `ssm-secure:`).
 */
import type { Parameter } from '@aws-sdk/client-ssm';
import { type FetchRequest, type FetchResult, failure, InvalidValueError, malformedAnswer } from '@secretref/core';
import type { SsmLocator } from './parse.ts';

type Request = FetchRequest<SsmLocator>;

/** The parameter types SSM documents: only these are quoted. */
const TYPES = new Set(['String', 'StringList', 'SecureString']);

/** The name sent to SSM for a request: the name or ARN with its selector. */
export function wireName(locator: SsmLocator): string {
  return locator.selector === undefined ? locator.name : `${locator.name}:${locator.selector}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An answer without the shape the API documents (`{}`, `null`, a `Value` that is no string or empty,
 * a parameter outside the path asked for): a transient failure, so that a last good value is served
 * through it rather than dropped or replaced.
 */
export function malformed(request: Request, operation: string, missing: string): FetchResult {
  return malformedAnswer(request, operation, `an answer without ${missing}`);
}

function checkType(request: Request, parameter: Parameter, operation: string): FetchResult | undefined {
  if (request.scheme !== 'ssm-secure' || parameter.Type === 'SecureString') return undefined;
  if (typeof parameter.Type !== 'string') return malformed(request, operation, 'a parameter type');
  // The type is what the answer held: only SSM's own types are quoted.
  const shown = TYPES.has(parameter.Type)
    ? `a ${parameter.Type} parameter`
    : 'a parameter of an unknown parameter type';
  return failure(
    request,
    InvalidValueError,
    `"${request.ref}" is ${shown}, but ssm-secure requires a SecureString; use ssm: for plain parameters`,
  );
}

export function toResult(request: Request, parameter: Parameter, operation: string): FetchResult {
  // SSM refuses empty values (at least 1 character): an empty one is no answer of SSM's.
  if (typeof parameter.Value !== 'string' || !parameter.Value) return malformed(request, operation, 'a string Value');
  const wrongType = checkType(request, parameter, operation);
  if (wrongType) return wrongType;
  return { value: parameter.Value };
}

/** The parameter a request names, however it is spelled (`/a/b`, `a/b`, `arn:...:parameter/a/b`). */
function parameterOf(locator: SsmLocator): string {
  const name = locator.arn
    ? locator.name.slice(locator.name.indexOf(':parameter/') + ':parameter/'.length)
    : locator.name;
  return name.startsWith('/') ? name.slice(1) : name;
}

function isLabel(locator: SsmLocator): boolean {
  return locator.selector !== undefined && locator.version === undefined;
}

/**
 * Finds the returned parameter that answers a request. SSM may return results in any order and
 * does not always echo the selector, so: a version matches by `Version`, the latest is the highest
 * version returned for the name, and a label is the only request of its name in its call (see
 * `rounds`), matched by `Selector` where SSM gives one.
 */
export function answer(locator: SsmLocator, parameters: readonly Parameter[]): Parameter | undefined {
  const candidates = parameters.filter((p) => (locator.arn ? p.ARN : p.Name) === locator.name);
  if (locator.version !== undefined) return candidates.find((p) => p.Version === locator.version);
  if (isLabel(locator)) {
    return candidates.find((p) => p.Selector === `:${locator.selector}`) ?? candidates.find((p) => !p.Selector);
  }
  return candidates.reduce<Parameter | undefined>(
    (latest, p) => (latest === undefined || (p.Version ?? 0) > (latest.Version ?? 0) ? p : latest),
    undefined,
  );
}

/**
 * Splits requests into calls so that results can be matched without ambiguity: a label request
 * shares its call with no other request for the same name. Versions and the latest of one name
 * share a call.
 */
export function rounds(requests: readonly Request[]): Request[][] {
  const result: Request[][] = [];
  // An ARN and a name can spell one parameter; results for an ARN are matched by ARN, for a name by
  // name, so the two spellings of one parameter never share a call either.
  const conflict = (a: Request, b: Request): boolean =>
    parameterOf(a.locator) === parameterOf(b.locator) &&
    (isLabel(a.locator) || isLabel(b.locator) || a.locator.arn !== b.locator.arn);
  for (const request of requests) {
    const round = result.find((r) => r.every((other) => !conflict(other, request)));
    if (round) round.push(request);
    else result.push([request]);
  }
  return result;
}

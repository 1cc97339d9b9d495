/**
 * The SSM reference body: `name`, `name:version`, `name:label`, a parameter ARN with an optional
 * selector, or a path ending in `/`.
 */
import { parseArn } from '@secretref/aws';
import { InvalidReferenceError, type Locator, type ParseInput } from '@secretref/core';

/** How the SSM provider locates one parameter (or a path). */
export interface SsmLocator extends Locator {
  /** What is sent to SSM: a name (`/app/db`) or a parameter ARN, without selector. */
  readonly name: string;
  /** `3` (a version) or `prod` (a label), as sent after the name. */
  readonly selector: string | undefined;
  /** The version, when the selector is a number. */
  readonly version: number | undefined;
  /** True for `ssm:/path/`: all parameters under the path (GetParametersByPath). */
  readonly path: boolean;
  /** True when `name` is an ARN. */
  readonly arn: boolean;
}

const NAME = /^[a-zA-Z0-9_.\-/]+$/;
const VERSION = /^[1-9]\d{0,17}$/;
const LABEL = /^[a-zA-Z_.-][a-zA-Z0-9_.-]{0,99}$/;
// After the account: `parameter/<name>` (the name without its leading `/`), then `:version|:label`.
const PARAMETER = /^parameter(\/[^:]+)(?::([^:]*))?$/;
const MAX_NAME = 2048;

function invalid(input: ParseInput, message: string): InvalidReferenceError {
  return new InvalidReferenceError(`${message} in "${input.ref}"`, { ref: input.ref, scheme: input.scheme });
}

function parseSelector(input: ParseInput, selector: string | undefined): { selector?: string; version?: number } {
  if (selector === undefined) return {};
  if (selector === '') throw invalid(input, 'the version or label after ":" is empty');
  if (VERSION.test(selector)) return { selector, version: Number(selector) };
  if (/^\d/.test(selector) || !LABEL.test(selector)) {
    throw invalid(
      input,
      `"${selector}" is neither a version number nor a label (labels start with a letter, . - or _)`,
    );
  }
  return { selector };
}

function parseParameterArn(input: ParseInput): SsmLocator {
  const arn = parseArn(input.body, 'ssm');
  const match = arn && arn.region !== '' && arn.account !== '' ? PARAMETER.exec(arn.resource) : null;
  if (!arn || !match) {
    throw invalid(input, 'an SSM ARN must look like arn:aws:ssm:<region>:<account>:parameter/<name>[:version|:label]');
  }
  const { prefix, region } = arn;
  const [, resource = '', rawSelector] = match;
  if (!NAME.test(resource) || resource.endsWith('/') || resource.includes('//')) {
    throw invalid(input, `"${resource}" is not a parameter name`);
  }
  const { selector, version } = parseSelector(input, rawSelector);
  const name = `${prefix}parameter${resource}`;
  return {
    key: selector === undefined ? name : `${name}:${selector}`,
    region,
    name,
    selector,
    version,
    path: false,
    arn: true,
  };
}

/** Parses an SSM reference body; throws `InvalidReferenceError`. */
export function parseSsmBody(input: ParseInput): SsmLocator {
  const { body } = input;
  if (body.length > MAX_NAME) throw invalid(input, `the name is longer than ${MAX_NAME} characters`);
  if (body.startsWith('arn:')) return parseParameterArn(input);
  const colon = body.indexOf(':');
  const name = colon === -1 ? body : body.slice(0, colon);
  const rawSelector = colon === -1 ? undefined : body.slice(colon + 1);
  if (rawSelector?.includes(':'))
    throw invalid(input, 'a parameter reference takes at most one ":version" or ":label"');
  if (name === '' || !NAME.test(name)) {
    throw invalid(input, `"${name}" is not a parameter name (letters, digits and _ . - /)`);
  }
  if (name.includes('//')) throw invalid(input, `"${name}" has an empty path segment`);
  if (name.includes('/') && !name.startsWith('/')) {
    throw invalid(input, `the hierarchical name "${name}" must start with "/"`);
  }
  if (name.endsWith('/')) {
    if (!name.startsWith('/')) throw invalid(input, `the path "${name}" must start with "/"`);
    if (rawSelector !== undefined) throw invalid(input, 'a path reference cannot take a version or label');
    return { key: name, name, selector: undefined, version: undefined, path: true, arn: false, batch: false };
  }
  const { selector, version } = parseSelector(input, rawSelector);
  return {
    key: selector === undefined ? name : `${name}:${selector}`,
    name,
    selector,
    version,
    path: false,
    arn: false,
  };
}

/**
 * Secrets Manager's answers and the requests they answer: the value of an answer (a non-empty
 * SecretString or SecretBinary), the batch entry for a secret id, and a secret id in a replica region.
 */
import type { SecretValueEntry } from '@aws-sdk/client-secrets-manager';
import { arnInRegion, parseArn } from '@secretref/aws';
import { type FetchRequest, type FetchResult, malformedAnswer } from '@secretref/core';
import type { SecretsManagerLocator } from './parse.ts';

type Request = FetchRequest<SecretsManagerLocator>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value of a GetSecretValue answer or a batch entry. One without a string SecretString or
 * SecretBinary bytes is not the shape the API documents (`{}`, an object where the string belongs),
 * nor is an empty one (both are at least 1 long): transient.
 */
export function secretValue(request: Request, secret: unknown, operation: string): FetchResult {
  if (isObject(secret)) {
    if (typeof secret.SecretString === 'string' && secret.SecretString) return { value: secret.SecretString };
    if (secret.SecretBinary instanceof Uint8Array && secret.SecretBinary.length) return { value: secret.SecretBinary };
  }
  return malformedAnswer(request, operation, 'an answer without a non-empty SecretString or SecretBinary');
}

/**
 * The batch entry that answers this id: the entry whose name or ARN is the id itself, else (for a
 * partial ARN, without the 6-character suffix) the one whose ARN is the id plus a suffix. Exact
 * matches come first, so a secret named `p/x-ufzLNY` never answers for one named `p/x`.
 */
export function entryFor(secretId: string, entries: readonly SecretValueEntry[]): SecretValueEntry | undefined {
  if (!secretId.startsWith('arn:')) return entries.find((e) => e.Name === secretId);
  return (
    entries.find((e) => e.ARN === secretId) ??
    entries.find(
      (e) => typeof e.ARN === 'string' && e.ARN.startsWith(`${secretId}-`) && e.ARN.length === secretId.length + 7,
    )
  );
}

/** The secret id to send to a replica region: an ARN names its region, a name does not. */
export function inRegion(secretId: string, region: string): string {
  const arn = parseArn(secretId);
  return arn ? arnInRegion(arn, region) : secretId;
}

export function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}

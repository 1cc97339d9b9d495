/**
 * The Secrets Manager reference body: a secret name or ARN (full or partial), optionally followed by
 * the fields ECS, Batch and CodeBuild use (`:json-key:version-stage:version-id`, empty fields kept),
 * or, in CloudFormation's form, `:SecretString:json-key:version-stage:version-id`.
 */
import { isAwsRegion, parseArn } from '@secretref/aws';
import { InvalidReferenceError, type Locator, type ParseInput } from '@secretref/core';

/** How the Secrets Manager provider locates one secret version. */
export interface SecretsManagerLocator extends Locator {
  /** The `SecretId` sent: a name, a full ARN or a partial ARN (without the 6-character suffix). */
  readonly secretId: string;
  readonly versionStage: string | undefined;
  readonly versionId: string | undefined;
  /** Regions to read a replica from when the primary region fails transiently. */
  readonly fallbackRegions: readonly string[];
}

/** The scheme-specific query parameters. */
export const SECRETS_MANAGER_PARAMS: readonly string[] = ['versionStage', 'versionId', 'fallbackRegions'];

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
// After the account: `secret:<name>` (a full ARN's name ends in `-` and six characters).
const SECRET = /^secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
// AWS documents only lengths for these; a colon cannot appear in the colon form.
const STAGE = /^[^:]{1,256}$/;
const VERSION_ID = /^[^:]{32,64}$/;

function invalid(input: ParseInput, message: string): InvalidReferenceError {
  return new InvalidReferenceError(`${message} in "${input.ref}"`, { ref: input.ref, scheme: input.scheme });
}

/** A top-level JSON key as the core's fragment: a key that starts with `/` becomes a pointer to itself. */
function keyFragment(key: string): string {
  return key.startsWith('/') ? `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}` : key;
}

/** Splits the secret id (seven colon-separated parts for an ARN) from the fields after it. */
function splitId(input: ParseInput): { secretId: string; region: string | undefined; fields: string[] } {
  const parts = input.body.split(':');
  if (!input.body.startsWith('arn:')) {
    const [secretId = '', ...fields] = parts;
    if (!NAME.test(secretId)) {
      throw invalid(input, `"${secretId}" is not a secret name (letters, digits and / _ + = . @ -)`);
    }
    return { secretId, region: undefined, fields };
  }
  const secretId = parts.slice(0, 7).join(':');
  const arn = parseArn(secretId, 'secretsmanager');
  if (!arn || arn.region === '' || arn.account === '' || !SECRET.test(arn.resource)) {
    throw invalid(input, 'a secret ARN must look like arn:aws:secretsmanager:<region>:<account>:secret:<name>');
  }
  if (!isAwsRegion(arn.region)) throw invalid(input, `"${arn.region}" is not an AWS region`);
  return { secretId, region: arn.region, fields: parts.slice(7) };
}

/**
 * `secretsmanager:id:SecretString:key`, CloudFormation's body without `{{resolve:}}`, would read a
 * JSON key named "SecretString": refused, with both ways to write what was meant. Such a key is read
 * with `#SecretString`.
 */
function cloudformationWithoutResolve(
  input: ParseInput,
  secretId: string,
  fields: readonly string[],
): InvalidReferenceError {
  const [, key = '', stage = '', id = ''] = fields;
  const version = stage
    ? `?versionStage=${encodeURIComponent(stage)}`
    : id
      ? `?versionId=${encodeURIComponent(id)}`
      : '';
  const uri = `secretsmanager:${secretId}${version}${key ? `#${keyFragment(key)}` : ''}`;
  return invalid(
    input,
    `"SecretString" after the secret id is CloudFormation's :SecretString: form, written {{resolve:secretsmanager:${secretId}:${fields.join(':')}}} (or ${uri}); a JSON key named SecretString is read with #SecretString`,
  );
}

/** Parses a Secrets Manager reference body; throws `InvalidReferenceError`. */
export function parseSecretsManagerBody(input: ParseInput): SecretsManagerLocator {
  const { secretId, region, fields } = splitId(input);
  if (input.form !== 'cloudformation' && fields[0] === 'SecretString') {
    throw cloudformationWithoutResolve(input, secretId, fields);
  }
  if (input.form === 'cloudformation' && fields.length > 0 && fields.shift() !== 'SecretString') {
    throw invalid(
      input,
      'CloudFormation names SecretString after the secret id ({{resolve:secretsmanager:id:SecretString:key}})',
    );
  }
  if (fields.length > 3) throw invalid(input, 'after the secret id come at most :json-key:version-stage:version-id');
  const [jsonKey = '', stageField = '', idField = ''] = fields;
  const params: Record<string, string> = { ...input.params };
  for (const [name, field] of [
    ['versionStage', stageField],
    ['versionId', idField],
  ] as const) {
    if (field === '') continue;
    if (params[name] !== undefined && params[name] !== field) {
      throw invalid(input, `the body and ?${name}= name different versions`);
    }
    params[name] = field;
  }
  // AWSCURRENT is what Secrets Manager reads without a stage: one cache entry for both spellings.
  if (params.versionStage === 'AWSCURRENT') delete params.versionStage;
  const { versionStage, versionId } = params;
  if (versionStage !== undefined && versionId !== undefined) {
    throw invalid(input, 'name a version stage or a version id, not both');
  }
  if (versionStage !== undefined && !STAGE.test(versionStage)) {
    throw invalid(input, `"${versionStage}" is not a version stage (1 to 256 characters)`);
  }
  if (versionId !== undefined && !VERSION_ID.test(versionId)) {
    throw invalid(input, `"${versionId}" is not a version id (32 to 64 characters)`);
  }
  const fallbackRegions = params.fallbackRegions?.split(',') ?? [];
  const badRegion = fallbackRegions.find((r) => !isAwsRegion(r));
  if (badRegion !== undefined) throw invalid(input, `fallback region "${badRegion}" is not an AWS region`);
  if (new Set(fallbackRegions).size < fallbackRegions.length) throw invalid(input, 'a fallback region is named twice');
  if (region !== undefined && fallbackRegions.includes(region)) {
    throw invalid(input, `fallback region "${region}" is the secret's own region`);
  }
  return {
    key: secretId,
    secretId,
    region,
    fragment: jsonKey === '' ? undefined : keyFragment(jsonKey),
    params,
    versionStage,
    versionId,
    fallbackRegions,
    // BatchGetSecretValue reads only the current version.
    batch: versionStage === undefined && versionId === undefined,
  };
}

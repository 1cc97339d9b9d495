/**
 * ARNs and regions, one parser for every AWS provider: `arn:<partition>:<service>:<region>:<account>:
 * <resource>`, in every partition (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-eusc).
 */

/** The parts of an ARN. */
export interface Arn {
  /** `aws`, `aws-cn`, `aws-us-gov`... */
  readonly partition: string;
  /** `ssm`, `secretsmanager`, `kms`... */
  readonly service: string;
  /** Empty for global resources. Not checked here: the core checks a locator's region with `isRegion`. */
  readonly region: string;
  /** Twelve digits, or empty. */
  readonly account: string;
  /** Everything after the account: `parameter/app/db:3`, `secret:prod/db-AbCdEf:password::`, `key/1234...`. */
  readonly resource: string;
  /** `arn:<partition>:<service>:<region>:<account>:`, the part before the resource. */
  readonly prefix: string;
}

/** The ARN of `arn` in another region (a replica's). */
export function arnInRegion(arn: Arn, region: string): string {
  return `arn:${arn.partition}:${arn.service}:${region}:${arn.account}:${arn.resource}`;
}

const ARN = /^(arn:(aws(?:-[a-z]+){0,3}):([a-z0-9-]{1,32}):([a-z0-9-]{0,32}):(\d{12}|):)(.+)$/;

// The partition of a region, from the region patterns of AWS's partitions (endpoints' partitions.json),
// the specific ones first: a region of one partition in the ARN of another names nothing.
const PARTITIONS: readonly (readonly [RegExp, string])[] = [
  [/^cn-/, 'aws-cn'],
  [/^us-gov-/, 'aws-us-gov'],
  [/^us-iso-/, 'aws-iso'],
  [/^us-isob-/, 'aws-iso-b'],
  [/^eu-isoe-/, 'aws-iso-e'],
  [/^us-isof-/, 'aws-iso-f'],
  [/^eusc-/, 'aws-eusc'],
  [/^(?:us|eu|ap|sa|ca|me|af|il|mx)-/, 'aws'],
];

/** The partition a region belongs to (`aws-cn` for `cn-north-1`), if it is one AWS documents. */
function partitionOf(region: string): string | undefined {
  return PARTITIONS.find(([pattern]) => pattern.test(region))?.[1];
}

/**
 * Parses an ARN; `undefined` if `text` is none (of `service`, when given), or if its region belongs to
 * another partition (`arn:aws-cn:ssm:us-east-1:...`).
 */
export function parseArn(text: string, service?: string): Arn | undefined {
  const match = ARN.exec(text);
  if (!match) return undefined;
  const [, prefix = '', partition = '', found = '', region = '', account = '', resource = ''] = match;
  if (service !== undefined && found !== service) return undefined;
  const expected = region === '' ? undefined : partitionOf(region);
  if (expected !== undefined && expected !== partition) return undefined;
  return { partition, service: found, region, account, resource, prefix };
}

// Two to four letters first: us-east-1, and eusc-de-east-1 (the European Sovereign Cloud).
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

/** True for an AWS region name (`us-east-1`, `eu-west-1`, `eusc-de-east-1`). What AWS providers declare as `isRegion`. */
export function isAwsRegion(text: string): boolean {
  return REGION.test(text);
}

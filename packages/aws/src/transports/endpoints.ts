/**
 * The endpoint the AWS SDK v3 clients of SSM, Secrets Manager, KMS and AppConfigData resolve, without loading the SDK: for
 * the fetch transport. It mirrors @aws-sdk/client-* 3.1164.0 (their rule sets, `dist-es/endpoint/bdd.js`),
 * the partitions of @aws-sdk/core 3.981.2 and the region and endpoint-URL handling of @smithy/core 3.41.1;
 * `test/endpoints.test.ts` compares it with the clients themselves. Only the environment is read: the SDK
 * also reads `endpoint_url`, `use_fips_endpoint` and `use_dualstack_endpoint` from ~/.aws/config, this does not.
 */

/** The service an endpoint is for. */
export interface EndpointService {
  /** The endpoint prefix: `ssm`, `secretsmanager`, `kms`. */
  readonly endpointPrefix: string;
  /** The service id as the SDK's env variables spell it: `SSM`, `SECRETS_MANAGER`, `KMS` (AWS_ENDPOINT_URL_<envName>). */
  readonly envName: string;
  /**
   * The exceptions of the service's endpoint rule set to the partitions' patterns, if any: where FIPS
   * keeps the plain host name (SSM in aws-us-gov without dual-stack), where dual-stack keeps the plain
   * DNS suffix (Secrets Manager in aws, aws-us-gov, and aws-cn without FIPS).
   */
  readonly endpointRules?:
    | {
        readonly plainFips?: ((partition: string, dualStack: boolean) => boolean) | undefined;
        readonly plainDualStack?: ((partition: string, fips: boolean) => boolean) | undefined;
      }
    | undefined;
}

// [partition, its regions (with its `<partition>-global` pseudo-region), DNS suffix, dual-stack DNS suffix], in
// the SDK's order; a region none matches is in `aws`. Every partition supports FIPS and dual-stack, so the rule
// sets' "this partition does not support FIPS/DualStack" errors cannot happen.
const PARTITIONS = [
  ['aws', /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+|aws-global)$/, 'amazonaws.com', 'api.aws'],
  ['aws-cn', /^(?:cn-\w+-\d+|aws-cn-global)$/, 'amazonaws.com.cn', 'api.amazonwebservices.com.cn'],
  ['aws-eusc', /^eusc-de-\w+-\d+$/, 'amazonaws.eu', 'api.amazonwebservices.eu'],
  ['aws-iso', /^(?:us-iso-\w+-\d+|aws-iso-global)$/, 'c2s.ic.gov', 'api.aws.ic.gov'],
  ['aws-iso-b', /^(?:us-isob-\w+-\d+|aws-iso-b-global)$/, 'sc2s.sgov.gov', 'api.aws.scloud'],
  ['aws-iso-e', /^(?:eu-isoe-\w+-\d+|aws-iso-e-global)$/, 'cloud.adc-e.uk', 'api.cloud-aws.adc-e.uk'],
  ['aws-iso-f', /^(?:us-isof-\w+-\d+|aws-iso-f-global)$/, 'csp.hci.ic.gov', 'api.aws.hci.ic.gov'],
  ['aws-us-gov', /^(?:us-gov-\w+-\d+|aws-us-gov-global)$/, 'amazonaws.com', 'api.aws'],
] as const;

// The SDK's check of a region (@smithy/core `isValidHostLabel`): it is put into a host name.
const HOST_LABEL = /^(?!.*-$)(?!-)[a-zA-Z0-9-]{1,63}$/;

/**
 * The endpoint URL (string, like `https://ssm.eu-west-1.amazonaws.com`) for `service` in `region`, from the
 * environment as the SDK reads it: `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` (only `true` counts:
 * the SDK ignores a value other than `true` or `false`), `AWS_ENDPOINT_URL_<envName>` over `AWS_ENDPOINT_URL`
 * unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. A pseudo-region (`us-east-1-fips`, `fips-us-east-1`) means
 * FIPS in its region. A path ends with `/` (the SDK posts there); a bare `/` is left out.
 *
 * @param env The environment. @default process.env
 * @throws Error for no region, a region that is no host name label, or a configured endpoint URL with FIPS or
 *   dual-stack (the SDK refuses these too); the TypeError of `new URL` (code `ERR_INVALID_URL`, `input`) for a
 *   configured endpoint URL that is none.
 */
export function awsEndpoint(
  service: EndpointService,
  region: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const { endpointPrefix: prefix, envName } = service;
  const tag = `[secretref] [${prefix}]`;
  if (!region) throw new Error(`${tag} no AWS region to resolve the endpoint for: give one, like us-east-1`);
  const pseudoFips = region.startsWith('fips-') || region.endsWith('-fips');
  const real = !pseudoFips
    ? region
    : region === 'aws-fips' || region === 'fips-aws-global'
      ? 'us-east-1'
      : region.replace(/fips-(dkr-|prod-)?|-fips/, '');
  // The SDK lets `*` through (it warns: SigV4a's region), and so does this.
  if (real !== '*' && !HOST_LABEL.test(real)) {
    throw new Error(`${tag} the region "${real}" is not a valid host name label: give a region like us-east-1`);
  }
  const fips = pseudoFips || env.AWS_USE_FIPS_ENDPOINT === 'true';
  const dualStack = env.AWS_USE_DUALSTACK_ENDPOINT === 'true';
  const configured =
    env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
      ? undefined
      : env[`AWS_ENDPOINT_URL_${envName}`] || env.AWS_ENDPOINT_URL;
  if (configured) {
    // Parsed twice as the SDK does: the path is kept; credentials, query and fragment are not.
    const { protocol, hostname, port, pathname } = new URL(configured);
    const url = new URL(`${protocol}//${hostname}${port ? `:${port}` : ''}${pathname}`);
    if (fips || dualStack) {
      const what = fips ? 'FIPS (AWS_USE_FIPS_ENDPOINT or a fips region)' : 'dual-stack (AWS_USE_DUALSTACK_ENDPOINT)';
      throw new Error(
        `${tag} a configured endpoint URL (AWS_ENDPOINT_URL_${envName} or AWS_ENDPOINT_URL) cannot be combined with ${what}, as in the AWS SDK: unset one of them`,
      );
    }
    return text(url);
  }
  const [name, , dnsSuffix, dualStackDnsSuffix] = PARTITIONS.find(([, pattern]) => pattern.test(real)) ?? PARTITIONS[0];
  // The service's own exceptions, from its rule set.
  const plainFips = service.endpointRules?.plainFips?.(name, dualStack) === true;
  const plainDual = service.endpointRules?.plainDualStack?.(name, fips) === true;
  const suffix = dualStack && !plainDual ? dualStackDnsSuffix : dnsSuffix;
  return text(new URL(`https://${prefix}${fips && !plainFips ? '-fips' : ''}.${real}.${suffix}`));
}

// The SDK's JSON protocols post to the endpoint's path with a trailing slash.
function text({ protocol, host, pathname }: URL): string {
  const path = pathname.endsWith('/') ? pathname : `${pathname}/`;
  return `${protocol}//${host}${path === '/' ? '' : path}`;
}

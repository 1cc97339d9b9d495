/**
 * What the AWS AppConfig Agent serves (the Lambda extension, and the agent for ECS, EKS and EC2): one
 * profile's latest configuration a GET, `/applications/A/environments/E/configurations/P`, on
 * localhost:2772 (or AWS_APPCONFIG_EXTENSION_HTTP_PORT), with no token. It answers with the
 * configuration itself; its own polls of AWS follow its poll interval. A forced fetch goes direct:
 * the agent has no way to skip its cache.
 */
import type { AgentRoute } from '@secretref/aws';

/** The provider's own operation: a profile's latest configuration (sessions.ts sends it to AWS directly). */
export const GET_CONFIGURATION = 'GetConfiguration';

const segment = (value: unknown): string => encodeURIComponent(String(value));

export const APPCONFIG_AGENT: AgentRoute = {
  path: (input) =>
    `/applications/${segment(input.ApplicationIdentifier)}/environments/${segment(input.EnvironmentIdentifier)}/configurations/${segment(input.ConfigurationProfileIdentifier)}`,
  port: { variable: 'AWS_APPCONFIG_EXTENSION_HTTP_PORT', fallback: 2772 },
  token: false,
  single: GET_CONFIGURATION,
  query: (_input, forced) => (forced ? undefined : new URLSearchParams()),
  read: (body, headers) => ({
    Configuration: body,
    ContentType: headers.get('content-type') ?? undefined,
    VersionLabel: headers.get('version-label') ?? headers.get('configuration-version') ?? undefined,
  }),
  // The agent relays AppConfig's status with a text of its own: a 404 is a missing profile. Any other failure
  // (a 400 or 403 may be the agent's own credentials) goes direct, for AWS's own answer.
  statuses: { 404: 'ResourceNotFoundException' },
  // One profile a call: there is no batch operation to split.
  items: (input) => [input],
  batchInput: (items) => items[0] ?? {},
  assemble: () => ({}),
};

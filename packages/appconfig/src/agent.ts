/**
 * What the AWS AppConfig Agent serves (the Lambda extension, and the agent for ECS, EKS and EC2): one
 * profile's latest configuration a GET, `/applications/A/environments/E/configurations/P`, on
 * localhost:2772 (or AWS_APPCONFIG_EXTENSION_HTTP_PORT), with no token. It answers with the
 * configuration itself; its own polls of AWS follow its poll interval. A forced fetch goes direct:
 * the agent has no way to skip its cache.
 */
import type { AgentRoute } from '@secretref/aws';
import { readable } from './content.ts';

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
  // An empty or damaged configuration (JSON that does not parse) is no answer: the call goes direct.
  read(body, headers) {
    const type = headers.get('content-type') ?? undefined;
    if (body.byteLength === 0 || !readable(body, type)) return undefined;
    return {
      Configuration: body,
      ContentType: type,
      // The label, as the data plane names it; the agent's version number is not one (a direct read has none).
      VersionLabel: headers.get('version-label') ?? undefined,
    };
  },
  // The agent relays AppConfig's status with a text of its own. A 404 (a missing profile, or another
  // server on the port) goes direct, for AWS's answer that names what is missing, and is not counted
  // as the agent's failure; any other failure goes direct too, and counts.
  relays: [404],
};

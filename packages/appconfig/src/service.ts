/**
 * AppConfigData as the transports see it: its endpoints (`appconfigdata.<region>.amazonaws.com`,
 * signed as `appconfig`), its two REST operations as the SDK's restJson1 serializer sends them, and
 * what the AppConfig Agent serves of it.
 */
import type { AwsService, RestOperation } from '@secretref/aws';
import { APPCONFIG_AGENT } from './agent.ts';

/** A header's number (`Next-Poll-Interval-In-Seconds`), as the SDK reads it; absent or not a number: none. */
function headerNumber(headers: Headers, name: string): number | undefined {
  const text = headers.get(name);
  const value = text === null || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const START_SESSION: RestOperation = {
  method: 'POST',
  path: () => '/configurationsessions',
  body: (input) => input,
  output(body) {
    // The one JSON answer: `{"InitialConfigurationToken": "..."}`; anything else has no token.
    try {
      const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  },
};

const GET_LATEST: RestOperation = {
  method: 'GET',
  path: (input) => `/configuration?configuration_token=${encodeURIComponent(String(input.ConfigurationToken))}`,
  output: (body, headers) => ({
    Configuration: body,
    ContentType: headers.get('content-type') ?? undefined,
    NextPollConfigurationToken: headers.get('next-poll-configuration-token') ?? undefined,
    NextPollIntervalInSeconds: headerNumber(headers, 'next-poll-interval-in-seconds'),
    VersionLabel: headers.get('version-label') ?? undefined,
  }),
};

export const APPCONFIG_SERVICE: AwsService = {
  name: 'appconfig',
  endpointPrefix: 'appconfigdata',
  envName: 'APPCONFIGDATA',
  target: '',
  // AppConfigData's rule set: in GovCloud, FIPS is the plain host name (unless dual-stack).
  endpointRules: { plainFips: (partition, dualStack) => partition === 'aws-us-gov' && !dualStack },
  rest: { StartConfigurationSession: START_SESSION, GetLatestConfiguration: GET_LATEST },
  // What does not exist, as ResourceNotFoundException says it (its API reference's enum): named in the message.
  errorFields: { ResourceType: ['Application', 'Environment', 'ConfigurationProfile', 'Deployment', 'Configuration'] },
  agent: APPCONFIG_AGENT,
};

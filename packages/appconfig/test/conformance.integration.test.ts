/**
 * The conformance suite on each transport, against the AppConfigData emulator (moto has no data
 * plane): each value a freeform profile of its own, as text; an update is a new deployment.
 */
import { randomUUID } from 'node:crypto';
import { appconfigProvider } from '@secretref/appconfig';
import { describeProvider } from '@secretref/conformance';
import { type LocalAppConfigAgent, localAwsConfig, startAppConfigAgent } from '@secretref/local-aws';
import { afterAll, beforeAll, describe, inject, vi } from 'vitest';

// The run's emulator (the global setup starts it, as it starts moto), seeded over its control routes.
const endpoint = inject('appconfigEndpoint');
let agent: LocalAppConfigAgent | undefined;
const application = `conformance-${randomUUID().slice(0, 8)}`;

async function control(method: string, path: string, body: object): Promise<void> {
  const response = await fetch(`${endpoint}/_emulator/${path}`, { method, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`the emulator refused ${method} ${path}: ${response.status}`);
}
const app = encodeURIComponent(application);
const deploy = (environment: string, profile: string, content: string) =>
  control('POST', `applications/${app}/environments/${environment}/profiles/${profile}/deployments`, {
    content,
    contentType: 'text/plain',
  });

beforeAll(() => control('POST', 'applications', { name: application }));

const config = () => localAwsConfig(endpoint);
const TRANSPORTS = {
  sdk: () => appconfigProvider({ transport: 'sdk', clientConfig: { ...config(), maxAttempts: 1 } }),
  fetch: () => appconfigProvider({ transport: 'fetch', clientConfig: config() }),
  agent: () => appconfigProvider({ transport: 'agent', clientConfig: config() }),
};

for (const [transport, provider] of Object.entries(TRANSPORTS)) {
  describe(transport, () => {
    if (transport === 'agent') {
      beforeAll(async () => {
        // An agent that polls at every request: an update is seen at once, as the suite expects of a forced fetch.
        agent = await startAppConfigAgent({ backend: endpoint });
        vi.stubEnv('AWS_APPCONFIG_EXTENSION_HTTP_PORT', String(agent.port));
      });
      afterAll(async () => {
        vi.unstubAllEnvs();
        await agent?.close();
      });
    }
    const environment = transport;
    describeProvider(
      'appconfig',
      {
        provider,
        seed: async (values) => {
          await control('POST', `applications/${app}/environments`, { name: environment });
          const bodies: Record<string, string> = {};
          for (const [name, value] of Object.entries(values)) {
            await control('POST', `applications/${app}/profiles`, { name: `${transport}-${name}` });
            await deploy(environment, `${transport}-${name}`, value);
            bodies[name] = `${application}/${environment}/${transport}-${name}`;
          }
          return bodies;
        },
        update: (name, value) => deploy(environment, `${transport}-${name}`, value),
        missing: (name) => `${application}/${environment}/never-${name}`,
      },
      {
        canonicalForms: (body, scheme) => [
          `${scheme}:${body.replace(application, encodeURIComponent(application).replace('-', '%2D'))}`,
        ],
        invalid: [
          'appconfig:shop/prod',
          'appconfig:shop/prod/flags/more',
          'appconfig:shop//flags',
          'appconfig:shop/prod/%zz',
          'appconfig:shop/prod/%00',
          `appconfig:${'a'.repeat(129)}/prod/flags`,
          'appconfig:shop/prod/flags?versionLabel=v1',
        ],
        maxValueBytes: 4096,
      },
    );
  });
}

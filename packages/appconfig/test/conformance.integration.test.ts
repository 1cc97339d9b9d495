/**
 * The conformance suite on each transport, against the AppConfigData emulator (moto has no data
 * plane): each value a freeform profile of its own, as text; an update is a new deployment.
 */
import { randomUUID } from 'node:crypto';
import { appconfigProvider } from '@secretref/appconfig';
import { describeProvider } from '@secretref/conformance';
import {
  type LocalAppConfig,
  type LocalAppConfigAgent,
  localAwsConfig,
  startAppConfig,
  startAppConfigAgent,
} from '@secretref/local-aws';
import { afterAll, beforeAll, describe, vi } from 'vitest';

let emulator: LocalAppConfig;
let agent: LocalAppConfigAgent | undefined;
const application = `conformance-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  emulator = await startAppConfig();
  emulator.createApplication(application);
});
afterAll(() => emulator.close());

const config = () => localAwsConfig(emulator.endpoint);
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
        agent = await startAppConfigAgent({ backend: emulator.endpoint });
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
          emulator.createEnvironment(application, environment);
          const bodies: Record<string, string> = {};
          for (const [name, value] of Object.entries(values)) {
            emulator.createProfile(application, `${transport}-${name}`);
            emulator.deploy(application, environment, `${transport}-${name}`, value, { contentType: 'text/plain' });
            bodies[name] = `${application}/${environment}/${transport}-${name}`;
          }
          return bodies;
        },
        update: (name, value) => {
          emulator.deploy(application, environment, `${transport}-${name}`, value, { contentType: 'text/plain' });
        },
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

/**
 * Vitest global setup of the integration project: one moto for the whole run, its endpoint
 * provided to tests as `inject('awsEndpoint')`, and one AppConfigData emulator, `inject('appconfigEndpoint')`.
 */
import type { TestProject } from 'vitest/node';
import './provided.ts';
import { startAppConfig } from './appconfig/start.ts';
import { startMoto } from './moto.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [moto, appconfig] = await Promise.all([startMoto(), startAppConfig()]);
  project.provide('awsEndpoint', moto.endpoint);
  project.provide('appconfigEndpoint', appconfig.endpoint);
  return async () => {
    await Promise.all([moto.stop(), appconfig.close()]);
  };
}

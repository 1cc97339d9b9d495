/**
 * Vitest global setup of the integration project: one moto for the whole run, its endpoint
 * provided to tests as `inject('awsEndpoint')`.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startMoto } from './moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide('awsEndpoint', moto.endpoint);
  return () => moto.stop();
}

/**
 * Vitest global setup of the integration project: one moto for the whole run, its endpoint
 * provided to tests as `inject('awsEndpoint')`.
 */
import type { TestProject } from 'vitest/node';
import './provided.ts';
import { startMoto } from './moto.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide('awsEndpoint', moto.endpoint);
  return () => moto.stop();
}

import type { TestProject } from 'vitest/node';
import { startTestServices } from './services.js';

import type {} from './provided.js';

/** Vitest global setup for integration suites: real PostgreSQL and MQTT broker, embedded if absent. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startTestServices();
  project.provide('postgresAdminUrl', services.postgresAdminUrl);
  project.provide('mqttUrl', services.mqttUrl);
  project.provide('mqttKind', services.mqttKind);
  return () => services.stop();
}

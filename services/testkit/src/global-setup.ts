import type { TestProject } from 'vitest/node';
import { startTestServices } from './services.js';

import type {} from './provided.js';

/** Vitest global setup for integration suites: real PostgreSQL and MQTT broker, embedded if absent. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // HW_TEST_EMBEDDED=1 runs the suites against embedded PostgreSQL and aedes even where local
  // servers exist, to check what a fresh machine does. The test harness is a process entry.
  const services = await startTestServices(process.env['HW_TEST_EMBEDDED'] === '1');
  project.provide('postgresAdminUrl', services.postgresAdminUrl);
  project.provide('mqttUrl', services.mqttUrl);
  project.provide('mqttKind', services.mqttKind);
  return () => services.stop();
}

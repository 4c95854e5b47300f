import type { TestProject } from 'vitest/node';
import { startTestServices } from './services.js';

import type {} from './provided.js';

/** Vitest global setup for integration suites: real PostgreSQL and MQTT broker, embedded if absent. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // HW_TEST_EMBEDDED=1 runs the suites against embedded PostgreSQL and aedes even where local
  // servers exist, to check what a fresh machine does; HW_TEST_DATABASE_URL names the PostgreSQL
  // server to use instead of 127.0.0.1:5432 (a TimescaleDB one, say). The test harness is a
  // process entry.
  const postgresUrl = process.env['HW_TEST_DATABASE_URL'];
  const services = await startTestServices({
    forceEmbedded: process.env['HW_TEST_EMBEDDED'] === '1',
    ...(postgresUrl ? { postgresUrl } : {}),
  });
  project.provide('postgresAdminUrl', services.postgresAdminUrl);
  project.provide('mqttUrl', services.mqttUrl);
  project.provide('mqttKind', services.mqttKind);
  return () => services.stop();
}

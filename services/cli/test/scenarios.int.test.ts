import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { listShippedScenarios, loadScenarioFile, formatVerificationTable } from '@hazardwatch/simulators';
import { providedServices } from '@hazardwatch/testkit';
import { loadRuntimeConfig, verifyScenario } from 'hazardwatch';

const logger = pino({ level: 'silent' });
const scenarios = await listShippedScenarios();

/**
 * Hardware-in-the-loop in CI: every shipped scenario is played in fast-forward over the real
 * broker against a system started for it (fresh database, its site, the ingest service and alarm
 * engine), and its expected and forbidden alarms are checked.
 */
describe('shipped scenarios (fast-forward) against the real system', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();

  it('ships at least 8 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(8);
  });

  it.each(scenarios.map((file) => [file.split('/').pop()!, file]))(
    '%s',
    { timeout: 180_000 },
    async (_name, file) => {
      const loaded = await loadScenarioFile(file);
      const result = await verifyScenario(loaded, {
        adminDatabaseUrl: postgresAdminUrl,
        mqttUrl,
        mode: 'fast',
        logger,
        base: loadRuntimeConfig({}),
      });
      expect(result.report.passed, formatVerificationTable(result.report)).toBe(true);
      expect(result.report.verdicts.some((v) => v.status === 'pass')).toBe(true);
    },
  );
});

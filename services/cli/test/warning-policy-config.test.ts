/**
 * The 预警 policy from the configuration file (issue #19): closing rules and recipients per colour
 * and step reach the compiled alarm settings — the one object the engine and the API share — and
 * a bad key is refused with its full name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadRuntimeConfig, runtimeAlarmSettings } from 'hazardwatch';

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-wcfg-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

describe('alarms.warnings: closing rules and recipients as configuration', () => {
  it('compiles them into the shared alarm settings, over the defaults', () => {
    const config = loadRuntimeConfig({
      HW_CONFIG_FILE: configFile(
        [
          'alarms:',
          '  warnings:',
          '    closing:',
          '      orange: { closedBy: enterprise, after: feedback }',
          '    recipients:',
          '      yellow: { opened: [principal, technical, operational] }',
          '',
        ].join('\n'),
      ),
    });
    const { warningPolicy } = runtimeAlarmSettings(config);
    expect(warningPolicy.closing.orange).toEqual({ closedBy: 'enterprise', after: 'feedback' });
    expect(warningPolicy.closing.red).toEqual({ closedBy: 'regulator', after: 'verified' });
    expect(warningPolicy.recipients.yellow.opened).toEqual(['principal', 'technical', 'operational']);
    expect(warningPolicy.recipients.yellow.closed).toEqual(['technical', 'operational']);
  });

  it.each([
    ['    closing:\n      red: { closedBy: park }\n', 'alarms.warnings.closing.red.closedBy'],
    ['    closing:\n      red: { after: pushed }\n', 'alarms.warnings.closing.red.after'],
    ['    recipients:\n      red: { paged: [principal] }\n', 'alarms.warnings.recipients.red.paged'],
    ['    recipients:\n      blue: { opened: [boss] }\n', 'alarms.warnings.recipients.blue.opened'],
  ])('refuses %j, naming %s', (section, key) => {
    const config = loadRuntimeConfig({ HW_CONFIG_FILE: configFile(`alarms:\n  warnings:\n${section}`) });
    let error: unknown;
    try {
      runtimeAlarmSettings(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain(key);
  });
});

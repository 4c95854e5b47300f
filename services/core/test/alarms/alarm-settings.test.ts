import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALARM_POLICY,
  DEFAULT_ALARM_SETTINGS,
  DEFAULT_COLOUR_POLICY,
  compileAlarmSettings,
  compileWarningPolicy,
  type AlarmSettingsOptions,
} from '@hazardwatch/core';

describe('compileAlarmSettings: one compiled set for the engine and the API', () => {
  it('compiles every part into its normal form, defaults applied', () => {
    const compiled = compileAlarmSettings({
      colours: { escalation: { enabled: false } },
      warnings: { downgradeStepMs: null },
      openWarningsFrom: 'orange',
    });
    if (!compiled.ok) throw new Error(compiled.errors.join('; '));
    const s = compiled.value;
    expect(s.colourPolicy.escalation).toEqual({
      enabled: false,
      minPoints: 2,
      steps: 1,
      countQuality: false,
    });
    expect(s.colourPolicy.rules).toEqual(DEFAULT_COLOUR_POLICY.rules);
    expect(s.alarmPolicy).toEqual(DEFAULT_ALARM_POLICY);
    // The warning policy is the compiled one (ms per colour), not the options passed in.
    expect(s.warningPolicy).toEqual({ ...compileWarningPolicy(), downgradeStepMs: null });
    expect(s.openWarningsFrom).toBe('orange');
  });

  it('the defaults are every part compiled from nothing', () => {
    expect(DEFAULT_ALARM_SETTINGS).toEqual({
      alarmPolicy: DEFAULT_ALARM_POLICY,
      colourPolicy: DEFAULT_COLOUR_POLICY,
      warningPolicy: compileWarningPolicy(),
      openWarningsFrom: 'yellow',
    });
  });

  it('is deeply frozen', () => {
    const compiled = compileAlarmSettings({ colours: { escalation: { steps: 2 } } });
    if (!compiled.ok) throw new Error(compiled.errors.join('; '));
    const s = compiled.value;
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.colourPolicy.escalation)).toBe(true);
    expect(Object.isFrozen(s.colourPolicy.rules[0])).toBe(true);
    expect(Object.isFrozen(s.alarmPolicy.chattering)).toBe(true);
    expect(Object.isFrozen(s.warningPolicy.timeouts.red)).toBe(true);
    expect(Object.isFrozen(DEFAULT_ALARM_SETTINGS.colourPolicy.multiDetector)).toBe(true);
  });

  it.each<[string, AlarmSettingsOptions, string]>([
    [
      'a colour value',
      { colours: { escalation: { minPoints: 1 } } },
      'alarms.colours.escalation.minPoints: ',
    ],
    [
      'a colour key',
      { colours: { escalation: { minPiont: 3 } } },
      'unknown key alarms.colours.escalation.minPiont',
    ],
    ['an alarm policy value', { policy: { chattering: { count: 1 } } }, 'alarms.policy.chattering.count: '],
    ['an alarm policy key', { policy: { reAlarm: 5 } }, 'unknown key alarms.policy.reAlarm'],
    ['a warning policy value', { warnings: { downgradeStepMs: 0 } }, 'alarms.warnings.downgradeStepMs: '],
    [
      'a warning policy key',
      { warnings: { timeouts: { red: { signMs: 1 } } } },
      'alarms.warnings.timeouts.red.signMs: ',
    ],
    ['a warning policy that is no object', { warnings: 'fast' }, 'alarms.warnings: '],
    ['the opening colour', { openWarningsFrom: 'green' as never }, 'alarms.openWarningsFrom: '],
    ['a section', { escalation: {} } as never, 'unknown key alarms.escalation'],
  ])('names the bad key with its full path: %s', (_what, options, problem) => {
    const compiled = compileAlarmSettings(options, { path: 'alarms' });
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.errors).toHaveLength(1);
    expect(compiled.errors[0]!.startsWith(problem)).toBe(true);
  });

  it('reports the problems of every part at once, and without a path names the keys bare', () => {
    const compiled = compileAlarmSettings({
      policy: { maxShelveMs: -1 },
      colours: { fallback: 'green' },
      warnings: { downgradeStepMs: -5 },
    });
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.errors.map((e) => e.split(':')[0])).toEqual([
      'policy.maxShelveMs',
      'colours.fallback',
      'warnings.downgradeStepMs',
    ]);
  });
});

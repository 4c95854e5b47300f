import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AUTHORITY_ROLES,
  ALARM_CONDITIONS,
  ALARM_STATES,
  DELIVERY_STATES,
  HISTORY_RESOLUTIONS,
  MONITORING_CHANGE_KINDS,
  MONITORING_CHANGE_STATUSES,
  MONITORING_CHANGE_TARGETS,
  USER_ROLES,
  WARNING_CLOSERS,
  WARNING_EVENT_TYPES,
  WARNING_LEVELS,
  WARNING_PARTIES,
  WARNING_STATES,
  WARNING_STEPS,
} from '@hazardwatch/contracts';
import { en } from '../src/i18n/en.js';
import { zhCN } from '../src/i18n/zh-CN.js';

// happy-dom gives this module an http: import.meta.url: find the sources from the working directory
// (the repository root, or this workspace under `npm test -w`).
const SRC = [join(process.cwd(), 'dashboards/control-room/src'), join(process.cwd(), 'src')].find((d) =>
  existsSync(join(d, 'i18n/zh-CN.ts')),
)!;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : /\.(vue|ts)$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

function has(messages: unknown, key: string): boolean {
  let node: unknown = messages;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string';
}

/** Every `t('a.b')` with a literal key in the dashboard's sources. */
const literalKeys = [
  ...new Set(
    files(SRC).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)].map((m) => m[1]!),
    ),
  ),
];

/** Keys built from the contracts' vocabularies (template literals in the views). */
const vocabularyKeys = [
  ...WARNING_STATES.map((s) => `warnings.states.${s}`),
  ...WARNING_EVENT_TYPES.map((e) => `warnings.events.${e}`),
  ...WARNING_LEVELS.map((l) => `warnings.levels.${l}`),
  ...WARNING_PARTIES.map((p) => `warnings.parties.${p}`),
  ...WARNING_STEPS.map((s) => `warnings.steps.${s}`),
  ...WARNING_CLOSERS.map((c) => `warnings.record.closer.${c}`),
  ...DELIVERY_STATES.map((s) => `warnings.delivery.${s}`),
  ...['principal', 'technical', 'operational', 'regulator', 'group', 'fire_control'].map(
    (r) => `warnings.recipientRoles.${r}`,
  ),
  ...MONITORING_CHANGE_KINDS.map((k) => `changes.kinds.${k.replace(/[.-]/g, '_')}`),
  ...MONITORING_CHANGE_STATUSES.map((s) => `changes.statuses.${s}`),
  ...MONITORING_CHANGE_TARGETS.map((s) => `changes.targets.${s}`),
  ...AUTHORITY_ROLES.map((r) => `roles.${r}`),
  ...USER_ROLES.map((r) => `roles.${r}`),
  ...['warnings', 'changes'].map((v) => `nav.${v}`),
  ...HISTORY_RESOLUTIONS.map((r) => `detail.resolutions.${r}`),
  ...ALARM_CONDITIONS.map((c) => `condition.${c}`),
  ...ALARM_STATES.filter((s) => s !== 'NORM').map((s) => `state.${s}`),
];

/** Every leaf key of a locale's messages, dotted. */
function leafKeys(messages: unknown, prefix = ''): string[] {
  if (messages === null || typeof messages !== 'object') return [prefix];
  return Object.entries(messages).flatMap(([k, v]) => leafKeys(v, prefix === '' ? k : `${prefix}.${k}`));
}

describe('i18n: every key the dashboard uses exists in zh-CN and English', () => {
  it('finds the literal keys of the sources (the scan works)', () => {
    expect(literalKeys).toContain('warnings.record.causes');
    expect(literalKeys).toContain('changes.approve');
    expect(literalKeys).toContain('detail.disablePending');
  });

  it.each([
    ['zh-CN', zhCN],
    ['en', en],
  ] as const)('%s has every literal and vocabulary key', (_name, messages) => {
    const missing = [...literalKeys, ...vocabularyKeys].filter((k) => !has(messages, k));
    expect(missing).toEqual([]);
  });

  it('has the same keys in both locales: none only in one (issue #21)', () => {
    const zh = new Set(leafKeys(zhCN));
    const english = new Set(leafKeys(en));
    expect([...zh].filter((k) => !english.has(k))).toEqual([]);
    expect([...english].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('translates the error codes in both locales alike', () => {
    expect(Object.keys(en.errors).sort()).toEqual(Object.keys(zhCN.errors).sort());
    expect(Object.keys(zhCN.errors)).toEqual(
      expect.arrayContaining([
        'HW_API_FORBIDDEN',
        'HW_API_CHANGE_REASON_REQUIRED',
        'HW_CORE_WARNING_PARTY_REFUSED',
        'HW_CORE_WARNING_FEEDBACK_REQUIRED',
        'HW_CORE_WARNING_VERIFICATION_REQUIRED',
      ]),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { schemaExpectation } from '../../src/components/admin/site-finding.js';
import { en } from '../../src/i18n/en.js';
import { zhCN } from '../../src/i18n/zh-CN.js';

// The site form says what an invalid value should be in the reader's language (issue #22): the
// check's SCHEMA_INVALID_VALUE messages (core site-structure.ts, TypeBox's words or the field's
// description) read into admin.expect keys. Messages below are the check's own, as the admin
// browser test gets them from POST /site/check.
const SUBJECT = 'hazard 91320623MA1W000001/CL-TF01';

describe('schemaExpectation', () => {
  it.each([
    [
      `${SUBJECT}: expected phone number for warning push: a mainland mobile (11 digits, 1[3-9]…, optional +86) — SMS and robot @-mentions need one — or a landline with area code (0xx-xxxxxxxx, optional extension) at /hazards/0/responsible/principal/phone, got "1380000000"`,
      '/hazards/0/responsible/principal/phone',
      { key: 'phone', got: '"1380000000"' },
    ],
    [
      `${SUBJECT}: expected CAS number at /hazards/0/inventory/1/cas, got "7664-41"`,
      'inventory.1.cas',
      { key: 'cas', got: '"7664-41"' },
    ],
    [
      `${SUBJECT}: expected number to be greater or equal to 0 at /hazards/0/inventory/1/designMaxTonnes, got -20`,
      '/hazards/0/inventory/1/designMaxTonnes',
      { key: 'min', named: { n: '0' }, got: '-20' },
    ],
    [
      `point X/TT-1: expected number to be greater than 0 at /points/3/rateOfChange/0/windowSec, got 0`,
      '/points/3/rateOfChange/0/windowSec',
      { key: 'above', named: { n: '0' }, got: '0' },
    ],
    [
      `point X/TT-1: expected string length less or equal to 64 at /points/3/deviceCode, got "aaaa…"`,
      '/points/3/deviceCode',
      { key: 'maxLength', named: { n: '64' }, got: '"aaaa…"' },
    ],
    [
      `hazard X/H1: expected one of "tank_farm" | "warehouse" at /hazards/0/type, got "pond"`,
      '/hazards/0/type',
      { key: 'oneOf', named: { choices: '"tank_farm" | "warehouse"' }, got: '"pond"' },
    ],
    [
      `point X/TT-1: expected number at /points/3/limits/h, got "abc"`,
      '/points/3/limits/h',
      { key: 'number', got: '"abc"' },
    ],
    [`point X/TT-1: expected integer at /points/3/x, got 1.5`, '/points/3/x', { key: 'integer', got: '1.5' }],
    [
      `region 32: expected string to match '^[0-9]{2,12}$' at /regions/0/code, got "x"`,
      '/regions/0/code',
      { key: 'pattern', got: '"x"' },
    ],
  ] as const)('%s', (message, path, expected) => {
    expect(schemaExpectation(message, path)).toEqual(expected);
  });

  it('leaves words it does not know to the server (shown as written)', () => {
    expect(
      schemaExpectation('hazard X/H1: expected union value at /hazards/0/x, got 1', '/hazards/0/x'),
    ).toBe(undefined);
    expect(schemaExpectation('unknown key "foo" at /hazards/0/foo', '/hazards/0/foo')).toBe(undefined);
  });

  it('every expectation it can name has words in both languages', () => {
    const keys = ['min', 'max', 'above', 'below', 'minLength', 'maxLength', 'minItems', 'maxItems'];
    keys.push('number', 'integer', 'string', 'boolean', 'oneOf', 'pattern', 'phone', 'cas', 'tag', 'got');
    for (const messages of [zhCN, en]) expect(Object.keys(messages.admin.expect).sort()).toEqual(keys.sort());
  });
});

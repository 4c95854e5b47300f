/**
 * One rule for who may take which 预警 step (issue #19 review): warningStepsFor — what GET
 * /warnings/:id answers as `steps` — leaves out exactly what the desk refuses, with the same
 * code, over colour × side × state × level and two closing policies; a closed 预警 offers nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  WARNING_ACTIONS,
  WARNING_LEVELS,
  WARNING_PARTIES,
  type WarningAction,
  type WarningColour,
  type WarningParty,
} from '@hazardwatch/contracts';
import {
  compileWarningPolicy,
  warningStepRefusal,
  warningStepsFor,
  WarningDesk,
  type OpenWarningState,
  type WarningPolicyOptions,
  type WarningRecord,
  type WarningResult,
} from '@hazardwatch/core';
import { makeDesk, ok } from './desk-helpers.js';
import { MIN, T0, TF1, warningSite } from './warning-site.js';

const COLOURS: WarningColour[] = ['red', 'orange', 'yellow', 'blue'];
const STATES: OpenWarningState[] = ['pushed', 'signed', 'feedback', 'verified'];
const POLICIES: Record<string, WarningPolicyOptions> = {
  defaults: {},
  // Closing rules are policy data: turned around, the answer must follow.
  turned: {
    closing: {
      red: { closedBy: 'enterprise', after: 'signed' },
      yellow: { closedBy: 'regulator', after: 'verified' },
      blue: { closedBy: 'regulator', after: 'feedback' },
    },
  },
};
const NOW = T0 + MIN;

/** The desk's open record of a fresh red 预警 at T0, as a template. */
function template(): WarningRecord {
  const desk = makeDesk();
  ok(desk.open(TF1, 'red', ['a1'], T0));
  return desk.openWarnings()[0]!;
}

function act(desk: WarningDesk, id: string, action: WarningAction, party: WarningParty): WarningResult {
  const actor = { id: `u-${party}`, party };
  switch (action) {
    case 'sign':
      return desk.sign(id, actor, NOW);
    case 'feedback':
      return desk.feedback(id, actor, '已关闭进料阀', NOW);
    case 'urge':
      return desk.urge(id, actor, { text: '请于一小时内处置', deadlineMs: NOW + 60 * MIN }, NOW);
    case 'verify':
      return desk.verify(id, actor, '现场核查属实', NOW);
    case 'close':
      // The reason the administrator's break-glass close needs; the cause is back to normal.
      return desk.close(id, actor, { causeActive: false, reason: '现场确认' }, NOW);
  }
}

describe('the desk refuses exactly what warningStepsFor leaves out', () => {
  const base = template();
  for (const [name, options] of Object.entries(POLICIES)) {
    const policy = compileWarningPolicy(options);
    it.each(COLOURS.flatMap((c) => STATES.map((s) => [c, s] as const)))(`${name}: %s %s`, (colour, state) => {
      let offered = 0;
      let refused = 0;
      for (const level of WARNING_LEVELS)
        for (const party of WARNING_PARTIES) {
          const record: WarningRecord = { ...base, colour, observedColour: colour, state, level };
          const steps = warningStepsFor(record, party, policy);
          for (const action of WARNING_ACTIONS) {
            const desk = new WarningDesk(warningSite(), { policy });
            expect(desk.load([record]).errors).toEqual([]);
            const result = act(desk, record.id, action, party);
            const expected = warningStepRefusal(record, action, party, policy);
            const where = `${colour} ${state} at ${level}, ${party} ${action}`;
            expect(result.ok, where).toBe(steps.includes(action));
            expect(result.ok ? null : result.error.code, where).toBe(expected?.code ?? null);
            if (result.ok) offered++;
            else refused++;
          }
        }
      // The table is not vacuous: every cell has steps taken and steps refused.
      expect(offered).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    });
  }
});

describe('warningStepsFor, by example (default policy)', () => {
  const policy = compileWarningPolicy();
  const w = (state: OpenWarningState | 'closed', colour: WarningColour, level = 'enterprise' as const) => ({
    id: 'w1',
    state,
    colour,
    level,
  });
  it.each<[string, ReturnType<typeof w>, WarningParty, WarningAction[]]>([
    ['pushed red, enterprise signs', w('pushed', 'red'), 'enterprise', ['sign']],
    ['pushed red, county urges', w('pushed', 'red'), 'county', ['urge']],
    ['pushed red, admin may sign or urge, never close', w('pushed', 'red'), 'admin', ['sign', 'urge']],
    ['feedback red, county urges and verifies', w('feedback', 'red'), 'county', ['urge', 'verify']],
    ['verified red, county closes', w('verified', 'red'), 'county', ['urge', 'close']],
    ['verified red, enterprise feeds back only', w('verified', 'red'), 'enterprise', ['feedback']],
    ['feedback yellow, enterprise closes', w('feedback', 'yellow'), 'enterprise', ['feedback', 'close']],
    ['feedback yellow, a regulator does not', w('feedback', 'yellow'), 'city', ['urge', 'verify']],
    ['signed blue, admin closes as break-glass', w('signed', 'blue'), 'admin', ['feedback', 'urge', 'close']],
  ])('%s', (_name, record, party, steps) => {
    expect(warningStepsFor(record, party, policy)).toEqual(steps);
  });

  it('a regulator below the level the 预警 is answered at does not close it', () => {
    const record = { id: 'w1', state: 'verified', colour: 'red', level: 'city' } as const;
    expect(warningStepsFor(record, 'county', policy)).toEqual(['urge']);
    expect(warningStepRefusal(record, 'close', 'county', policy)?.code).toBe('HW_CORE_WARNING_TIER_TOO_LOW');
    expect(warningStepsFor(record, 'city', policy)).toEqual(['urge', 'close']);
  });

  it('a closed 预警 offers nobody anything', () => {
    for (const party of WARNING_PARTIES)
      expect(
        warningStepsFor({ id: 'w1', state: 'closed', colour: 'red', level: 'province' }, party, policy),
      ).toEqual([]);
  });
});

import { describe, expect, it, vi } from 'vitest';
import type { WarningCause, WarningDeadline, WarningDetail, WarningRow } from '@hazardwatch/contracts';
import {
  callersTurn,
  causeWords,
  currentStep,
  phoneOrder,
  pressingDeadline,
} from '../src/components/mobile/phone-warning.js';
import { followPhone, isPhone, PHONE_MEDIA, phoneRedirect } from '../src/logic/phone.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 6, 6, 0, 0);

describe('phone page: which hash a phone opens (issue #22)', () => {
  it.each([
    ['', '#/m'],
    ['#', '#/m'],
    ['#/', '#/m'],
    // A notification's link (services/ingest notify/delivery-message.ts) opens that 预警's phone page.
    ['#/warnings/w-1', '#/m/warnings/w-1'],
    ['#/warnings/a%2Fb', '#/m/warnings/a%2Fb'],
    // The console stays reachable: its views, the 预警 list, and the phone page itself stay.
    ['#/warnings', null],
    ['#/map', null],
    ['#/alarms', null],
    ['#/m', null],
    ['#/m/warnings/w-1', null],
  ])('on a phone %j → %j', (hash, to) => {
    expect(phoneRedirect(hash, true)).toBe(to);
  });

  it('never moves a desktop', () => {
    for (const hash of ['', '#/warnings/w-1', '#/map']) expect(phoneRedirect(hash, false)).toBeNull();
  });

  it('replaces the hash in place (no history entry) and answers the hash to show', () => {
    const replaceState = vi.fn();
    expect(followPhone({ hash: '#/warnings/w-9' }, { replaceState }, true)).toBe('#/m/warnings/w-9');
    expect(replaceState).toHaveBeenCalledWith(null, '', '#/m/warnings/w-9');
    replaceState.mockClear();
    expect(followPhone({ hash: '#/warnings/w-9' }, { replaceState }, false)).toBe('#/warnings/w-9');
    expect(replaceState).not.toHaveBeenCalled();
  });

  it('asks the browser for a touch screen that is narrow or low', () => {
    const matchMedia = vi.fn((q: string) => ({ matches: q === PHONE_MEDIA }) as MediaQueryList);
    expect(isPhone({ matchMedia })).toBe(true);
    expect(PHONE_MEDIA).toContain('(pointer: coarse)');
    expect(isPhone({ matchMedia: () => ({ matches: false }) as MediaQueryList })).toBe(false);
    expect(isPhone(undefined)).toBe(false);
  });
});

describe('phone page: the loop as a responsible person reads it', () => {
  const regulatorCloses = { closedBy: 'regulator', after: 'verified' } as const;
  const enterpriseCloses = { closedBy: 'enterprise', after: 'feedback' } as const;

  it.each([
    ['pushed', regulatorCloses, 'sign'],
    ['signed', regulatorCloses, 'feedback'],
    ['feedback', regulatorCloses, 'verify'],
    ['verified', regulatorCloses, 'close'],
    ['closed', regulatorCloses, null],
    ['pushed', enterpriseCloses, 'sign'],
    ['signed', enterpriseCloses, 'feedback'],
    ['feedback', enterpriseCloses, 'close'],
    ['signed', { closedBy: 'enterprise', after: 'signed' }, 'close'],
  ] as const)('%s under %j waits for %s', (state, closing, step) => {
    expect(currentStep(state, closing)).toBe(step);
  });

  it('is the caller’s turn only when the server offers the step the loop waits for', () => {
    expect(callersTurn({ state: 'pushed', closing: regulatorCloses, steps: ['sign'] })).toBe(true);
    // The enterprise may feed back again while the regulator's 核查 is awaited: not its turn.
    expect(callersTurn({ state: 'feedback', closing: regulatorCloses, steps: ['feedback'] })).toBe(false);
    expect(callersTurn({ state: 'feedback', closing: regulatorCloses, steps: ['urge', 'verify'] })).toBe(
      true,
    );
    expect(callersTurn({ state: 'feedback', closing: enterpriseCloses, steps: ['feedback', 'close'] })).toBe(
      true,
    );
    expect(callersTurn({ state: 'closed', closing: regulatorCloses, steps: [] })).toBe(false);
  });

  const deadline = (step: WarningDeadline['step'], dueAt: number, metAt: number | null = null) => ({
    step,
    dueAt,
    metAt,
    overdue: false,
  });

  it('presses with the open deadline due first, with the time left or overdue', () => {
    const ds = [deadline('sign', T0 + 5 * MIN, T0 + MIN), deadline('feedback', T0 + 30 * MIN)];
    expect(pressingDeadline(ds, T0 + 10 * MIN)).toEqual({
      step: 'feedback',
      dueAt: T0 + 30 * MIN,
      leftMs: 20 * MIN,
      overdue: false,
    });
    expect(pressingDeadline(ds, T0 + 31 * MIN)).toMatchObject({ leftMs: -MIN, overdue: true });
    const urged = [...ds, deadline('urge', T0 + 15 * MIN)];
    expect(pressingDeadline(urged, T0 + 10 * MIN)?.step).toBe('urge');
    expect(pressingDeadline([deadline('sign', T0, T0)], T0)).toBeNull();
  });

  const cause = (extra: Partial<WarningCause>): WarningCause => ({
    alarmId: 'a1',
    pointId: 3,
    tag: 'LT-1101',
    name: '液氯储罐V-1101液位',
    unit: '%',
    condition: 'HH',
    value: 90,
    limit: 85,
    raisedAt: T0,
    state: 'UNACK',
    closedAt: null,
    ...extra,
  });

  it('says a cause in words: point, condition, value and limit in the unit', () => {
    expect(causeWords(cause({}), 'zh-CN')).toEqual({
      point: 'LT-1101 液氯储罐V-1101液位',
      condition: 'HH',
      value: '90\u00a0%',
      limit: '85\u00a0%',
    });
    // A timeout limit in words, not the unit of the point.
    expect(causeWords(cause({ condition: 'STALE', value: null, limit: 120_000, tag: null }), 'en')).toEqual({
      point: '液氯储罐V-1101液位',
      condition: 'STALE',
      value: '—',
      limit: '2 min',
    });
    expect(causeWords(cause({ tag: null, name: null, unit: null, limit: null }), 'en')).toMatchObject({
      point: '—',
      value: '90',
      limit: '—',
    });
  });

  const row = (id: string, colour: WarningRow['colour'], openedAt = T0): WarningRow => ({
    id,
    enterprise: 'E1',
    hazard: 'H1',
    colour,
    state: 'pushed',
    level: 'enterprise',
    openedAt,
    updatedAt: openedAt,
    closedAt: null,
  });
  const detail = (r: WarningRow, steps: WarningDetail['steps'], due: number): WarningDetail => ({
    ...r,
    closing: regulatorCloses,
    steps,
    causes: [],
    deadlines: [deadline('sign', due)],
    deliveries: [],
    events: [],
  });

  it('lists the caller’s own steps first, then the higher colour, the nearer deadline, the newest', () => {
    const blueMine = row('blue-mine', 'blue');
    const redTheirs = row('red-theirs', 'red');
    const orangeLate = row('orange-late', 'orange');
    const orangeSoon = row('orange-soon', 'orange');
    const orangeNew = row('orange-new', 'orange', T0 + MIN);
    const items = [
      { row: redTheirs, detail: detail(redTheirs, [], T0) },
      { row: orangeLate, detail: detail(orangeLate, ['sign'], T0 + 20 * MIN) },
      { row: blueMine, detail: detail(blueMine, ['sign'], T0) },
      { row: orangeSoon, detail: detail(orangeSoon, ['sign'], T0 + 5 * MIN) },
      { row: orangeNew, detail: null },
    ];
    expect(items.sort((a, b) => phoneOrder(a, b, T0)).map((x) => x.row.id)).toEqual([
      'orange-soon',
      'orange-late',
      'blue-mine',
      'red-theirs',
      'orange-new',
    ]);
  });
});

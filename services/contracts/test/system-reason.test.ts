import { describe, expect, it } from 'vitest';
import {
  SYSTEM_REASON_CODES,
  eventSystemReason,
  parseSystemReason,
  type ReasonedEvent,
  type SystemReason,
} from '@hazardwatch/contracts';

/** Every text the engine writes (services/core alarms), with the code and parameters it stands for. */
const ENGINE: ReadonlyArray<[string, SystemReason]> = [
  ['condition active', { code: 'CONDITION_ACTIVE' }],
  [
    'condition active: chunks not compressed on time',
    { code: 'CONDITION_ACTIVE_CAUSE', cause: 'NOT_COMPRESSED' },
  ],
  ['condition active: expired data not dropped', { code: 'CONDITION_ACTIVE_CAUSE', cause: 'NOT_DROPPED' }],
  [
    'condition active: no successful run on time',
    { code: 'CONDITION_ACTIVE_CAUSE', cause: 'NO_SUCCESS_ON_TIME' },
  ],
  [
    're-alarm: condition active again: policy not carried out on time',
    { code: 'REALARM_ACTIVE_AGAIN_CAUSE', cause: 'EFFECT_NOT_MET' },
  ],
  ['returned to normal unacknowledged', { code: 'RETURNED_UNACKED' }],
  ['returned to normal', { code: 'RETURNED_NORMAL' }],
  ['re-alarm: condition active again', { code: 'REALARM_ACTIVE_AGAIN' }],
  ['late: condition also active in replayed readings', { code: 'LATE_ALSO_ACTIVE' }],
  ['live: condition active in live readings', { code: 'LIVE_ACTIVE' }],
  [
    're-alarm: severity yellow → red (site model changed)',
    { code: 'REALARM_SEVERITY', from: 'yellow', to: 'red', cause: 'SITE_MODEL_CHANGED' },
  ],
  ['chattering: ≥3 in 60s', { code: 'CHATTERING', count: 3, windowS: 60 }],
  ['chattering: ≥4 in 1.5s', { code: 'CHATTERING', count: 4, windowS: 1.5 }],
  ['shelve expired', { code: 'SHELVE_EXPIRED' }],
  ['re-alarm: still active 900000 ms after acknowledgement', { code: 'REALARM_AFTER_ACK', ms: 900_000 }],
  ['chattering ended: quiet for 300000 ms', { code: 'CHATTERING_ENDED', ms: 300_000 }],
  ['suppressed by HH', { code: 'SUPPRESSED_BY', by: 'HH' }],
  ['suppressed by LL', { code: 'SUPPRESSED_BY', by: 'LL' }],
  ['HH no longer in alarm', { code: 'SUPPRESSOR_CLEARED', by: 'HH' }],
  ['LL no longer in alarm', { code: 'SUPPRESSOR_CLEARED', by: 'LL' }],
  ['latched alarm reset by acknowledgement', { code: 'LATCHED_RESET' }],
];

const sys = (reason: string | null): ReasonedEvent => ({
  actor: 'system',
  from: 'NORM',
  to: 'UNACK',
  reason,
});

describe('system reasons (issue #21)', () => {
  it.each(ENGINE)('reads %j', (text, reason) => {
    expect(parseSystemReason(text)).toEqual(reason);
    expect(eventSystemReason(sys(text))).toEqual(reason);
  });

  it('covers every code', () => {
    expect([...new Set(ENGINE.map(([, r]) => r.code))].sort()).toEqual([...SYSTEM_REASON_CODES].sort());
  });

  it.each([
    'Condition active',
    'condition active ',
    'suppressed by HH and more',
    'suppressed by XX',
    'condition active: something else',
    'condition active: toString',
    're-alarm: condition active again: ',
    're-alarm: severity yellow → red (someone said so)',
    're-alarm: severity pink → red (site model changed)',
    're-alarm: still active -5 ms after acknowledgement',
    'chattering: ≥x in 60s',
    'toString',
    '__proto__',
    '已通知，维修',
    '',
  ])('shows unknown text %j as stored (null)', (text) => {
    expect(parseSystemReason(text)).toBeNull();
    expect(eventSystemReason(sys(text))).toBeNull();
  });

  it('never reads what a person wrote, even when it reads like an engine text', () => {
    const typed: ReasonedEvent[] = [
      { actor: 'u1', from: 'UNACK', to: 'ACKED', reason: 'condition active' },
      { actor: 'u1', from: 'UNACK', to: 'UNACK', reason: 'shelve expired' },
      { actor: 'u1', from: 'UNACK', to: 'SHLVD', reason: 'suppressed by HH' },
      { actor: 'u1', from: 'RTNUN', to: 'NORM', reason: 'latched alarm reset by acknowledgement' },
      { actor: 'u1', from: 'ACKED', to: 'NORM', reason: 'returned to normal' },
    ];
    for (const e of typed) expect(eventSystemReason(e)).toBeNull();
    expect(
      eventSystemReason({
        actor: 'u1',
        from: 'ACKED',
        to: 'NORM',
        reason: 'latched alarm reset by acknowledgement',
      }),
    ).toEqual({ code: 'LATCHED_RESET' });
    expect(eventSystemReason(sys(null))).toBeNull();
  });
});

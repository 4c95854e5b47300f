/**
 * The 预警 steps the record view offers the caller: the verdict of the authority table
 * (permissions) and, for 消警, the colour's closing rule carried by the record (`closing`) —
 * mirroring the desk (services/core warning-desk.ts): 签收 from pushed; 处置反馈 once signed
 * (again after a verification); 督办 on any open 预警; 核查 after feedback; 消警 never before
 * 签收, by the side the rule names, after the state it names, and a regulator only at or above the
 * level the 预警 is answered at. The server refuses anything else; its error is shown translated.
 */
import type { Me, WarningDetail, WarningLevel, WarningState } from '@hazardwatch/contracts';
import { allowed, warningPartyOf } from './permissions.js';

export type WarningStep = 'sign' | 'feedback' | 'urge' | 'verify' | 'close';

const STATE_RANK: Readonly<Record<WarningState, number>> = {
  pushed: 0,
  signed: 1,
  feedback: 2,
  verified: 3,
  closed: 4,
};
const LEVEL_RANK: Readonly<Record<WarningLevel, number>> = { enterprise: 0, county: 1, city: 2, province: 3 };

type Record_ = Pick<WarningDetail, 'state' | 'level' | 'closing'>;

export function closeOffered(w: Record_, me: Pick<Me, 'authorityRole' | 'permissions'>): boolean {
  if (!allowed(me, 'warning.close')) return false;
  if (STATE_RANK[w.state] < STATE_RANK.signed || w.state === 'closed') return false;
  const party = warningPartyOf(me.authorityRole);
  if (party === null) return false;
  // The administrator closes as break-glass from any signed state (recorded as forced).
  if (party === 'admin') return true;
  if (w.closing.closedBy === 'enterprise' && party !== 'enterprise') return false;
  if (w.closing.closedBy === 'regulator') {
    if (party === 'enterprise') return false;
    if (LEVEL_RANK[party] < LEVEL_RANK[w.level ?? 'enterprise']) return false;
  }
  return STATE_RANK[w.state] >= STATE_RANK[w.closing.after];
}

/** The steps offered, in the loop's order. */
export function warningSteps(
  w: Record_,
  me: Pick<Me, 'authorityRole' | 'permissions'> | null,
): readonly WarningStep[] {
  if (me === null || w.state === 'closed') return [];
  const out: WarningStep[] = [];
  if (w.state === 'pushed' && allowed(me, 'warning.sign')) out.push('sign');
  if (STATE_RANK[w.state] >= STATE_RANK.signed && allowed(me, 'warning.feedback')) out.push('feedback');
  if (allowed(me, 'warning.urge')) out.push('urge');
  if (w.state === 'feedback' && allowed(me, 'warning.verify')) out.push('verify');
  if (closeOffered(w, me)) out.push('close');
  return out;
}

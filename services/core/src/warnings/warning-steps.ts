/**
 * Which 预警 actions a side may take on a warning as it stands — the one rule the desk refuses by
 * (WarningDesk) and GET /warnings/:id answers as `steps` (docs/warnings.md):
 * - 签收 and 处置反馈 are the enterprise duty room's, 督办 and 核查 a regulator's; the
 *   administrator may take any step (break-glass);
 * - 签收 from pushed; 处置反馈 once signed (again after a verification); 督办 on any open 预警;
 *   核查 after feedback; 消警 never before 签收;
 * - 消警 by the colour's closing rule (policy `closing`): the side it names, once the 预警 reached
 *   the state it names, and a regulator only at or above the level the 预警 is answered at.
 *
 * What depends on the request (a text, a deadline, the reason a forced or break-glass close
 * needs) is checked by the desk afterwards; it never makes a step unavailable.
 */
import {
  WARNING_ACTIONS,
  type WarningAction,
  type WarningColour,
  type WarningLevel,
  type WarningParty,
  type WarningState,
} from '@hazardwatch/contracts';
import { warningErrors, type WarningError } from './warning-errors.js';
import type { WarningPolicy } from './warning-policy.js';

/** The part of a 预警 the rule reads; a stored row or the desk's record. */
export interface WarningStepSubject {
  readonly id: string;
  readonly state: WarningState;
  readonly colour: WarningColour;
  /** Level answerable now. */
  readonly level: WarningLevel;
}

const ENTERPRISE_SIDE: readonly WarningParty[] = ['enterprise', 'admin'];
const REGULATOR_SIDE: readonly WarningParty[] = ['county', 'city', 'province', 'admin'];
const ALL_SIDES: readonly WarningParty[] = ['enterprise', 'county', 'city', 'province', 'admin'];
const SIGNED_ON: readonly WarningState[] = ['signed', 'feedback', 'verified'];

/** Who takes each action and from which states. */
const ACTION_RULES: Readonly<
  Record<WarningAction, { sides: readonly WarningParty[]; states: readonly WarningState[]; rule: string }>
> = {
  sign: { sides: ENTERPRISE_SIDE, states: ['pushed'], rule: '签收 is the enterprise duty room’s step' },
  feedback: {
    sides: ENTERPRISE_SIDE,
    states: SIGNED_ON,
    rule: '处置反馈 is the enterprise duty room’s step',
  },
  urge: {
    sides: REGULATOR_SIDE,
    states: ['pushed', 'signed', 'feedback', 'verified'],
    rule: '督办 is a regulator’s step',
  },
  verify: { sides: REGULATOR_SIDE, states: ['feedback'], rule: '核查 is a regulator’s step' },
  close: { sides: ALL_SIDES, states: SIGNED_ON, rule: 'not allowed' },
};

/** Loop order of the states (a close needs at least the rule's state). */
const STATE_RANK: Readonly<Record<WarningState, number>> = {
  pushed: 0,
  signed: 1,
  feedback: 2,
  verified: 3,
  closed: 4,
};
/** A regulator party closes a 预警 answered at its own level or below. */
const LEVEL_RANK: Readonly<Record<WarningLevel, number>> = { enterprise: 0, county: 1, city: 2, province: 3 };

/**
 * The side and state part of the rule: does this side take this action at all, and from this
 * state? The desk checks it before its timers run (a refusal then changes nothing).
 */
export function warningSideStateRefusal(
  w: Pick<WarningStepSubject, 'id' | 'state'>,
  action: WarningAction,
  party: WarningParty,
): WarningError | null {
  const { sides, states, rule } = ACTION_RULES[action];
  if (!sides.includes(party))
    return warningErrors.create('HW_CORE_WARNING_PARTY_REFUSED', { action, warningId: w.id, party, rule });
  if (!states.includes(w.state))
    return warningErrors.create('HW_CORE_WARNING_INVALID_TRANSITION', {
      action,
      warningId: w.id,
      state: w.state,
    });
  return null;
}

/** The colour's closing rule for a side that may close from this state. */
function closingRefusal(
  w: WarningStepSubject,
  party: WarningParty,
  policy: WarningPolicy,
): WarningError | null {
  // The administrator closes as break-glass from any signed state (the desk asks for a reason).
  if (party === 'admin') return null;
  const warningId = w.id;
  const rule = policy.closing[w.colour];
  if (rule.closedBy === 'enterprise' && party !== 'enterprise')
    return warningErrors.create('HW_CORE_WARNING_PARTY_REFUSED', {
      action: 'close',
      warningId,
      party,
      rule: `a ${w.colour} 预警 is closed by the enterprise (the regulator sees it)`,
    });
  if (rule.closedBy === 'regulator') {
    if (party === 'enterprise')
      return warningErrors.create('HW_CORE_WARNING_PARTY_REFUSED', {
        action: 'close',
        warningId,
        party,
        rule: `a ${w.colour} 预警 is closed by a regulator after the enterprise's feedback`,
      });
    if (LEVEL_RANK[party] < LEVEL_RANK[w.level])
      return warningErrors.create('HW_CORE_WARNING_TIER_TOO_LOW', { warningId, party, level: w.level });
  }
  if (STATE_RANK[w.state] < STATE_RANK[rule.after]) {
    const code =
      STATE_RANK[w.state] < STATE_RANK.feedback
        ? 'HW_CORE_WARNING_FEEDBACK_REQUIRED'
        : 'HW_CORE_WARNING_VERIFICATION_REQUIRED';
    return warningErrors.create(code, { warningId, state: w.state, colour: w.colour });
  }
  return null;
}

/** Why `party` may not take `action` on the 预警 as it stands, or null when it may. */
export function warningStepRefusal(
  w: WarningStepSubject,
  action: WarningAction,
  party: WarningParty,
  policy: WarningPolicy,
): WarningError | null {
  return (
    warningSideStateRefusal(w, action, party) ??
    (action === 'close' ? closingRefusal(w, party, policy) : null)
  );
}

/** The actions `party` may take now, in the loop's order ([] on a closed 预警). */
export function warningStepsFor(
  w: WarningStepSubject,
  party: WarningParty,
  policy: WarningPolicy,
): readonly WarningAction[] {
  return Object.freeze(WARNING_ACTIONS.filter((a) => warningStepRefusal(w, a, party, policy) === null));
}

import { describe, expectTypeOf, it } from 'vitest';
import type {
  AlarmActionBodies,
  AlarmCondition,
  AlarmDetail,
  AlarmRow,
  AlarmState,
  ApiError,
  ColourCounts,
  LatestValue,
  LoginBody,
  Page,
  RegionOverview,
  WarningActionBodies,
  WarningColour,
  WarningDetail,
  WarningRow,
  WarningState,
} from '@hazardwatch/contracts';

// REST answers are a protocol shared with the dashboard and integrators (STYLE.md rule 9, issue
// #18): the API serializes with these schemas and drops what they do not name, so these tests
// name every member of the key shapes exactly and a change is made on purpose.

interface Totals {
  blue: number;
  yellow: number;
  orange: number;
  red: number;
  total: number;
}

describe('alarm rows (GET /alarms, /alarms/active, /alarms/:id)', () => {
  it('locks every field of a row', () => {
    expectTypeOf<AlarmRow>().toEqualTypeOf<{
      id: string;
      condition: AlarmCondition;
      state: AlarmState;
      colour: WarningColour | null;
      active: boolean;
      enterprise: string | null;
      pointId: number | null;
      tag: string | null;
      hazard: string | null;
      gateway: string | null;
      raisedAt: number;
      updatedAt: number;
      closedAt: number | null;
      value: number | null;
      limit: number | null;
      ackedAt: number | null;
      ackedBy: string | null;
      shelvedUntilMs: number | null;
      shelveReason: string | null;
      outOfServiceReason: string | null;
      late: boolean;
    }>();
  });

  it('locks the page and the journal of one alarm', () => {
    expectTypeOf<Page<AlarmRow>>().toEqualTypeOf<{
      items: AlarmRow[];
      total: number;
      limit: number;
      offset: number;
    }>();
    expectTypeOf<AlarmDetail['events'][number]>().toEqualTypeOf<{
      from: AlarmState;
      to: AlarmState;
      ts: number;
      actor: string;
      reason: string | null;
      value: number | null;
      late: boolean;
    }>();
  });
});

describe('region overview (GET /regions/:code/overview)', () => {
  it('locks the roll-up, the child regions and the data-quality lists', () => {
    expectTypeOf<ColourCounts>().toEqualTypeOf<{
      blue: number;
      yellow: number;
      orange: number;
      red: number;
    }>();
    expectTypeOf<RegionOverview>().toEqualTypeOf<{
      code: string;
      name: string;
      colour: WarningColour | null;
      hazards: Totals;
      enterprises: Totals;
      children: {
        code: string;
        name: string;
        kind: string;
        colour: WarningColour | null;
        hazards: Totals;
        enterprises: Totals;
      }[];
      enterpriseColours: { code: string; name: string; colour: WarningColour | null }[];
      stalePoints: {
        count: number;
        items: { pointId: number; enterprise: string; tag: string; since: number }[];
      };
      outOfServicePoints: {
        count: number;
        items: { pointId: number; enterprise: string; tag: string; changeId: string | null }[];
      };
      gatewaysOffline: { count: number; items: { enterprise: string; gateway: string; since: number }[] };
      gatewaysBacklog: { readings: number; gateways: number };
    }>();
  });
});

describe('预警 (GET /warnings, /warnings/:id)', () => {
  it('locks the record, its states and its events', () => {
    expectTypeOf<WarningState>().toEqualTypeOf<'pushed' | 'signed' | 'feedback' | 'verified' | 'closed'>();
    type Level = 'enterprise' | 'county' | 'city' | 'province';
    type Party = Level | 'admin';
    expectTypeOf<WarningRow>().toEqualTypeOf<{
      id: string;
      enterprise: string;
      hazard: string | null;
      colour: WarningColour;
      state: WarningState;
      level: Level | null;
      openedAt: number;
      updatedAt: number;
      closedAt: number | null;
    }>();
    expectTypeOf<WarningDetail['events'][number]>().toEqualTypeOf<{
      type:
        | 'opened'
        | 'upgraded'
        | 'downgraded'
        | 'signed'
        | 'feedback'
        | 'urged'
        | 'verified'
        | 'escalated'
        | 'overdue'
        | 'closed';
      from: WarningState | null;
      to: WarningState;
      ts: number;
      actor: string;
      party: Party | null;
      level: Level;
      colour: WarningColour;
      previousColour: WarningColour | null;
      text: string | null;
      deadline: number | null;
      step: 'sign' | 'feedback' | 'urge' | null;
      forced: boolean | null;
      causeAlarmIds: string[];
    }>();
    expectTypeOf<WarningDetail['deadlines'][number]>().toEqualTypeOf<{
      step: 'sign' | 'feedback' | 'urge';
      dueAt: number;
      metAt: number | null;
      overdue: boolean;
    }>();
    expectTypeOf<WarningDetail['closing']>().toEqualTypeOf<{
      closedBy: 'enterprise' | 'regulator';
      after: 'signed' | 'feedback' | 'verified';
    }>();
    expectTypeOf<WarningDetail['causes'][number]['value']>().toEqualTypeOf<number | null>();
    expectTypeOf<WarningDetail['causes'][number]['limit']>().toEqualTypeOf<number | null>();
    expectTypeOf<WarningDetail['deliveries'][number]['state']>().toEqualTypeOf<
      'pending' | 'delivered' | 'failed'
    >();
  });
});

describe('errors and latest values', () => {
  it('locks the one error answer', () => {
    expectTypeOf<ApiError>().toEqualTypeOf<{ code: string; message: string }>();
  });

  it('locks the latest value: its quality is the stored code (0 good, 1 uncertain, 2 bad), not the name', () => {
    expectTypeOf<LatestValue>().toEqualTypeOf<{
      pointId: number;
      tag: string;
      unit: string;
      ts: number;
      value: number;
      quality: number;
      stale: boolean;
      inService: boolean;
    }>();
  });
});

describe('bodies the dashboard sends', () => {
  it('locks login and the alarm and 预警 action bodies, by REST verb', () => {
    expectTypeOf<LoginBody>().toEqualTypeOf<{ username: string; password: string }>();
    expectTypeOf<AlarmActionBodies>().toEqualTypeOf<{
      ack: { comment?: string };
      shelve: { reason: string; until: number };
      unshelve: { comment?: string };
      oos: { reason: string };
      return: { comment?: string };
      comment: { text: string };
    }>();
    expectTypeOf<keyof WarningActionBodies>().toEqualTypeOf<
      'sign' | 'feedback' | 'urge' | 'verify' | 'close'
    >();
    expectTypeOf<WarningActionBodies['urge']>().toEqualTypeOf<{ text: string; deadline: number }>();
    expectTypeOf<WarningActionBodies['verify']>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<keyof WarningActionBodies['sign']>().toEqualTypeOf<never>();
    expectTypeOf<WarningActionBodies['feedback']>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<WarningActionBodies['close']>().toEqualTypeOf<{ reason?: string }>();
  });
});

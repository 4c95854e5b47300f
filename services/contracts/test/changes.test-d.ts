import { expectTypeOf, test } from 'vitest';
import type {
  MonitoringChange,
  MonitoringChangeKind,
  MonitoringChangeStatus,
  ServerToClientEvents,
} from '../src/index.js';

test('a change record names who, when, what, before/after and why', () => {
  expectTypeOf<MonitoringChange['requestedBy']>().toEqualTypeOf<string>();
  expectTypeOf<MonitoringChange['requestedAt']>().toEqualTypeOf<number>();
  expectTypeOf<MonitoringChange['reason']>().toEqualTypeOf<string>();
  expectTypeOf<MonitoringChange['kinds']>().toEqualTypeOf<MonitoringChangeKind[]>();
  expectTypeOf<MonitoringChange['status']>().toEqualTypeOf<MonitoringChangeStatus>();
  expectTypeOf<'monitoring.gas-detector.disable'>().toMatchTypeOf<MonitoringChangeKind>();
  expectTypeOf<'pending'>().toMatchTypeOf<MonitoringChangeStatus>();
});

test('the live map carries change records', () => {
  expectTypeOf<Parameters<ServerToClientEvents['change']>[0]>().toEqualTypeOf<MonitoringChange>();
});

import { describe, expectTypeOf, it } from 'vitest';
import type {
  WarningEventType,
  AlarmEvent,
  ClientToServerEvents,
  LiveAlarmEvent,
  LiveColourChange,
  LiveErrorCode,
  LiveGatewayPresence,
  LiveReauthRequest,
  LiveReauthResult,
  LiveReplayDone,
  LiveResync,
  LiveRoom,
  LiveRoomsLeft,
  LiveScope,
  LiveSessionEnded,
  LiveSessionExpired,
  LiveStatus,
  LiveSubscribeRequest,
  LiveSubscribeResult,
  LiveValue,
  LiveValueFrame,
  LiveValuesIntervalResult,
  LiveWarningEvent,
  ServerToClientEvents,
  WarningColour,
} from '@hazardwatch/contracts';
import { liveRoom } from '@hazardwatch/contracts';

// The socket.io event maps are a protocol shared with the dashboards (STYLE.md rule 9): these
// tests name every event and payload exactly, so a change is made on purpose.

describe('server → client events', () => {
  it('locks the event names and their payloads', () => {
    expectTypeOf<keyof ServerToClientEvents>().toEqualTypeOf<
      | 'alarm'
      | 'colour'
      | 'warning'
      | 'values'
      | 'gateway'
      | 'change'
      | 'replay:done'
      | 'session_expired'
      | 'session_ended'
      | 'rooms_left'
      | 'live-status'
      | 'resync'
    >();
    expectTypeOf<Parameters<ServerToClientEvents['live-status']>>().toEqualTypeOf<[status: LiveStatus]>();
    expectTypeOf<Extract<LiveStatus, { live: false }>['reason']>().toEqualTypeOf<'redis'>();
    expectTypeOf<Parameters<ServerToClientEvents['resync']>>().toEqualTypeOf<[signal: LiveResync]>();
    expectTypeOf<LiveResync>().toEqualTypeOf<{ readonly reason: 'redis'; readonly since: number }>();
    expectTypeOf<Parameters<ServerToClientEvents['alarm']>>().toEqualTypeOf<[event: LiveAlarmEvent]>();
    expectTypeOf<Parameters<ServerToClientEvents['colour']>>().toEqualTypeOf<[change: LiveColourChange]>();
    expectTypeOf<Parameters<ServerToClientEvents['warning']>>().toEqualTypeOf<[event: LiveWarningEvent]>();
    expectTypeOf<Parameters<ServerToClientEvents['values']>>().toEqualTypeOf<[frame: LiveValueFrame]>();
    expectTypeOf<Parameters<ServerToClientEvents['gateway']>>().toEqualTypeOf<
      [presence: LiveGatewayPresence]
    >();
    expectTypeOf<Parameters<ServerToClientEvents['replay:done']>>().toEqualTypeOf<[done: LiveReplayDone]>();
    expectTypeOf<Parameters<ServerToClientEvents['session_expired']>>().toEqualTypeOf<
      [expired: LiveSessionExpired]
    >();
    expectTypeOf<LiveSessionExpired>().toEqualTypeOf<{ readonly expiredAt: number }>();
    expectTypeOf<Parameters<ServerToClientEvents['session_ended']>>().toEqualTypeOf<
      [ended: LiveSessionEnded]
    >();
    expectTypeOf<LiveSessionEnded>().toEqualTypeOf<{
      readonly reason: 'user_disabled' | 'user_deleted' | 'grant_changed';
    }>();
    expectTypeOf<Parameters<ServerToClientEvents['rooms_left']>>().toEqualTypeOf<[left: LiveRoomsLeft]>();
    expectTypeOf<LiveRoomsLeft>().toEqualTypeOf<{
      readonly rooms: readonly LiveRoom[];
      readonly reason: 'out_of_scope';
    }>();
  });

  it('locks the alarm event: the stored event plus its id and place', () => {
    expectTypeOf<LiveAlarmEvent>().toMatchTypeOf<AlarmEvent>();
    expectTypeOf<Omit<LiveAlarmEvent, keyof AlarmEvent>>().toEqualTypeOf<{
      readonly id: number;
      readonly colour: WarningColour | null;
      readonly enterprise: string | null;
      readonly hazard: string | null;
      readonly gateway: string | null;
      readonly region: string | null;
      readonly limit?: number | null;
      readonly replayed: boolean;
    }>();
  });

  it('locks values, colour changes, presence and replay', () => {
    expectTypeOf<LiveValue>().toEqualTypeOf<{
      readonly pointId: number;
      readonly ts: number;
      readonly value: number;
      readonly quality: 'good' | 'uncertain' | 'bad';
    }>();
    expectTypeOf<LiveColourChange['level']>().toEqualTypeOf<
      'point' | 'gateway' | 'hazard' | 'enterprise' | 'region'
    >();
    expectTypeOf<LiveColourChange['to']>().toEqualTypeOf<WarningColour | null>();
    expectTypeOf<LiveColourChange['seq']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<LiveGatewayPresence>().toEqualTypeOf<{
      readonly enterprise: string;
      readonly gateway: string;
      readonly online: boolean;
      readonly ts: number;
      readonly spoolDepth: number | null;
      readonly since?: number;
    }>();
    expectTypeOf<LiveReplayDone>().toEqualTypeOf<{
      readonly lastEventId: number;
      readonly count: number;
      readonly complete: boolean;
    }>();
    expectTypeOf<LiveWarningEvent['to']>().toEqualTypeOf<
      'pushed' | 'signed' | 'feedback' | 'verified' | 'closed'
    >();
    expectTypeOf<LiveWarningEvent['type']>().toEqualTypeOf<WarningEventType>();
  });
});

describe('client → server events', () => {
  it('locks the event names, requests and acknowledgements', () => {
    expectTypeOf<keyof ClientToServerEvents>().toEqualTypeOf<
      'subscribe' | 'unsubscribe' | 'values:interval' | 'reauth'
    >();
    expectTypeOf<Parameters<ClientToServerEvents['subscribe']>[0]>().toEqualTypeOf<LiveSubscribeRequest>();
    expectTypeOf<
      Parameters<Parameters<ClientToServerEvents['subscribe']>[1]>[0]
    >().toEqualTypeOf<LiveSubscribeResult>();
    expectTypeOf<
      Parameters<Parameters<ClientToServerEvents['values:interval']>[1]>[0]
    >().toEqualTypeOf<LiveValuesIntervalResult>();
    expectTypeOf<Parameters<ClientToServerEvents['values:interval']>[0]>().toEqualTypeOf<{
      intervalMs: number;
    }>();
    expectTypeOf<Parameters<ClientToServerEvents['reauth']>[0]>().toEqualTypeOf<LiveReauthRequest>();
    expectTypeOf<LiveReauthRequest>().toEqualTypeOf<{ token: string }>();
    expectTypeOf<
      Parameters<Parameters<ClientToServerEvents['reauth']>[1]>[0]
    >().toEqualTypeOf<LiveReauthResult>();
    expectTypeOf<Extract<LiveReauthResult, { ok: true }>>().toEqualTypeOf<{
      readonly ok: true;
      readonly expiresAt: number;
      readonly rooms: readonly LiveRoom[];
    }>();
  });

  it('locks the scopes as a union tagged on type', () => {
    expectTypeOf<LiveScope>().toEqualTypeOf<
      | { type: 'region'; code: string }
      | { type: 'enterprise'; code: string }
      | { type: 'hazard'; enterprise: string; code: string }
      | { type: 'point'; id: number }
      | { type: 'platform' }
    >();
    expectTypeOf<LiveSubscribeRequest>().toEqualTypeOf<{ scopes: LiveScope[]; sinceEventId?: number }>();
    expectTypeOf(liveRoom).returns.toEqualTypeOf<LiveRoom>();
  });

  it('locks the refusal codes, shared with the REST API', () => {
    expectTypeOf<LiveErrorCode>().toEqualTypeOf<
      | 'HW_API_UNAUTHENTICATED'
      | 'HW_API_SESSION_ENDED'
      | 'HW_API_VALIDATION'
      | 'HW_API_FORBIDDEN'
      | 'HW_API_NOT_FOUND'
      | 'HW_API_SITE_UNAVAILABLE'
      | 'HW_API_INTERNAL'
    >();
    expectTypeOf<
      Extract<LiveSubscribeResult, { ok: false }>['error']['code']
    >().toEqualTypeOf<LiveErrorCode>();
  });
});

import { describe, expect, it } from 'vitest';
import { GatewayPresence, type GatewayState } from '@hazardwatch/ingest';

const status = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));
const birth = (spoolDepth?: number) =>
  status({ type: 'birth', ts: 1, ...(spoolDepth === undefined ? {} : { spoolDepth }) });
const death = () => status({ type: 'death', ts: 2 });
const heartbeat = (spoolDepth?: number) =>
  status({ type: 'heartbeat', ts: 3, ...(spoolDepth === undefined ? {} : { spoolDepth }) });

function watched(): { presence: GatewayPresence; changes: Array<[string, boolean]> } {
  const presence = new GatewayPresence();
  const changes: Array<[string, boolean]> = [];
  presence.onChange((s: GatewayState) => changes.push([`${s.enterprise}/${s.gateway}`, s.online]));
  return { presence, changes };
}

describe('GatewayPresence transitions', () => {
  type Step = ['status', Buffer] | ['seen'];
  const cases: Array<{ name: string; steps: Step[]; notified: boolean[]; online: boolean }> = [
    { name: 'birth of an unknown gateway', steps: [['status', birth()]], notified: [true], online: true },
    {
      name: 'a retained death of an unknown gateway',
      steps: [['status', death()]],
      notified: [true],
      online: false,
    },
    {
      name: 'heartbeats while online: only a new spool depth is news',
      steps: [
        ['status', birth()],
        ['status', heartbeat(5)],
        ['status', heartbeat(5)],
        ['status', heartbeat(0)],
      ],
      notified: [true, true, false, true],
      online: true,
    },
    {
      name: 'death after birth',
      steps: [
        ['status', birth()],
        ['status', death()],
      ],
      notified: [true, true],
      online: false,
    },
    {
      name: 'a second death',
      steps: [
        ['status', birth()],
        ['status', death()],
        ['status', death()],
      ],
      notified: [true, true, false],
      online: false,
    },
    {
      name: 'birth after death',
      steps: [
        ['status', death()],
        ['status', birth()],
      ],
      notified: [true, true],
      online: true,
    },
    {
      name: 'heartbeat after death',
      steps: [
        ['status', death()],
        ['status', heartbeat()],
      ],
      notified: [true, true],
      online: true,
    },
    {
      name: 'telemetry after death',
      steps: [['status', death()], ['seen']],
      notified: [true, true],
      online: true,
    },
    { name: 'telemetry from an unknown gateway', steps: [['seen']], notified: [true], online: true },
    {
      name: 'telemetry while online',
      steps: [['status', birth()], ['seen'], ['seen']],
      notified: [true, false, false],
      online: true,
    },
  ];

  it.each(cases)('$name', ({ steps, notified, online }) => {
    const { presence, changes } = watched();
    let nowMs = 10_000;
    const seenNotices = steps.map((step) => {
      const before = changes.length;
      nowMs += 5000;
      if (step[0] === 'status') expect(presence.status('E1', 'GW1', step[1], nowMs)).toBeDefined();
      else presence.seen('E1', 'GW1', nowMs);
      return changes.length > before;
    });
    expect(seenNotices).toEqual(notified);
    expect(presence.get('E1', 'GW1')?.online).toBe(online);
    expect(changes.every(([key]) => key === 'E1/GW1')).toBe(true);
  });

  it('keeps spool depth and last-seen time from heartbeats and telemetry', () => {
    const { presence } = watched();
    presence.status('E1', 'GW1', heartbeat(42), 1000);
    expect(presence.get('E1', 'GW1')).toEqual({
      enterprise: 'E1',
      gateway: 'GW1',
      online: true,
      lastSeenMs: 1000,
      spoolDepth: 42,
      sinceMs: 1000,
    });
    // Telemetry within a second of the last sign of life is not worth a state update.
    presence.seen('E1', 'GW1', 1500);
    expect(presence.get('E1', 'GW1')?.lastSeenMs).toBe(1000);
    presence.seen('E1', 'GW1', 2000);
    expect(presence.get('E1', 'GW1')).toMatchObject({ lastSeenMs: 2000, spoolDepth: 42 });
  });

  it('keeps the last reported spool depth through a death or a status without one', () => {
    const { presence } = watched();
    presence.status('E1', 'GW1', heartbeat(42), 1000);
    presence.status('E1', 'GW1', death(), 2000);
    expect(presence.get('E1', 'GW1')).toMatchObject({ online: false, lastSeenMs: 2000, spoolDepth: 42 });
    presence.status('E1', 'GW1', birth(), 3000);
    expect(presence.get('E1', 'GW1')).toMatchObject({ online: true, spoolDepth: 42 });
    presence.status('E1', 'GW1', heartbeat(0), 4000);
    expect(presence.get('E1', 'GW1')?.spoolDepth).toBe(0);
  });

  it('knows since when a gateway is in its state: kept by heartbeats, telemetry and depth changes, moved by a change (issue #21)', () => {
    const { presence } = watched();
    presence.status('E1', 'GW1', birth(), 1000);
    presence.status('E1', 'GW1', heartbeat(5), 2000);
    presence.seen('E1', 'GW1', 4000);
    presence.status('E1', 'GW1', heartbeat(0), 6000);
    expect(presence.get('E1', 'GW1')).toMatchObject({ online: true, lastSeenMs: 6000, sinceMs: 1000 });
    presence.status('E1', 'GW1', death(), 7000);
    presence.status('E1', 'GW1', death(), 8000);
    expect(presence.get('E1', 'GW1')).toMatchObject({ online: false, sinceMs: 7000 });
    presence.seen('E1', 'GW1', 9000);
    expect(presence.get('E1', 'GW1')).toMatchObject({ online: true, sinceMs: 9000 });
  });

  it('tracks gateways apart', () => {
    const { presence, changes } = watched();
    presence.status('E1', 'GW1', birth(), 1);
    presence.status('E1', 'GW2', birth(), 1);
    presence.status('E2', 'GW1', birth(), 1);
    presence.status('E1', 'GW2', death(), 2);
    expect(changes).toEqual([
      ['E1/GW1', true],
      ['E1/GW2', true],
      ['E2/GW1', true],
      ['E1/GW2', false],
    ]);
    expect(presence.all().map((s) => [s.enterprise, s.gateway, s.online])).toEqual([
      ['E1', 'GW1', true],
      ['E1', 'GW2', false],
      ['E2', 'GW1', true],
    ]);
  });

  it('accepts unknown extra fields in a status (the schema is open for newer gateways)', () => {
    const { presence } = watched();
    expect(
      presence.status('E1', 'GW1', status({ type: 'birth', ts: 1, version: '2.1.0', uptimeSec: 5 }), 1),
    ).toMatchObject({ type: 'birth', uptimeSec: 5 });
  });

  it.each([
    ['not JSON', Buffer.from('{"type":')],
    ['empty', Buffer.alloc(0)],
    ['JSON null', status(null)],
    ['an array', status([{ type: 'birth', ts: 1 }])],
    ['missing type', status({ ts: 1 })],
    ['unknown type', status({ type: 'reboot', ts: 1 })],
    ['missing ts', status({ type: 'birth' })],
    ['negative ts', status({ type: 'birth', ts: -1 })],
    ['fractional ts', status({ type: 'birth', ts: 1.5 })],
    ['negative spoolDepth', status({ type: 'heartbeat', ts: 1, spoolDepth: -1 })],
    ['version longer than 64', status({ type: 'birth', ts: 1, version: 'v'.repeat(65) })],
  ])('refuses a status that is %s without changing state', (_name, payload) => {
    const { presence, changes } = watched();
    presence.status('E1', 'GW1', death(), 1);
    expect(presence.status('E1', 'GW1', payload, 2)).toBeUndefined();
    expect(presence.get('E1', 'GW1')).toMatchObject({ online: false, lastSeenMs: 1 });
    expect(changes).toHaveLength(1);
  });

  it('retain forgets the gateways the site lost, silently, and keeps the rest', () => {
    const { presence, changes } = watched();
    presence.status('E1', 'GW1', birth(3), 1);
    presence.status('E1', 'GW2', birth(), 1);
    presence.seen('E2', 'GW1', 1);
    const gone = presence.retain((e, g) => e === 'E1' && g === 'GW1');
    expect(gone.map((s) => `${s.enterprise}/${s.gateway}`)).toEqual(['E1/GW2', 'E2/GW1']);
    expect(presence.all()).toEqual([
      { enterprise: 'E1', gateway: 'GW1', online: true, lastSeenMs: 1, spoolDepth: 3, sinceMs: 1 },
    ]);
    expect(changes).toHaveLength(3);
  });
});

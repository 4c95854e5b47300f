/**
 * Live state for the views: open alarms, latest values, four-colour states, 预警 and gateway
 * presence, fed by REST snapshots and the socket.io push. The books are plain classes; Vue sees a
 * version counter per book, bumped after each merge, so a burst of events costs one render.
 */
import { computed, ref, shallowRef } from 'vue';
import type { LiveScope } from '@hazardwatch/contracts';
import { systemClock, type Clock } from '@hazardwatch/kit';
import type { HazardApi } from '../api/endpoints.js';
import type { WarningRow } from '@hazardwatch/contracts';
import { createBeeper } from '../logic/beeper.js';
import { Horn, QUIET, type HornState } from '../logic/horn.js';
import { sortAlarms } from '../logic/alarm-sort.js';
import { FloodDetector } from '../logic/flood.js';
import { logger } from '../logic/logger.js';
import { LiveClient, type ConnectionState, type LiveClientOptions } from '../live/live-client.js';
import { ConsoleAlarmList } from './console-alarm-list.js';
import { ColourBook } from './colour-book.js';
import type { SiteStore } from './site-store.js';
import { heldFromLatest, ValueBook } from './value-book.js';

const log = logger('live-store');
/** No live message for this long while "connected" ⇒ shown as quiet, not live. */
export const QUIET_AFTER_MS = 15_000;

/** A silence's audit names at most this many alarms (the API's limit); the count is always whole. */
const SILENCE_IDS_MAX = 500;

export function createLiveStore(
  api: HazardApi,
  site: SiteStore,
  now: () => number = () => Date.now(),
  clock: Clock = systemClock,
) {
  const alarms = new ConsoleAlarmList((id) => site.points.value.get(id));
  const values = new ValueBook();
  const colours = new ColourBook();
  const flood = new FloodDetector();
  const beeper = createBeeper();
  /** The horn's state for the views (logic/horn.ts): quiet, sounding or silenced. */
  const horn = shallowRef<HornState>(QUIET);
  /** The last silence could not be written to the audit log (it still holds on this console). */
  const hornAuditFailed = ref(false);
  const hornEngine = new Horn({
    clock,
    sound: (colour) => beeper.play(colour),
    onChange: (state) => (horn.value = state),
  });
  /** The horn follows the open alarms after every change to them. */
  const syncHorn = (): void => hornEngine.update(alarms.all());
  const alarmsVersion = ref(0);
  const valuesVersion = ref(0);
  const coloursVersion = ref(0);
  const warnings = shallowRef<WarningRow[]>([]);
  const gatewayOnline = shallowRef(
    new Map<string, { online: boolean; ts: number; spoolDepth: number | null; since?: number }>(),
  );
  /** Monitoring changes waiting for a regulator in the caller's scope (the header's badge). */
  const pendingChanges = ref(0);
  /** Bumped by every live `change` event: the changes view reads its page again. */
  const changesVersion = ref(0);
  const connection = ref<ConnectionState>('connecting');
  const connectionDetail = ref<string | null>(null);
  /**
   * Since when (server time, ms UTC) the server cannot push live events although connected (its
   * Redis is lost); null while it can. The snapshots are then reloaded every 10 s.
   */
  const pushDegradedSince = ref<number | null>(null);
  /** Client time of the last live message or snapshot: the "data as of" of the header. */
  const lastDataAt = ref<number | null>(null);
  const floodCount = ref(0);
  const muted = ref(localStorage.getItem('hw.muted') === '1');
  beeper.muted = muted.value;
  let client: LiveClient | null = null;

  const sortedAlarms = computed(() => {
    void alarmsVersion.value;
    return sortAlarms(alarms.all());
  });

  const touch = (): void => {
    lastDataAt.value = now();
  };

  function recolourFromAlarms(since: number): void {
    const list = alarms.all();
    const byPoint = ColourBook.fromAlarms(
      list.map((a) => ({ ...a, key: a.pointId === null ? null : String(a.pointId) })),
    );
    const byHazard = ColourBook.fromAlarms(
      list.map((a) => ({
        ...a,
        key: a.hazard !== null && a.enterprise !== null ? `${a.enterprise}/${a.hazard}` : null,
      })),
    );
    for (const p of site.points.value.values())
      colours.set('point', String(p.id), byPoint.get(String(p.id)) ?? null, since);
    for (const h of site.hazards.value) {
      const code = `${h.enterprise}/${h.code}`;
      colours.set('hazard', code, byHazard.get(code) ?? null, since);
    }
    for (const o of site.overviews.value.values()) {
      colours.set('region', o.code, o.colour, since);
      for (const e of o.enterpriseColours) colours.set('enterprise', e.code, e.colour, since);
    }
    coloursVersion.value += 1;
  }

  async function refreshPendingChanges(): Promise<void> {
    try {
      pendingChanges.value = await api.pendingChangeCount();
    } catch (err) {
      log.warn({ err: String(err) }, 'pending changes count failed');
    }
  }

  /** REST snapshots: open alarms, latest values, overviews (colours), 预警. */
  async function reload(): Promise<void> {
    const alarmsSince = alarms.mark();
    const coloursSince = colours.mark();
    const [open, latest, warns] = await Promise.all([
      api.activeAlarms(),
      Promise.all(site.enterprises.value.map((e) => api.latestOfEnterprise(e.code))),
      api.warnings(),
      site.loadOverviews(),
    ]).catch((err: unknown) => {
      // No snapshot comes of this mark: the alarm list keeps no closed alarm for it.
      alarms.abandon(alarmsSince);
      throw err;
    });
    alarms.loadSnapshot(open, alarmsSince);
    alarmsVersion.value += 1;
    syncHorn();
    if (values.merge(latest.flat().map(heldFromLatest)) > 0) valuesVersion.value += 1;
    warnings.value = warns;
    void refreshPendingChanges();
    recolourFromAlarms(coloursSince);
    touch();
  }

  function start(
    scopes: readonly LiveScope[],
    options: Pick<LiveClientOptions, 'token' | 'refreshToken' | 'connect'>,
  ): void {
    client?.stop();
    client = new LiveClient({
      ...options,
      scopes,
      sinceEventId: () => alarms.lastEventId,
      handlers: {
        state: (s, detail) => {
          connection.value = s;
          connectionDetail.value = detail ?? null;
        },
        alarm: (e) => {
          const change = alarms.apply(e);
          touch();
          if (change.kind === 'ignored') return;
          alarmsVersion.value += 1;
          syncHorn();
          if (change.kind !== 'closed' && change.annunciated) {
            // Arrival time on this console (the operator's load), never the server's event time:
            // the two clocks are not compared. Replayed events are past annunciations.
            if (!e.replayed) flood.record(now());
            floodCount.value = flood.count(now());
          }
        },
        colour: (c) => {
          touch();
          colours.apply(c);
          coloursVersion.value += 1;
        },
        warning: () => {
          touch();
          api.warnings().then(
            (w) => (warnings.value = w),
            (err: unknown) => log.warn({ err: String(err) }, 'warnings reload failed'),
          );
        },
        values: (v) => {
          touch();
          if (values.merge(v) > 0) valuesVersion.value += 1;
        },
        gateway: (g) => {
          touch();
          const next = new Map(gatewayOnline.value);
          next.set(`${g.enterprise}/${g.gateway}`, {
            online: g.online,
            ts: g.ts,
            spoolDepth: g.spoolDepth,
            ...(g.since === undefined ? {} : { since: g.since }),
          });
          gatewayOnline.value = next;
        },
        change: (record) => {
          touch();
          changesVersion.value += 1;
          void refreshPendingChanges();
          // An approved (or directly applied) change to a point is in force: show the point as it is now.
          if (record.pointId !== null && (record.status === 'approved' || record.status === 'applied')) {
            const id = record.pointId;
            api.point(id).then(
              (p) => site.replacePoint(p),
              (err: unknown) => log.warn({ err: String(err), id }, 'point reload failed'),
            );
          }
        },
        replayDone: (d) => {
          // A capped replay misses events: the snapshot reload that follows the resubscription covers them.
          if (!d.complete) log.warn({ count: d.count }, 'replay incomplete');
        },
        resync: () => {
          reload().catch((err: unknown) => log.error({ err: String(err) }, 'snapshot reload failed'));
        },
        pushDegraded: (since) => {
          pushDegradedSince.value = since;
        },
      },
    });
    client.start();
  }

  function stop(): void {
    client?.stop();
    client = null;
    hornEngine.dispose();
    horn.value = QUIET;
  }

  /**
   * Silences the horn over the alarms sounding now, at once, and audits it on the server (user,
   * time, count). A failed audit is logged and shown; the silence holds either way, since the
   * operator needs the quiet now and the alarms still await acknowledgement in the list.
   */
  async function silenceHorn(): Promise<void> {
    const silence = hornEngine.silence();
    if (silence === null) return;
    try {
      await api.silenceHorn({
        sounding: silence.count,
        alarms: silence.alarms.slice(0, SILENCE_IDS_MAX),
      });
      hornAuditFailed.value = false;
    } catch (err) {
      hornAuditFailed.value = true;
      log.warn({ err: String(err), sounding: silence.count }, 'horn silence not audited');
    }
  }

  function setMuted(m: boolean): void {
    muted.value = m;
    beeper.muted = m;
    localStorage.setItem('hw.muted', m ? '1' : '0');
  }

  /** Re-evaluates the flood window as time passes (no new alarm needed to leave a flood). */
  function tick(): void {
    floodCount.value = flood.count(now());
  }

  return {
    alarms,
    values,
    colours,
    alarmsVersion,
    valuesVersion,
    coloursVersion,
    sortedAlarms,
    warnings,
    gatewayOnline,
    pendingChanges,
    changesVersion,
    refreshPendingChanges,
    connection,
    connectionDetail,
    pushDegradedSince,
    lastDataAt,
    floodCount,
    muted,
    beeper,
    horn,
    hornAuditFailed,
    silenceHorn,
    reload,
    start,
    stop,
    setMuted,
    tick,
  };
}

export type LiveStore = ReturnType<typeof createLiveStore>;

import type { AlarmRecord, IndexedPoint, SiteIndex, WarningRecord } from '@hazardwatch/core';
import { AlarmRepository, loadPointIds, WarningRepository, type SqlClient } from '@hazardwatch/store';

/**
 * The enterprises one ingest worker evaluates (docs/operations.md §5): every enterprise of the
 * site (`null`, one worker or `serve`), or the ones it is pinned to (HW_INGEST_ENTERPRISES). A
 * pinned worker receives only its own enterprises' readings and status, so its evaluators, its
 * staleness clocks and its alarm book must hold only those: a staleness clock for a point whose
 * readings go to another worker would run out and raise STALE or GATEWAY_OFFLINE (and from them
 * 预警 and notifications) for a plant that is reporting normally, and an alarm restored by two
 * workers would be owned twice.
 */
export class EnterpriseScope {
  private constructor(private readonly codes: ReadonlySet<string> | null) {}

  /** From the worker's owned enterprises (`ownedEnterprises` of its subscriptions); null: all. */
  static of(owned: readonly string[] | null): EnterpriseScope {
    return new EnterpriseScope(owned === null ? null : new Set(owned));
  }

  /** True when the worker evaluates every enterprise. */
  get all(): boolean {
    return this.codes === null;
  }

  has(enterprise: string): boolean {
    return this.codes === null || this.codes.has(enterprise);
  }

  /** The site's points this worker evaluates. */
  points(index: SiteIndex): readonly IndexedPoint[] {
    const points = index.points();
    return this.codes === null ? points : points.filter((p) => this.has(p.enterprise));
  }

  /** The site's gateways whose silence this worker judges (GATEWAY_OFFLINE). */
  gateways(index: SiteIndex): SiteIndex['site']['gateways'] {
    const { gateways } = index.site;
    return this.codes === null ? gateways : gateways.filter((g) => this.has(g.enterprise));
  }

  /**
   * The alarm store this worker restores its book from: every open alarm when it evaluates every
   * enterprise; pinned, its enterprises' open alarms only (platform alarms are the unpinned
   * worker's, docs/operations.md §6.2). A point is placed by the site in force, or — removed from
   * the site since — by the enterprise its stored id was issued for.
   */
  alarms(client: SqlClient, enterpriseOfPoint: (pointId: number) => string | undefined): AlarmRepository {
    return this.codes === null
      ? new AlarmRepository(client)
      : new ScopedAlarmRepository(client, this, enterpriseOfPoint);
  }

  /** The 预警 store this worker restores its desk from (pinned: its enterprises' open 预警 only). */
  warnings(client: SqlClient): WarningRepository {
    return this.codes === null ? new WarningRepository(client) : new ScopedWarningRepository(client, this);
  }
}

class ScopedAlarmRepository extends AlarmRepository {
  constructor(
    private readonly sql: SqlClient,
    private readonly scope: EnterpriseScope,
    private readonly enterpriseOfPoint: (pointId: number) => string | undefined,
  ) {
    super(sql);
  }

  override async openAlarms(): Promise<AlarmRecord[]> {
    const open = await super.openAlarms();
    let issued: Map<number, string> | undefined;
    const owned: AlarmRecord[] = [];
    for (const alarm of open) {
      const { source } = alarm;
      if (source.kind === 'platform') continue;
      let enterprise = source.kind === 'gateway' ? source.enterprise : this.enterpriseOfPoint(source.pointId);
      if (enterprise === undefined && source.kind === 'point') {
        issued ??= await this.issuedPointIds();
        enterprise = issued.get(source.pointId);
      }
      if (enterprise !== undefined && this.scope.has(enterprise)) owned.push(alarm);
    }
    return owned;
  }

  /** Point id → enterprise of every id ever issued (point_ids keeps removed points' ids). */
  private async issuedPointIds(): Promise<Map<number, string>> {
    const byId = new Map<number, string>();
    for (const [key, id] of await loadPointIds(this.sql)) byId.set(id, key.slice(0, key.indexOf('\u0000')));
    return byId;
  }
}

class ScopedWarningRepository extends WarningRepository {
  constructor(
    client: SqlClient,
    private readonly scope: EnterpriseScope,
  ) {
    super(client);
  }

  override async openRecords(): Promise<WarningRecord[]> {
    return (await super.openRecords()).filter((r: WarningRecord) => this.scope.has(r.enterprise));
  }
}

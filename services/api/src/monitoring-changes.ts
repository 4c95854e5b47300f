import type { MonitoringChange } from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import {
  MonitoringChangeRepository,
  type MonitoringChangeDecision,
  type NewMonitoringChange,
  type SqlClient,
  type StoredMonitoringChange,
} from '@hazardwatch/store';
import { ChangeBroadcast, type ChangeFeed } from './live/change-feed.js';

/**
 * The API's side of the change records (issue #19 item 2): written and decided through the
 * repository, served with the point id the site model knows, and published to the live feed at
 * once, so the regulator's console shows them without reloading.
 */
export class MonitoringChanges {
  readonly repository: MonitoringChangeRepository;
  readonly #broadcast = new ChangeBroadcast();

  constructor(
    client: SqlClient,
    private readonly site: () => SiteIndex | undefined,
  ) {
    this.repository = new MonitoringChangeRepository(client);
  }

  get feed(): ChangeFeed {
    return this.#broadcast;
  }

  /** The record as REST serves it: a point target with its id when the site model has the point. */
  dto(stored: StoredMonitoringChange): MonitoringChange {
    let pointId: number | null = null;
    if (stored.targetType === 'point') {
      const slash = stored.targetId.indexOf('/');
      const tag = stored.targetId.slice(slash + 1);
      pointId = this.site()?.pointByKey(stored.enterprise, tag)?.id ?? null;
    }
    return { ...stored, pointId };
  }

  async record(change: NewMonitoringChange): Promise<MonitoringChange> {
    const dto = this.dto(await this.repository.record(change));
    this.#broadcast.publish(dto);
    return dto;
  }

  /** Decides a pending change; undefined when it is not pending (any more). */
  async decide(id: string, decision: MonitoringChangeDecision): Promise<MonitoringChange | undefined> {
    const stored = await this.repository.decide(id, decision);
    if (stored === undefined) return undefined;
    const dto = this.dto(stored);
    this.#broadcast.publish(dto);
    return dto;
  }
}

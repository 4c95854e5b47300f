import {
  classifyMonitoringChange,
  validateSite,
  type MonitoringChangeLine,
  type NormalisedSite,
  type SiteIndex,
} from '@hazardwatch/core';
import { importSiteDocument, latestSiteDocument, storeErrors, type SqlClient } from '@hazardwatch/store';
import { apiErrors } from './errors.js';
import { applySiteEdit, emptySiteDocument, keyOf, type EntityKey, type SiteEdit } from './site-edit.js';

/** An edit applied to the latest stored document, validated, not yet stored. */
export interface PreparedEdit {
  readonly edit: SiteEdit;
  readonly basedOnVersion: number;
  readonly document: Record<string, unknown>;
  /** The entity as written in the document, before and after (null on create / delete). */
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  /** What the edit weakens (issue #19), judged on the normal forms of the two documents. */
  readonly lines: readonly MonitoringChangeLine[];
}

export interface SiteWriterDeps {
  readonly client: SqlClient;
  readonly now: () => number;
  /** Puts a stored site in force (ingestion, this API). */
  readonly replaced?: (site: { readonly index: SiteIndex; readonly version: number }) => void;
}

/**
 * Per-entity writes to the stored site document, shared by the site-edit routes and the approval
 * of a pending change, so an approved change is applied exactly like a direct edit: to the latest
 * document, validated like a site file import, stored optimistically (a concurrent store answers
 * 409) and put in force at once. One write at a time in this process; across processes the stored
 * version number decides.
 */
export class SiteWriter {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SiteWriterDeps) {}

  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies `edit` to the latest stored document and validates the result; throws the coded
   * answers of a direct edit (404 unknown entity, 409 exists, 400 key changed or invalid site).
   */
  async prepare(edit: SiteEdit): Promise<PreparedEdit> {
    const latest = await latestSiteDocument(this.deps.client);
    const result = applySiteEdit(latest?.document, edit);
    const key = edit.op === 'create' ? keyOf(edit.entity, edit.value) : edit.key;
    const id = Object.values(key).join('/');
    if (!result.ok) {
      if (result.reason === 'not_found')
        throw apiErrors.create('HW_API_NOT_FOUND', { kind: edit.entity, id });
      if (result.reason === 'exists')
        throw apiErrors.create('HW_API_SITE_ENTITY_EXISTS', { kind: edit.entity, id });
      throw apiErrors.create('HW_API_SITE_KEY_IMMUTABLE', { kind: edit.entity, field: result.field ?? '' });
    }
    const now = this.deps.now();
    const checked = validateSite(result.document, { now });
    if (!checked.ok) {
      throw apiErrors.create('HW_API_SITE_INVALID', {
        count: checked.errors.length,
        first: checked.errors[0]?.message ?? '',
      });
    }
    const previous = validateSite(latest?.document ?? emptySiteDocument(), { now });
    const lines = previous.ok ? classify(edit, previous.site, checked.site, key) : [];
    return {
      edit,
      basedOnVersion: latest?.version ?? 0,
      document: result.document,
      before: result.before,
      after: result.after,
      lines,
    };
  }

  /** Stores a prepared edit as a new version and puts it in force; its version. */
  async commit(prepared: PreparedEdit): Promise<number> {
    let loaded;
    try {
      loaded = await importSiteDocument(
        this.deps.client,
        JSON.stringify(prepared.document),
        'json',
        this.deps.now(),
        { basedOnVersion: prepared.basedOnVersion },
      );
    } catch (error) {
      if (storeErrors.is(error, 'HW_STORE_SITE_CONFLICT'))
        throw apiErrors.create('HW_API_SITE_CONFLICT', { latest: error.data.latest });
      throw error;
    }
    if (!loaded.ok) {
      throw apiErrors.create('HW_API_SITE_INVALID', {
        count: loaded.errors.length,
        first: loaded.errors[0]?.message ?? '',
      });
    }
    this.deps.replaced?.({ index: loaded.index, version: loaded.version });
    return loaded.version;
  }
}

/** The entity in both normal forms, compared (regions weaken no monitoring). */
function classify(
  edit: SiteEdit,
  before: NormalisedSite,
  after: NormalisedSite,
  key: EntityKey,
): readonly MonitoringChangeLine[] {
  const same = (item: Readonly<Record<string, unknown>>): boolean =>
    Object.entries(key).every(([field, value]) => item[field] === value);
  switch (edit.entity) {
    case 'point':
      return classifyMonitoringChange({
        entity: 'point',
        ...defined('before', before.points.find(same)),
        ...defined('after', after.points.find(same)),
      });
    case 'hazard':
      return classifyMonitoringChange({
        entity: 'hazard',
        ...defined('before', before.hazards.find(same)),
        ...defined('after', after.hazards.find(same)),
      });
    case 'gateway':
      return classifyMonitoringChange({
        entity: 'gateway',
        ...defined('before', before.gateways.find(same)),
        ...defined('after', after.gateways.find(same)),
      });
    case 'enterprise':
      return classifyMonitoringChange({
        entity: 'enterprise',
        ...defined('before', before.enterprises.find(same)),
        ...defined('after', after.enterprises.find(same)),
      });
    case 'region':
      return [];
  }
}

const defined = <K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, T>);

/**
 * One generation of the OPC-UA source's link to the server: client, session, subscriptions and
 * monitored items, built from scratch and thrown away whole. The source never lets node-opcua
 * repair a broken link (its built-in reconnection is known to leave subscriptions dead:
 * node-opcua #1059, #674); any sign of trouble reports `failed` once and the source builds a
 * new generation with its own backoff.
 *
 * Tags whose node is missing (BadNodeIdUnknown, unresolved browse path) stay `unavailable` while
 * the rest flow, and are tried again by `retryUnavailable()`: a server may get the node back
 * after a reconfiguration.
 *
 * `unchangedThrough(tag)` is what lets the collector repeat a quiet tag (quiet-tag-repeater.ts):
 * the server's time of the last publish response (data or keep-alive) of the tag's subscription,
 * less the item's sampling interval, for a tag whose item is alive and has delivered
 * a value on this link; nothing on a link that failed or closed.
 */
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUAClient,
  PublishResponse,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
  VariableIds,
  makeBrowsePath,
  type ClientMonitoredItemBase,
  type ClientSession,
  type ClientSessionRawSubscriptionService,
  type ClientSubscription,
  type DataValue,
  type OPCUACertificateManager,
} from 'node-opcua';
import type { TimerHandle } from '@hazardwatch/kit';
import type { CompiledOpcuaOptions, CompiledOpcuaTag } from './opcua-options.js';

export interface ConnectionEvents {
  value(tag: CompiledOpcuaTag, dataValue: DataValue): void;
  /** The link is unusable; called at most once, never after `close()`. */
  failed(reason: string): void;
}

interface Slot {
  readonly subscription: ClientSubscription;
  /** The tags this subscription serves (its share of the split), including unavailable ones. */
  readonly tags: readonly CompiledOpcuaTag[];
  /** Last publish response (data or keep-alive), clock ms. */
  lastActivity: number;
  /** PublishTime of the last publish response, the server's clock, ms UTC. */
  publishedAt: number | undefined;
}

/** Limits when the server does not say (0 or unreadable means "no limit" in Part 5 §6.3.11). */
const DEFAULT_TRANSLATE_PER_CALL = 500;
/** Bound for the polite goodbye (CloseSession) on a link that may be dead already. */
const CLOSE_TIMEOUT_MS = 2_000;

export class OpcuaConnection {
  /** Tag index → why it is not monitored (status name or resolve failure). */
  readonly unavailable = new Map<number, string>();
  private client: OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private readonly slots: Slot[] = [];
  private readonly resolved = new Map<number, string>();
  /** Tag index → server-side monitored item, to delete it when its node goes away. */
  private readonly items = new Map<number, { slot: Slot; item: ClientMonitoredItemBase }>();
  private perCall: number;
  private translatePerCall = DEFAULT_TRANSLATE_PER_CALL;
  /** Subscription id → ResponseHeader.timestamp of its last PublishResponse, server clock ms. */
  private readonly answeredAt = new Map<number, number>();
  /** Tags that delivered a value on this link (only those may be repeated). */
  private readonly delivered = new Set<number>();
  private closed = false;
  private hasFailed = false;

  constructor(
    private readonly o: CompiledOpcuaOptions,
    private readonly certificates: OPCUACertificateManager,
    private readonly events: ConnectionEvents,
  ) {
    this.perCall = o.maxItemsPerCall;
  }

  /** Connects and subscribes every available tag. Rejects on any failure; the caller then closes. */
  async open(): Promise<void> {
    const o = this.o;
    const client = OPCUAClient.create({
      applicationName: 'HazardWatch edge collector',
      endpointMustExist: false,
      securityMode: MessageSecurityMode[o.securityMode],
      securityPolicy: SecurityPolicy[o.securityPolicy],
      clientCertificateManager: this.certificates,
      // One attempt: reconnection belongs to the source, not to node-opcua.
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      requestedSessionTimeout: o.sessionTimeoutMs,
      defaultTransactionTimeout: o.connectTimeoutMs,
      transportTimeout: o.connectTimeoutMs,
      keepSessionAlive: false,
    });
    this.client = client;
    client.on('connection_lost', () => this.fail('connection lost'));
    client.on('start_reconnection', () => this.fail('connection broken'));
    client.on('close', (err?: Error | null) =>
      this.fail(`connection closed${err ? `: ${err.message}` : ''}`),
    );
    client.on('abort', () => this.fail('connection aborted by the server'));
    // Keep-alives carry no PublishTime from every server (node-opcua's have none); the response
    // header's timestamp (Part 4 §7.33, the time the server sent the response) always says when.
    // Emitted just before the response is handed to the subscription.
    client.on('receive_response', (response: unknown) => {
      if (!(response instanceof PublishResponse)) return;
      const at = response.responseHeader.timestamp?.getTime();
      if (at !== undefined && at > 0) this.answeredAt.set(response.subscriptionId, at);
    });
    await client.connect(o.endpointUrl);
    this.guard();
    const session = await client.createSession(
      o.userName === undefined
        ? { type: UserTokenType.Anonymous }
        : { type: UserTokenType.UserName, userName: o.userName, password: o.password ?? '' },
    );
    this.session = session;
    session.on('session_closed', () => this.fail('session closed'));
    session.on('keepalive_failure', () => this.fail('session keep-alive failed'));
    this.guard();
    const perSubscription = await this.readLimits(session);
    await this.resolve(o.tags);
    for (let i = 0; i < o.tags.length; i += perSubscription) {
      const slot = await this.createSlot(session, o.tags.slice(i, i + perSubscription));
      await this.monitor(
        slot,
        slot.tags.filter((t) => !this.unavailable.has(t.index)),
      );
    }
  }

  /** Tries the unavailable tags again (browse paths re-resolved) on their own subscription. */
  async retryUnavailable(): Promise<void> {
    if (this.closed || this.unavailable.size === 0) return;
    const retry = this.o.tags.filter((t) => this.unavailable.has(t.index));
    await this.resolve(retry.filter((t) => t.browsePath !== undefined));
    for (const slot of this.slots) {
      await this.monitor(
        slot,
        slot.tags.filter((t) => this.unavailable.has(t.index) && this.resolved.has(t.index)),
      );
    }
  }

  /** The longest a subscription has been without a publish response, ms. */
  silentForMs(now: number): number {
    return this.slots.reduce((worst, s) => Math.max(worst, now - s.lastActivity), 0);
  }

  /**
   * Server-clock ms up to which the tag's subscription has reported no change for it after its
   * last value; undefined when this link does not vouch for the tag (failed or closed, item not
   * monitored, no value delivered yet, no PublishTime from the server).
   *
   * A change at source time S is found by the first sample at or after S and goes out with the
   * next publish; so a publish at P without a notification for the tag means no change up to
   * P − samplingInterval. Stamping a repeat there keeps it older than any change the server still
   * has to report.
   */
  unchangedThrough(index: number): number | undefined {
    if (this.closed || this.hasFailed || !this.delivered.has(index)) return undefined;
    const entry = this.items.get(index);
    const publishedAt = entry?.slot.publishedAt;
    if (entry === undefined || publishedAt === undefined) return undefined;
    // The revised interval; negative means "the publishing interval" (Part 4 §7.16).
    const revised = entry.item.monitoringParameters.samplingInterval;
    const samplingMs = typeof revised === 'number' && revised >= 0 ? revised : this.o.publishingIntervalMs;
    return Math.floor(publishedAt - samplingMs);
  }

  get subscriptionCount(): number {
    return this.slots.length;
  }

  get monitoredCount(): number {
    return this.items.size;
  }

  /** Drops the link; the server's session goes with a CloseSession if it still answers in time. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    const timers = this.o.timers;
    let timer: TimerHandle | undefined;
    await Promise.race([
      client.disconnect().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = timers.setTimeout(resolve, CLOSE_TIMEOUT_MS);
      }),
    ]);
    timers.clearTimeout(timer);
  }

  private fail(reason: string): void {
    if (this.closed || this.hasFailed) return;
    this.hasFailed = true;
    this.events.failed(reason);
  }

  /** A step that finished after the link failed or closed must not build on it. */
  private guard(): void {
    if (this.closed || this.hasFailed) throw new Error('connection closed while opening');
  }

  /** Lowers our batch sizes to the server's operation limits (Part 5 §6.3.11, ServerCapabilities). */
  private async readLimits(session: ClientSession): Promise<number> {
    const ids = [
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerTranslateBrowsePathsToNodeIds,
      VariableIds.Server_ServerCapabilities_MaxMonitoredItemsPerSubscription,
    ];
    const values = await session.read(
      ids.map((i) => ({ nodeId: `i=${i}`, attributeId: AttributeIds.Value })),
    );
    const limit = (k: number): number | undefined => {
      const dv = values[k];
      const v: unknown = dv?.statusCode.isGood() === true ? dv.value.value : undefined;
      return typeof v === 'number' && v > 0 ? v : undefined;
    };
    this.perCall = Math.min(this.o.maxItemsPerCall, limit(0) ?? Infinity);
    this.translatePerCall = limit(1) ?? DEFAULT_TRANSLATE_PER_CALL;
    return Math.min(this.o.maxItemsPerSubscription, limit(2) ?? Infinity);
  }

  /** NodeIds for the tags: given ones as they are, browse paths translated anew (ids may change across restarts). */
  private async resolve(tags: readonly CompiledOpcuaTag[]): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    const paths = tags.filter((t) => t.browsePath !== undefined);
    for (const t of tags) if (t.nodeId !== undefined) this.resolved.set(t.index, t.nodeId);
    for (let i = 0; i < paths.length; i += this.translatePerCall) {
      const batch = paths.slice(i, i + this.translatePerCall);
      const results = await session.translateBrowsePath(
        batch.map((t) => makeBrowsePath('RootFolder', t.browsePath!)),
      );
      batch.forEach((t, k) => {
        const r = results[k];
        const target = r?.targets?.[0]?.targetId;
        if (r !== undefined && r.statusCode.isGood() && target !== undefined) {
          this.resolved.set(t.index, target.toString());
        } else {
          this.resolved.delete(t.index);
          this.unavailable.set(t.index, `browse path not resolved: ${r?.statusCode.name ?? 'no result'}`);
        }
      });
    }
  }

  private async createSlot(session: ClientSession, tags: readonly CompiledOpcuaTag[]): Promise<Slot> {
    const o = this.o;
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: o.publishingIntervalMs,
      requestedMaxKeepAliveCount: o.maxKeepAliveCount,
      // Part 4 §5.13.2: lifetime ≥ 3 × keep-alive; 6 rides out a short blip without losing the subscription.
      requestedLifetimeCount: 6 * o.maxKeepAliveCount,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    });
    this.guard();
    const slot: Slot = { subscription, tags, lastActivity: o.clock(), publishedAt: undefined };
    // Every publish response, keep-alive or data, before its notifications are dispatched (they
    // follow in the same task for numeric values; node-opcua awaits only ExtensionObject decoding).
    // The PublishTime when the server gives one (when the message was built), else the response's.
    subscription.on('raw_notification', (message: { publishTime?: Date | null }) => {
      slot.lastActivity = o.clock();
      const published = message.publishTime?.getTime();
      const at =
        published !== undefined && published > 0
          ? published
          : this.answeredAt.get(subscription.subscriptionId);
      if (at !== undefined) slot.publishedAt = at;
    });
    subscription.on('terminated', () => this.fail('subscription terminated'));
    subscription.on('internal_error', (err: Error) => this.fail(`subscription error: ${err.message}`));
    subscription.on('error', (err: Error) => this.fail(`subscription error: ${err.message}`));
    // A StatusChangeNotification (BadTimeout: the server dropped the subscription) ends the generation.
    subscription.on('status_changed', (status: { isGood(): boolean; name: string }) => {
      if (!status.isGood()) this.fail(`subscription status ${status.name}`);
    });
    this.slots.push(slot);
    return slot;
  }

  /** CreateMonitoredItems in batches no larger than the server accepts per call. */
  private async monitor(slot: Slot, tags: readonly CompiledOpcuaTag[]): Promise<void> {
    for (let i = 0; i < tags.length; i += this.perCall) {
      const batch = tags.slice(i, i + this.perCall);
      const items = batch.map((t) => ({
        nodeId: this.resolved.get(t.index)!,
        attributeId: AttributeIds.Value,
      }));
      const group = await slot.subscription.monitorItems(
        items,
        { samplingInterval: this.o.samplingIntervalMs, queueSize: 10, discardOldest: true },
        TimestampsToReturn.Both,
      );
      this.guard();
      group.on('changed', (item: ClientMonitoredItemBase, dataValue: DataValue, index: number) => {
        const tag = batch[index];
        if (tag === undefined || this.closed || this.items.get(tag.index)?.item !== item) return;
        slot.lastActivity = this.o.clock();
        this.delivered.add(tag.index);
        this.events.value(tag, dataValue);
      });
      batch.forEach((tag, k) => {
        const item = group.monitoredItems[k];
        if (item !== undefined && item.statusCode.isGood()) {
          this.unavailable.delete(tag.index);
          this.items.set(tag.index, { slot, item });
        } else {
          this.unavailable.set(tag.index, item?.statusCode.name ?? 'not created');
        }
      });
    }
  }

  /**
   * The tag's node went away under a live item (deleted by a reconfiguration): the item is deleted
   * on the server and the tag waits for `retryUnavailable()`.
   */
  markGone(tag: CompiledOpcuaTag, reason: string): void {
    const entry = this.items.get(tag.index);
    this.items.delete(tag.index);
    this.delivered.delete(tag.index);
    this.unavailable.set(tag.index, reason);
    const id = entry?.item.monitoredItemId;
    // The session object implements the raw service; node-opcua's ClientSession type omits it.
    const session = this.session as (ClientSession & ClientSessionRawSubscriptionService) | undefined;
    if (entry === undefined || id === undefined || session === undefined) return;
    session
      .deleteMonitoredItems({
        subscriptionId: entry.slot.subscription.subscriptionId,
        monitoredItemIds: [id],
      })
      .catch(() => undefined); // best effort: a dead item costs the server a little, nothing else
  }
}

/**
 * MQTT topic contract, version 1.
 *
 * Every topic carries the partition key (enterprise code, gateway code) so that the ingest
 * workers can own disjoint partitions of the fleet (ARCHITECTURE.md "Scale-out path").
 *
 *   hw/v1/{enterprise}/{gateway}/telemetry   readings, QoS 1, device → platform
 *   hw/v1/{enterprise}/{gateway}/status      birth / death (last will) / heartbeat, QoS 1, retained
 *   hw/v1/{enterprise}/{gateway}/cmd         platform → device commands (reserved)
 */
export const TOPIC_ROOT = 'hw';
export const TOPIC_VERSION = 'v1';

export const TOPIC_KINDS = ['telemetry', 'status', 'cmd'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/** Enterprise and gateway codes appear in topics, so they are restricted to a topic-safe alphabet. */
export const TOPIC_SEGMENT_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const segmentRe = new RegExp(TOPIC_SEGMENT_PATTERN);

export function isTopicSegment(value: string): boolean {
  return segmentRe.test(value);
}

export interface GatewayAddress {
  readonly enterprise: string;
  readonly gateway: string;
}

export interface ParsedTopic extends GatewayAddress {
  readonly kind: TopicKind;
}

export function gatewayTopic(kind: TopicKind, address: GatewayAddress): string {
  return `${TOPIC_ROOT}/${TOPIC_VERSION}/${address.enterprise}/${address.gateway}/${kind}`;
}

export const telemetryTopic = (address: GatewayAddress): string => gatewayTopic('telemetry', address);
export const statusTopic = (address: GatewayAddress): string => gatewayTopic('status', address);
export const commandTopic = (address: GatewayAddress): string => gatewayTopic('cmd', address);

/** Subscription filter for one topic kind, optionally narrowed to one enterprise (a partition). */
export function topicFilter(kind: TopicKind, enterprise = '+'): string {
  return `${TOPIC_ROOT}/${TOPIC_VERSION}/${enterprise}/+/${kind}`;
}

/**
 * The subscriptions of an ingest that owns the whole fleet: everything under the root, also with
 * a leading `/` or the root in upper case. A device's malformed topic (empty or extra levels, a
 * trailing `/`, a wrong-case level) then reaches the ingest, which counts it as `bad_topic`,
 * instead of being dropped by the broker for want of a subscriber. No topic matches two of these
 * filters, so no message arrives twice (MQTT-3.3.5-1 lets a broker send one copy per matching
 * subscription).
 */
export const FLEET_FILTERS: readonly string[] = Object.freeze([
  `${TOPIC_ROOT}/#`,
  `/${TOPIC_ROOT}/#`,
  `${TOPIC_ROOT.toUpperCase()}/#`,
]);

/**
 * Filters that match malformed topics only — never a well-formed five-level topic — for one
 * worker of a partitioned fleet to add to its enterprise filters (docs/mqtt-telemetry.md §2):
 * too few or too many levels (a trailing `/` is an extra, empty level), a leading `/`, the root
 * in upper case. A five-level topic with a wrong-case level cannot be told apart by a filter;
 * only `FLEET_FILTERS` sees those.
 */
export const MALFORMED_TOPIC_FILTERS: readonly string[] = Object.freeze([
  TOPIC_ROOT,
  `${TOPIC_ROOT}/+`,
  `${TOPIC_ROOT}/+/+`,
  `${TOPIC_ROOT}/+/+/+`,
  `${TOPIC_ROOT}/+/+/+/+/+/#`,
  `/${TOPIC_ROOT}/#`,
  `${TOPIC_ROOT.toUpperCase()}/#`,
]);

/**
 * Parses a v1 topic; returns undefined for anything that is not exactly a v1 gateway topic: five
 * levels, case-sensitive, no empty level, codes from the topic-safe alphabet (so no U+0000, which
 * MQTT forbids in a topic: MQTT 3.1.1 §1.5.3, §4.7.3).
 */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== TOPIC_ROOT || parts[1] !== TOPIC_VERSION) return undefined;
  const [, , enterprise, gateway, kind] = parts as [string, string, string, string, string];
  if (!isTopicSegment(enterprise) || !isTopicSegment(gateway)) return undefined;
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) return undefined;
  return { enterprise, gateway, kind: kind as TopicKind };
}

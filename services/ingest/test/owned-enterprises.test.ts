import { describe, expect, it } from 'vitest';
import { FLEET_FILTERS, MALFORMED_TOPIC_FILTERS, topicFilter } from '@hazardwatch/contracts';
import { ownedEnterprises } from '@hazardwatch/ingest';

/** Which enterprises' forwarded actions an ingest worker applies, from its subscriptions. */
describe('ownedEnterprises', () => {
  it.each([
    ['the default subscriptions', FLEET_FILTERS, null],
    ['whole-fleet filters per kind', [topicFilter('telemetry'), topicFilter('status')], null],
    [
      'one partition with the malformed-topic catch-alls',
      [topicFilter('telemetry', 'E1'), topicFilter('status', 'E1'), ...MALFORMED_TOPIC_FILTERS],
      ['E1'],
    ],
    [
      'HW_INGEST_ENTERPRISES=E1,E2',
      ['E1', 'E2'].flatMap((e) => [topicFilter('telemetry', e), topicFilter('status', e)]),
      ['E1', 'E2'],
    ],
    ['a multi-level wildcard', ['hw/v1/#'], null],
    ['a bare #', ['#'], null],
    ['a wildcard version', ['hw/+/E1/+/telemetry'], null],
    ['one enterprise among others', ['hw/v1/E1/+/telemetry', 'hw/v1/+/+/status'], null],
    ['foreign topics only', ['other/v1/E1/+/telemetry'], []],
  ] as const)('%s', (_name, subscriptions, expected) => {
    expect(ownedEnterprises(subscriptions)).toEqual(expected);
  });
});

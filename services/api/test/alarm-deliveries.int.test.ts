import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmDetail } from '@hazardwatch/contracts';
import { NotificationOutbox } from '@hazardwatch/store';
import { buildTestApi, NOW, type TestApi } from './support/api-fixture.js';

/**
 * GET /alarms/:id shows the alarm's own deliveries (issue #19 item 6): the fire-control-room
 * channel of GB/T 50493-2019 §5.1.2, with its state, and whether the alarm was sent there.
 */
describe('alarm detail: fire-control-room deliveries', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
    const outbox = new NotificationOutbox(api.client);
    await outbox.enqueue(
      [
        {
          channel: 'fire-room',
          payload: {
            message: { title: '【消防控制室】', text: '', link: null, params: {} },
            to: null,
            mention: [],
          },
          alarmId: 'alarm-e1',
          kind: 'fire_control',
          recipient: { role: 'fire_control', name: '消防控制室', address: 'fire-room', regionCode: null },
        },
      ],
      NOW - 10_000,
    );
    const [item] = await outbox.claimDue(10, NOW, 60_000);
    await outbox.markDelivered(item!.id, NOW - 9_000);
  });
  afterAll(() => api.close());

  const detail = async (id: string): Promise<AlarmDetail> => {
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/v1/alarms/${id}`,
      headers: api.auth('opE1'),
    });
    expect(res.statusCode).toBe(200);
    return res.json<AlarmDetail>();
  };

  it('an alarm sent to the fire-control room says so, with the delivery and its state', async () => {
    const alarm = await detail('alarm-e1');
    expect(alarm.fireControl).toBe(true);
    expect(alarm.deliveries).toEqual([
      expect.objectContaining({
        channel: 'fire-room',
        kind: 'fire_control',
        recipient: { role: 'fire_control', name: '消防控制室', address: 'fire-room', regionCode: null },
        state: 'delivered',
        attempts: 1,
        deliveredAt: NOW - 9_000,
      }),
    ]);
    expect(api.contractViolations).toEqual([]);
  });

  it('another alarm has none', async () => {
    const alarm = await detail('gw-e1');
    expect(alarm).toMatchObject({ fireControl: false, deliveries: [] });
  });
});

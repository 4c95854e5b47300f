/** The deadline a 预警 notification announces (the message says by when the step is due). */
import { describe, expect, it } from 'vitest';
import { ent, makeDesk, ok, reg } from './desk-helpers.js';
import { HOUR, MIN, T0, TF1 } from './warning-site.js';

const E = ent('op');
const C = reg('county');

describe('notification deadline', () => {
  it('opened: the 签收 deadline of the colour (red 5 min by default)', () => {
    const desk = makeDesk();
    const [n] = ok(desk.open(TF1, 'red', [], T0)).notifications;
    expect(n?.deadlineMs).toBe(T0 + 5 * MIN);
  });

  it('after 签收 the next step is 处置反馈; an escalation restarts the timers', () => {
    const desk = makeDesk();
    const id = ok(desk.open(TF1, 'red', [], T0)).warningId!;
    // Missed sign deadline: escalates at T0 + 5 min, timers restart there.
    const escalated = ok(desk.tick(T0 + 6 * MIN)).notifications.find((n) => n.kind === 'escalated');
    expect(escalated?.deadlineMs).toBe(T0 + 5 * MIN + 5 * MIN);
    ok(desk.sign(id, E, T0 + 7 * MIN));
    const urged = ok(desk.urge(id, C, { text: '督办', deadlineMs: T0 + HOUR }, T0 + 8 * MIN)).notifications;
    expect(urged[0]?.kind).toBe('urged');
    expect(urged[0]?.deadlineMs).toBe(T0 + HOUR);
  });

  it('blue has no sign deadline: the feedback deadline is announced; closing announces none', () => {
    const desk = makeDesk();
    const opened = ok(desk.open(TF1, 'blue', [], T0));
    expect(opened.notifications[0]?.deadlineMs).toBe(T0 + 72 * HOUR);
    const id = opened.warningId!;
    ok(desk.sign(id, E, T0 + MIN));
    ok(desk.feedback(id, E, '已处置', T0 + 2 * MIN));
    const closed = ok(desk.close(id, E, { causeActive: false }, T0 + 3 * MIN)).notifications;
    expect(closed[0]?.kind).toBe('closed');
    expect(closed[0]).not.toHaveProperty('deadlineMs');
  });
});

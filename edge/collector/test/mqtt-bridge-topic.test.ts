import { describe, expect, it } from 'vitest';
import { compileTagTemplate, topicFilterProblem, topicMatches } from '../src/sources/mqtt-bridge-topic.js';

describe('topicMatches (MQTT 3.1.1 §4.7)', () => {
  it.each<[string, string, boolean]>([
    ['plant/a/pressure', 'plant/a/pressure', true],
    ['plant/a/pressure', 'plant/a/temperature', false],
    ['plant/+/pressure', 'plant/U1/pressure', true],
    ['plant/+/pressure', 'plant/U1/x/pressure', false],
    ['plant/+', 'plant', false],
    ['plant/#', 'plant', true],
    ['plant/#', 'plant/a/b/c', true],
    ['#', 'anything/at/all', true],
    ['+/+', 'a/b', true],
    ['+/+', 'a/b/c', false],
    ['plant/+/x', 'plant//x', true],
    ['#', '$SYS/broker/uptime', false],
    ['+/broker/uptime', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
  ])('%s vs %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it.each([
    ['a/#', undefined],
    ['a/+/b', undefined],
    ['a/#/b', '"#" must be the whole last level of a/#/b'],
    ['a/b#', '"#" must be the whole last level of a/b#'],
    ['a/b+/c', '"+" must be a whole level of a/b+/c'],
    ['', 'topic filter is empty'],
  ])('filter %j problem: %j', (filter, problem) => {
    expect(topicFilterProblem(filter)).toBe(problem);
  });
});

describe('compileTagTemplate', () => {
  const levels = 'plant/U101/sensors/PT-7'.split('/');

  it.each<[string, string | undefined, number]>([
    ['PT-101', 'PT-101', -1],
    ['{1}-PT', 'U101-PT', 1],
    ['{1}-{3}', 'U101-PT-7', 3],
    ['{0}{0}', 'plantplant', 0],
    ['{4}-PT', undefined, 4],
  ])('%s → %s', (template, expected, maxLevel) => {
    const compiled = compileTagTemplate(template);
    expect(compiled.render(levels)).toBe(expected);
    expect(compiled.maxLevel).toBe(maxLevel);
  });

  it('gives no tag for an empty level', () => {
    expect(compileTagTemplate('{1}-PT').render(['plant', '', 'x'])).toBeUndefined();
  });

  it.each(['{x}-PT', '{1', 'PT}', '{}'])('rejects %j', (template) => {
    expect(() => compileTagTemplate(template)).toThrow(RangeError);
  });
});

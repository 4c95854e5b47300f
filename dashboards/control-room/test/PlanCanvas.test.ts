import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import PlanCanvas from '../src/components/plan/PlanCanvas.vue';
import type { Point, WarningColour } from '@hazardwatch/contracts';

const point = (id: number, hazard: string): Point =>
  ({ id, tag: `T${id}`, hazard, unit: '%', floorPlan: { plan: null, x: 100, y: 100 } }) as unknown as Point;

function mountCanvas(hazardColour: (h: string) => WarningColour | null) {
  return mount(PlanCanvas, {
    props: {
      image: null,
      base: { width: 1000, height: 700 },
      placed: [{ point: point(1, 'H1'), x: 100, y: 100 }],
      placedHazards: [
        { hazard: 'H1', x: 300, y: 200 },
        { hazard: 'H2', x: 1200, y: 800 },
      ],
      hazardNames: new Map([
        ['H1', '液氯储罐区'],
        ['H2', '加氢装置'],
      ]),
      colourOf: () => null,
      hazardColour,
      valueOf: () => undefined,
      editable: false,
      incoming: null,
    },
  });
}

describe('PlanCanvas hazards placed on the plan', () => {
  it('draws each placed hazard as an area with a marker in its four-colour state', () => {
    const w = mountCanvas((h) => (h === 'H2' ? 'red' : null));
    expect(
      w.findAll('[data-area]').map((a) => [a.attributes('data-area'), a.attributes('data-colour')]),
    ).toEqual([
      ['H1', 'normal'],
      ['H2', 'red'],
    ]);
    const marker = w.find('[data-hazard-marker="H2"]');
    expect(marker.exists()).toBe(true);
    expect(marker.attributes('fill')).toBe(w.find('[data-area="H2"] path').attributes('fill'));
    expect(w.find('[data-area="H2"]').text()).toContain('加氢装置');
    // The plan grows to hold a hazard placed beyond the image.
    expect(w.find('[data-test="plan"]').attributes('viewBox')).toBe('0 0 1260 860');
  });
});

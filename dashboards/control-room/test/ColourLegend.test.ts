import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ColourLegend from '../src/components/shell/ColourLegend.vue';
import { createAppI18n } from '../src/i18n/index.js';

const i18n = () => createAppI18n();

describe('ColourLegend', () => {
  it('lists 红 橙 黄 蓝 highest first with their counts', () => {
    const w = mount(ColourLegend, {
      props: { counts: { red: 2, orange: 0, yellow: 5, blue: 1 } },
      global: { plugins: [i18n()] },
    });
    const items = w.findAll('li');
    expect(items.map((li) => li.attributes('data-colour'))).toEqual(['red', 'orange', 'yellow', 'blue']);
    expect(items.map((li) => li.find('.label').text())).toEqual(['红', '橙', '黄', '蓝']);
    expect(items.map((li) => li.find('.count').text())).toEqual(['2', '0', '5', '1']);
  });

  it('shows the long risk names and the normal swatch when asked, without counts', () => {
    const w = mount(ColourLegend, { props: { long: true, showNormal: true }, global: { plugins: [i18n()] } });
    expect(w.find('[data-colour="red"]').text()).toContain('重大风险');
    expect(w.find('[data-colour="blue"]').text()).toContain('低风险');
    expect(w.find('[data-colour="normal"]').exists()).toBe(true);
    expect(w.find('.count').exists()).toBe(false);
  });

  it('keeps a space between the colour and its risk name (issue #21: "RedMajor risk")', () => {
    const w = mount(ColourLegend, { props: { long: true }, global: { plugins: [createAppI18n('en')] } });
    expect(w.find('[data-colour="red"] .label').text()).toBe('Red Major risk');
    expect(w.find('[data-colour="blue"] .label').text()).toBe('Blue Low risk');
    const zh = mount(ColourLegend, { props: { long: true }, global: { plugins: [i18n()] } });
    expect(zh.find('[data-colour="red"] .label').text()).toBe('红 重大风险');
  });

  it('draws each swatch in its own colour', () => {
    const w = mount(ColourLegend, { global: { plugins: [i18n()] } });
    const red = w.find('[data-colour="red"] .swatch').attributes('style') ?? '';
    const blue = w.find('[data-colour="blue"] .swatch').attributes('style') ?? '';
    expect(red).not.toEqual(blue);
    expect(red).toMatch(/255, 59, 48|#ff3b30/i);
  });
});

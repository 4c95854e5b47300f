// The root tsconfig.test.json has no DOM lib; this test mounts components (happy-dom).
/// <reference lib="dom" />
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { AlarmRow, Point } from '@hazardwatch/contracts';
import { APP, type AppContext } from '../src/app-context.js';
import PointHistory from '../src/components/detail/PointHistory.vue';
import { createAppI18n, type Locale } from '../src/i18n/index.js';

const POINT = { id: 7, tag: 'TT-1101', enterprise: 'E1', hazard: null } as unknown as Point;
const row = (id: string, condition: string, limit: number | null) =>
  ({
    id,
    pointId: 7,
    condition,
    colour: 'blue',
    state: 'ACKED',
    raisedAt: 0,
    value: 1,
    limit,
  }) as unknown as AlarmRow;

async function mountHistory(locale: Locale) {
  const ctx = {
    api: {
      alarms: () => Promise.resolve({ items: [row('s', 'STALE', 120_000), row('h', 'HH', 85)] }),
      audit: () => Promise.reject(new Error('forbidden')),
    },
  } as unknown as AppContext;
  const w = mount(PointHistory, {
    props: { point: POINT },
    global: { plugins: [createAppI18n(locale)], provide: { [APP as symbol]: ctx } },
  });
  await flushPromises();
  return w;
}

describe('point history: a timeout limit is a duration (issue #21: 120000 shown for a limit in ms)', () => {
  it.each([
    ['zh-CN', '2 分钟'],
    ['en', '2 min'],
  ] as const)('%s', async (locale, text) => {
    const w = await mountHistory(locale);
    expect(w.find('[data-history="s"] [data-test="limit"]').text()).toBe(text);
    expect(w.find('[data-history="h"] [data-test="limit"]').text()).toBe('85');
  });
});

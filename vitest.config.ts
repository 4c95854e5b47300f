import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// Tests import sibling packages through their public entry (`@hazardwatch/x`), resolved to the
// TypeScript source so a test run never depends on a stale build.
const pkg = (dir: string): string => fileURLToPath(new URL(`./${dir}/src/index.ts`, import.meta.url));
const alias = {
  // Subpath entries first: an alias matches by prefix.
  '@hazardwatch/simulators/opcua': fileURLToPath(
    new URL('./simulators/plant/src/opcua/index.ts', import.meta.url),
  ),
  '@hazardwatch/contracts/live-frame': fileURLToPath(
    new URL('./services/contracts/src/live-frame.ts', import.meta.url),
  ),
  '@hazardwatch/store/embedded-postgres': fileURLToPath(
    new URL('./services/store/src/embedded-postgres.ts', import.meta.url),
  ),
  '@hazardwatch/ingest/embedded-broker': fileURLToPath(
    new URL('./services/ingest/src/embedded-broker.ts', import.meta.url),
  ),
  '@hazardwatch/kit': pkg('services/kit'),
  '@hazardwatch/contracts': pkg('services/contracts'),
  '@hazardwatch/core': pkg('services/core'),
  '@hazardwatch/store': pkg('services/store'),
  '@hazardwatch/ingest': pkg('services/ingest'),
  '@hazardwatch/api': pkg('services/api'),
  '@hazardwatch/testkit': pkg('services/testkit'),
  '@hazardwatch/edge': pkg('edge/collector'),
  '@hazardwatch/simulators': pkg('simulators/plant'),
  hazardwatch: pkg('services/cli'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          // Dashboard tests need the Vue plugin and a DOM: they run in the `dashboard` project.
          include: ['{services,edge,simulators,tools}/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          // The type tests (*.test-d.ts) are checked by `npm run typecheck`: `tsc -p
          // tsconfig.test.json` covers every test directory, and a wrong expectTypeOf fails it.
          // Enabled here, vitest ran the same tsc again as a group of its own after every suite
          // (60–110 s of CI), so it is off here; the settings stay for whoever turns it back on.
          typecheck: {
            enabled: false,
            tsconfig: './tsconfig.test.json',
            include: ['{services,edge,simulators,tools,dashboards}/*/test/**/*.test-d.ts'],
          },
          // Vitest's default in run mode is cores − 1: one worker on the 2-core CI machine.
          maxWorkers: 2,
          // Files share a worker's module cache instead of importing the services' sources anew
          // each: no unit test mocks a module or stubs a global, and the one with fake timers
          // restores them. (The dashboard project leaks DOM and store state between files when
          // shared — 21 cases failed — so it stays isolated.)
          isolate: false,
        },
      },
      {
        plugins: [vue()],
        resolve: { alias },
        test: {
          name: 'dashboard',
          environment: 'happy-dom',
          include: ['dashboards/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          // Same group as `unit`, so the same worker count (vitest requires it).
          maxWorkers: 2,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'int',
          sequence: { groupOrder: 1 },
          include: ['{services,edge,simulators,tools,dashboards}/*/test/**/*.int.test.ts'],
          globalSetup: ['./services/testkit/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Integration suites share one PostgreSQL server and broker; each suite makes its own database.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});

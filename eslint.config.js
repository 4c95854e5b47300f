// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

/**
 * Package boundaries (STYLE.md rule 2): a package is imported only through its public entry, and
 * only in the direction ARCHITECTURE.md's "may import" column allows — each workspace by folder,
 * with its package name and the packages of ours its sources may import. Every arrow points down
 * (kit at the bottom; cli and tools/bench on top), so there is no cycle. Exported for
 * services/testkit/test/workspace-boundaries.test.ts, which holds every package.json and every
 * source import to the same table.
 */
export const boundaries = {
  // Plumbing written once (errors, config, clock, backoff): a browser-safe leaf everyone may use.
  'services/kit': { name: '@hazardwatch/kit', mayImport: [] },
  'services/contracts': { name: '@hazardwatch/contracts', mayImport: ['kit'] },
  'services/core': { name: '@hazardwatch/core', mayImport: ['kit', 'contracts'] },
  'services/store': { name: '@hazardwatch/store', mayImport: ['kit', 'contracts', 'core'] },
  'services/ingest': { name: '@hazardwatch/ingest', mayImport: ['kit', 'contracts', 'core', 'store'] },
  'services/api': { name: '@hazardwatch/api', mayImport: ['kit', 'contracts', 'core', 'store'] },
  // Test support (real servers, throw-away databases): imported by tests only, never shipped.
  'services/testkit': {
    name: '@hazardwatch/testkit',
    mayImport: ['kit', 'contracts', 'core', 'store', 'ingest'],
  },
  // Process concerns: everything it runs, never the test support or the benchmarks.
  'services/cli': {
    name: 'hazardwatch',
    mayImport: ['kit', 'contracts', 'core', 'store', 'ingest', 'api', 'edge', 'simulators'],
  },
  // The edge collector runs on a plant's gateway: it speaks the wire contracts and nothing else
  // (kit is plumbing, not service code).
  'edge/collector': { name: '@hazardwatch/edge', mayImport: ['kit', 'contracts'] },
  // Simulators speak protocols only: hardware-in-the-loop tests must go through MQTT / OPC-UA.
  'simulators/plant': { name: '@hazardwatch/simulators', mayImport: ['kit', 'contracts'] },
  // The dashboard runs in the browser and speaks the wire contracts (types) and REST only.
  'dashboards/control-room': { name: '@hazardwatch/control-room', mayImport: ['kit', 'contracts'] },
  // Benchmarks (private, never shipped): they drive the whole system, the command line's too.
  'tools/bench': {
    name: '@hazardwatch/bench',
    mayImport: [
      'kit',
      'contracts',
      'core',
      'store',
      'ingest',
      'api',
      'testkit',
      'edge',
      'simulators',
      'hazardwatch',
    ],
  },
};
/** The short name a table row uses: `@hazardwatch/store` → `store`; the command line is `hazardwatch`. */
const shortName = (name) => name.replace('@hazardwatch/', '');
const ours = Object.values(boundaries).map((b) => b.name);

const deepImports = {
  // The second entries declared in the packages' "exports": contracts' frame codec without the
  // TypeBox schemas, for browser bundles; the simulators' OPC-UA plant server, so that node-opcua
  // is loaded only by those who serve OPC-UA; the embedded PostgreSQL and MQTT broker, whose
  // packages are devDependencies loaded only in embedded mode (the demo, tests).
  group: [
    '@hazardwatch/*/*',
    '!@hazardwatch/contracts/live-frame',
    '!@hazardwatch/simulators/opcua',
    '!@hazardwatch/store/embedded-postgres',
    '!@hazardwatch/ingest/embedded-broker',
    // The command line's package has one entry.
    'hazardwatch/*',
    // Relative paths out of the package: another package's sources or build.
    '../../*/src/*',
    '../../*/dist/*',
    '../../../*',
  ],
  message: 'Import a package only through its public entry (@hazardwatch/name).',
};

const boundaryBlocks = Object.entries(boundaries).map(([dir, { name, mayImport }]) => ({
  files: [`${dir}/src/**/*.ts`, `${dir}/src/**/*.vue`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deepImports,
          ...ours
            .filter((other) => other !== name && !mayImport.includes(shortName(other)))
            .map((other) => ({
              group: [other],
              message: `${dir} may not depend on ${other} (see ARCHITECTURE.md).`,
            })),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  ...boundaryBlocks,
  {
    files: ['**/test/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  { files: ['*.js', '*.ts'], ...tseslint.configs.disableTypeChecked },
  // Dashboard single-file components: Vue's error-preventing rules (formatting is prettier's), the
  // <script lang="ts"> blocks parsed by typescript-eslint. Type-aware rules stay with the .ts
  // files: vue-tsc type-checks the components (npm run typecheck).
  ...pluginVue.configs['flat/essential'].map((c) => ({ ...c, files: ['dashboards/**/*.vue'] })),
  {
    files: ['dashboards/**/*.vue'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], projectService: false },
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly' },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Small Node build scripts (plain JavaScript, no type information).
  {
    files: ['**/scripts/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly' },
    },
  },
);

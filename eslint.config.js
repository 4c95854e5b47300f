// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

/**
 * Package boundaries (STYLE.md rule 2): a package is imported only through its public entry,
 * and only in the direction ARCHITECTURE.md allows.
 */
const ours = ['kit', 'contracts', 'core', 'store', 'ingest', 'api', 'testkit', 'edge', 'simulators'];
const allowed = {
  // Plumbing written once (errors, config, clock, backoff): a browser-safe leaf everyone may use.
  'services/kit': [],
  'services/contracts': ['kit'],
  'services/core': ['kit', 'contracts'],
  'services/store': ['kit', 'contracts', 'core'],
  'services/ingest': ['kit', 'contracts', 'core', 'store'],
  'services/api': ['kit', 'contracts', 'core', 'store'],
  'services/testkit': ['kit', 'contracts', 'core', 'store', 'ingest'],
  'services/cli': ['kit', 'contracts', 'core', 'store', 'ingest', 'api', 'edge', 'simulators'],
  // The edge collector runs on a plant's gateway: it speaks the wire contracts and nothing else
  // (kit is plumbing, not service code).
  'edge/collector': ['kit', 'contracts'],
  // Simulators speak protocols only: hardware-in-the-loop tests must go through MQTT / OPC-UA.
  'simulators/plant': ['kit', 'contracts'],
  // The dashboard runs in the browser and speaks the wire contracts (types) and REST only.
  'dashboards/control-room': ['kit', 'contracts'],
  // Benchmarks (private, never shipped): they drive the whole system.
  'tools/bench': ['kit', 'contracts', 'core', 'store', 'ingest', 'api', 'testkit', 'edge', 'simulators'],
};
const packageOf = (dir) =>
  dir === 'simulators/plant'
    ? 'simulators'
    : dir === 'edge/collector'
      ? 'edge'
      : dir === 'dashboards/control-room'
        ? 'control-room'
        : dir.replace('services/', '');

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
    '../../*/src/*',
    '../../../*',
  ],
  message: 'Import a package only through its public entry (@hazardwatch/name).',
};

const boundaryBlocks = Object.entries(allowed).map(([dir, deps]) => ({
  files: [`${dir}/src/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deepImports,
          ...ours
            .filter((p) => !deps.includes(p) && packageOf(dir) !== p)
            .map((p) => ({
              group: [`@hazardwatch/${p}`],
              message: `${dir} may not depend on @hazardwatch/${p} (see ARCHITECTURE.md).`,
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

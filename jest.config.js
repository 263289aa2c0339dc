/** Three tiers: unit (pure, fast), integration (real adapters and services), e2e (the HTTP API via supertest). */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

/** Dependencies published only as ES modules, which Jest's CommonJS runtime must have compiled. */
const ESM_DEPENDENCIES = ['content-disposition', 'jose'];

const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    [`/node_modules/(${ESM_DEPENDENCIES.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { diagnostics: false, tsconfig: { allowJs: true, isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_DEPENDENCIES.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  rootDir: __dirname,
};

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.js',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/kafka/'],
    },
    // Against the real broker of deploy/kafka-local; one of these tests stops it: run with --runInBand.
    {
      ...shared,
      displayName: 'kafka',
      testMatch: ['<rootDir>/test/kafka/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/kafka/global-setup.js',
    },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    // The same end-to-end suite with the read model on the real PostgreSQL server.
    {
      ...shared,
      displayName: 'e2e-postgres',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/support/use-postgres.js'],
    },
    // The same end-to-end suite on the EventStoreDB adapter, over the wire-level double of test/eventstoredb-double.
    {
      ...shared,
      displayName: 'e2e-eventstoredb',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/support/use-eventstoredb.js'],
    },
  ],
};

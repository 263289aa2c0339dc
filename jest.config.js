/** Three tiers: unit (pure, fast), integration (real adapters and services), e2e (the HTTP API via supertest). */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

/*
 * Dependencies published only as ES modules (NestJS 12, jose 6, content-disposition) are loaded the way Node loads
 * them for the compiled app: require(esm). Jest's CommonJS runtime does so natively on Node 24.9 and later, when
 * Node's VM modules are enabled (`npm run jest`, `npm test` and the other scripts start Jest with
 * --experimental-vm-modules). Without them the first such import fails with "Must use import to load ES Module":
 * say why instead.
 */
const vm = require('node:vm');
if (typeof vm.SourceTextModule?.prototype.hasAsyncGraph !== 'function')
  throw new Error(
    `Jest needs Node.js 24.9 or later (this is ${process.version}) started with --experimental-vm-modules, ` +
      'to load the dependencies published only as ES modules (NestJS 12): run it as `npm run jest -- ARGS` ' +
      '(or NODE_OPTIONS=--experimental-vm-modules npx jest ARGS); `source .ci/node24.sh` provides Node 24.',
  );

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  rootDir: __dirname,
};

module.exports = {
  // A whole API starts in many suites' hooks: on a loaded 2-core machine that outgrows Jest's 5 s default.
  testTimeout: 15_000,
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
    // The console (apps/console, built by the global setup) in Debian's Chromium, against the whole API: run with --runInBand.
    { ...shared, displayName: 'console', testMatch: ['<rootDir>/test/console/**/*.console-spec.ts'] },
  ],
};

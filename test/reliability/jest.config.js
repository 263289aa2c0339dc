/**
 * The `reliability` jest project (`npm run test:reliability`, RELIABILITY_QUICK=1 for the CI variant): kept out
 * of the root configuration because it stops the shared broker and kills processes, so it runs on its own, in band.
 */
const { join } = require('node:path');
const root = require(join(__dirname, '..', '..', 'jest.config.js'));

const shared = root.projects.find((project) => project.displayName === 'unit');

module.exports = {
  rootDir: join(__dirname, '..', '..'),
  projects: [
    {
      ...shared,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/{reliability,security}/**/*.rel-spec.ts'],
      globalSetup: '<rootDir>/test/reliability/global-setup.js',
      globalTeardown: '<rootDir>/test/reliability/global-teardown.js',
    },
  ],
};

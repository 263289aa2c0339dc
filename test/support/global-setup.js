/**
 * Tests that run Accord's real processes (projector, relay, server) start the compiled output:
 * compile it once per test run (incremental: seconds when nothing changed).
 */
const { execSync } = require('node:child_process');

module.exports = async function globalSetup() {
  execSync('npm run --silent build', { cwd: `${__dirname}/../..`, stdio: ['ignore', 'ignore', 'inherit'] });
};

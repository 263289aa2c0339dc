/**
 * Tests that run Accord's real processes (projector, relay, server) start the compiled output:
 * compile it once per test run (incremental: seconds when nothing changed). The unit tier is pure and starts no
 * process: run alone, it needs no build.
 */
const { execSync } = require('node:child_process');

module.exports = async function globalSetup(globalConfig) {
  const selected = globalConfig.selectProjects ?? [];
  if (selected.length > 0 && selected.every((project) => project === 'unit')) return;
  execSync('npm run --silent build', { cwd: `${__dirname}/../..`, stdio: ['ignore', 'ignore', 'inherit'] });
};

/**
 * Tests that run Accord's real processes (projector, relay, server) start the compiled output:
 * compile it once per test run (incremental: seconds when nothing changed). The unit tier is pure and starts no
 * process: run alone (`--selectProjects unit`), it needs no build.
 */
const { execSync } = require('node:child_process');

const PROJECTS = ['unit', 'integration', 'kafka', 'e2e', 'e2e-postgres', 'e2e-eventstoredb', 'console'];

/** The projects named after --selectProjects (Jest reads it from the command line, not the configuration). */
function selectedProjects(argv) {
  const at = argv.indexOf('--selectProjects');
  if (at < 0) return [];
  const names = [];
  for (const arg of argv.slice(at + 1)) {
    if (arg.startsWith('-')) break;
    if (PROJECTS.includes(arg)) names.push(arg);
  }
  return names;
}

module.exports = async function globalSetup() {
  const selected = selectedProjects(process.argv);
  if (selected.length > 0 && selected.every((project) => project === 'unit')) return;
  execSync('npm run --silent build', { cwd: `${__dirname}/../..`, stdio: ['ignore', 'ignore', 'inherit'] });
};

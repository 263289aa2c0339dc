/**
 * globalSetup of the `reliability` jest project (npm run test:reliability): builds the compiled processes the
 * tests start (dist/), and starts the local Kafka broker of deploy/kafka-local unless it runs already — then
 * globalTeardown stops it again, so that the broker is left as it was found.
 */
const { execFileSync, execSync } = require('node:child_process');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const KAFKA_SH = join(ROOT, 'deploy', 'kafka-local', 'kafka.sh');

function brokerRunning() {
  try {
    execFileSync('bash', [KAFKA_SH, 'status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

module.exports = async function reliabilityGlobalSetup(globalConfig) {
  const started = Date.now();
  execSync('npm run --silent build', { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!process.env.KAFKA_BROKERS && !brokerRunning()) {
    execFileSync('bash', [KAFKA_SH, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
    globalThis.__ACCORD_RELIABILITY_STARTED_BROKER = true;
  }
  if (globalConfig.maxWorkers !== 1)
    process.stdout.write(
      '\nThe reliability suite stops the shared Kafka broker (R3) and kills processes: run it with --runInBand.\n',
    );
  process.stdout.write(
    `\nReliability suite: ${process.env.RELIABILITY_QUICK === '1' ? 'QUICK (CI) variant' : 'full variant'}; ` +
      `build and broker ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
};

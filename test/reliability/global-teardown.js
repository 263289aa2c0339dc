/** Stops the local Kafka broker if the reliability globalSetup started it (it is left as it was found). */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function reliabilityGlobalTeardown() {
  if (!globalThis.__ACCORD_RELIABILITY_STARTED_BROKER) return;
  execFileSync('bash', [join(__dirname, '..', '..', 'deploy', 'kafka-local', 'kafka.sh'), 'stop'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
};

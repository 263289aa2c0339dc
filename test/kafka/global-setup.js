/**
 * globalSetup of the `kafka` jest project: starts the local broker (deploy/kafka-local, idempotent),
 * builds the project (the relay kill test runs the compiled relay), and says which Kafka runs.
 * The Kafka tests share one broker and one of them stops it: run the project with --runInBand.
 */
const { execFileSync, execSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');

module.exports = async function kafkaGlobalSetup(globalConfig) {
  if (!process.env.KAFKA_BROKERS)
    execFileSync('bash', [join(ROOT, 'deploy', 'kafka-local', 'kafka.sh'), 'start'], { stdio: 'inherit' });
  execSync('npm run --silent build', { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  // The broker outage test stops the shared broker: it runs only when nothing else runs beside it.
  if (globalConfig.maxWorkers === 1) process.env.ACCORD_KAFKA_SETUP = '1';
  else
    process.stdout.write(
      '\nThe broker outage test is skipped: it stops the shared broker, so it needs --runInBand (npm run test:kafka).\n',
    );
  process.stdout.write(`\nKafka tests run against ${brokerVersion()} with kafkajs ${kafkajsVersion()}\n`);
};

function brokerVersion() {
  if (process.env.KAFKA_BROKERS) return `the broker(s) at ${process.env.KAFKA_BROKERS}`;
  const work = process.env.KAFKA_LOCAL_HOME || join(ROOT, 'deploy', 'kafka-local', '.work');
  const log = join(work, 'logs', 'server.log');
  const found = existsSync(log) && [...readFileSync(log, 'utf8').matchAll(/Kafka version: (\S+)/g)].pop();
  if (found) return `Apache Kafka ${found[1]} (deploy/kafka-local, 127.0.0.1:9092)`;
  const jar = readdirSync(join(work, 'libs')).find((name) => /^kafka_2\.13-.+\.jar$/.test(name));
  return `Apache Kafka ${jar ? jar.replace(/^kafka_2\.13-(.+)\.jar$/, '$1') : '(unknown version)'}`;
}

function kafkajsVersion() {
  return JSON.parse(readFileSync(require.resolve('kafkajs/package.json'), 'utf8')).version;
}

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The local single-node broker of deploy/kafka-local (Kafka 4.4.0, KRaft). */
export const ROOT = join(__dirname, '..', '..');
export const BROKERS = (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`).split(
  ',',
);
const SCRIPT = join(ROOT, 'deploy', 'kafka-local', 'kafka.sh');
const WORK = process.env.KAFKA_LOCAL_HOME ?? join(ROOT, 'deploy', 'kafka-local', '.work');

function kafkaSh(command: 'start' | 'stop' | 'status'): { code: number; output: string } {
  try {
    const output = execFileSync('bash', [SCRIPT, command], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number | null; stdout?: string; stderr?: string };
    return { code: failed.status ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** Starts the local broker unless it runs already (idempotent); `true` when this call started it. */
export function ensureBroker(): boolean {
  if (process.env.KAFKA_BROKERS) return false; // an outside broker: not ours to start
  if (kafkaSh('status').code === 0) return false;
  const { code, output } = kafkaSh('start');
  if (code !== 0) throw new Error(`deploy/kafka-local/kafka.sh start failed:\n${output}`);
  return true;
}

export function stopBroker(): void {
  const { code, output } = kafkaSh('stop');
  if (code !== 0) throw new Error(`deploy/kafka-local/kafka.sh stop failed:\n${output}`);
}

export function startBroker(): void {
  const { code, output } = kafkaSh('start');
  if (code !== 0) throw new Error(`deploy/kafka-local/kafka.sh start failed:\n${output}`);
}

export function brokerRunning(): boolean {
  return kafkaSh('status').code === 0;
}

/** The broker's version as it logged it at start-up (falling back to the jar it runs). */
export function brokerVersion(): string {
  for (const log of ['server.log', 'server.log.prev']) {
    const file = join(WORK, 'logs', log);
    if (!existsSync(file)) continue;
    const found = [...readFileSync(file, 'utf8').matchAll(/Kafka version: (\S+)/g)].pop();
    if (found) return found[1];
  }
  const libs = join(WORK, 'libs');
  const jar = existsSync(libs)
    ? readdirSync(libs).find((name) => /^kafka_2\.13-.+\.jar$/.test(name))
    : undefined;
  return jar?.replace(/^kafka_2\.13-(.+)\.jar$/, '$1') ?? 'unknown';
}

export function kafkajsVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('kafkajs/package.json'), 'utf8')) as { version: string })
    .version;
}

/** One plain line for test output. */
export function describeBroker(): string {
  return `Apache Kafka ${brokerVersion()} (single-node KRaft, ${BROKERS.join(',')}) with kafkajs ${kafkajsVersion()}`;
}

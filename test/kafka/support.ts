import { randomUUID } from 'node:crypto';
import { Admin, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { initiativeIdOf } from '@accord/domain';
import { EventStore } from '@accord/event-store';
import { BROKERS } from './broker';

export * from '../../libs/messaging/src/testing/scenarios';
export * from '../../libs/messaging/src/testing/log-events';

export function testKafka(clientId = 'accord-test'): Kafka {
  return new Kafka({ clientId, brokers: BROKERS, logLevel: logLevel.NOTHING });
}

export function uniqueTopic(label: string): string {
  return `accord.test.${label}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export async function deleteTopic(admin: Admin, topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
}

/**
 * Counts the records on a topic, duplicates included; while the topic is being created or its leaders elected,
 * the last count it could read.
 */
export function topicRecordCounter(admin: Admin, topic: string): () => Promise<number> {
  let lastCount = 0;
  return async () => {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      lastCount = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    } catch {
      // The topic does not exist yet, or its leaders are being elected.
    }
    return lastCount;
  };
}

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  /** Parsed value. */
  event: { id: string; subject: string; streamrevision: number; type: string } & Record<string, unknown>;
}

/**
 * Reads the topic from the beginning with a fresh consumer group until `expectedIds` distinct event
 * ids arrived (or `timeoutMs` passed), and returns every record read, duplicates included.
 */
export async function consumeAll(
  kafka: Kafka,
  topic: string,
  expectedIds: number,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({ groupId: `accord-test-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const records: ConsumedRecord[] = [];
  const ids = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${ids.size} of ${expectedIds} events arrived within ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const record = toRecord(batch.partition, message);
              records.push(record);
              ids.add(record.event.id);
            }
            if (ids.size >= expectedIds) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

function toRecord(partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {}))
    headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  const value = message.value?.toString('utf8') ?? '';
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value,
    headers,
    event: JSON.parse(value),
  };
}

/**
 * Checks what a consumer that drops duplicates by id sees: every expected event once, and each key's
 * (an initiative's, or a transparency log stream's) events in stream order (revisions 0, 1, 2, … with
 * no gap). Returns the duplicates seen.
 */
export function checkDelivery(
  records: readonly ConsumedRecord[],
  expected: ReadonlyMap<string, number>,
): { duplicates: number; problems: string[] } {
  const problems: string[] = [];
  const seen = new Set<string>();
  const next = new Map<string, number>();
  let duplicates = 0;
  for (const { event, key } of records) {
    if (seen.has(event.id)) {
      duplicates++;
      continue;
    }
    seen.add(event.id);
    if (key !== event.subject) problems.push(`record ${event.id} has key ${key}, subject ${event.subject}`);
    const want = next.get(event.subject) ?? 0;
    if (event.streamrevision !== want)
      problems.push(`${event.subject}: revision ${event.streamrevision} arrived where ${want} was due`);
    next.set(event.subject, event.streamrevision + 1);
  }
  for (const [key, count] of expected)
    if ((next.get(key) ?? 0) !== count)
      problems.push(`${key}: ${next.get(key) ?? 0} of ${count} events arrived`);
  if (seen.size !== [...expected.values()].reduce((sum, count) => sum + count, 0))
    problems.push(`${seen.size} distinct events arrived`);
  return { duplicates, problems: problems.slice(0, 20) };
}

/** Events per record key, as the store holds them: an initiative's key is its id, a log stream's its stream id. */
export async function eventsPerKey(store: EventStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let after = 0; ;) {
    const batch = await store.readAll(after, 5000);
    if (batch.length === 0) return counts;
    for (const event of batch) {
      const key = initiativeIdOf(event.streamId) ?? event.streamId;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    after = batch[batch.length - 1].position;
  }
}

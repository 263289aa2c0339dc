/**
 * P4: relay throughput, stored events to Kafka (acks = all), against a bare kafkajs producer sending
 * the same records with the same batching, in the same run.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register test/kafka/relay-throughput.ts \
 *     [--events 20000] [--batch 1000] [--rounds 3] [--json FILE]
 *
 * Starts the local broker (deploy/kafka-local) when it is not running, and stops it again at the end
 * if it started it. Prints one Markdown table and, with --json, writes the figures to FILE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, StoredEvent } from '@accord/event-store';
import {
  AccordKafkaMessage,
  createAccordProducer,
  DEFAULT_EVENT_SOURCE,
  DEFAULT_MAX_REQUEST_BYTES,
  ensureTopic,
  KafkaPublisher,
  Relay,
  splitBySize,
  SqlRelayCheckpointStore,
  toKafkaMessage,
} from '@accord/messaging';
import { CompressionTypes } from 'kafkajs';
import { describeBroker, ensureBroker, stopBroker } from './broker';
import { appendScenarios, deleteTopic, testKafka, uniqueTopic } from './support';

const PARTITIONS = 3;

export interface ThroughputResult {
  events: number;
  batchSize: number;
  rounds: number;
  eventBytes: number;
  relayEventsPerSecond: number[];
  bareEventsPerSecond: number[];
  /** Medians over the rounds. */
  relay: number;
  bare: number;
  ratio: number;
  broker: string;
}

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function measureThroughput(options: {
  events: number;
  batchSize: number;
  rounds: number;
  log?: (line: string) => void;
}): Promise<ThroughputResult> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'accord-relay-throughput-'));
  const kafka = testKafka('accord-throughput');
  const admin = kafka.admin();
  await admin.connect();
  const topics: string[] = [];
  try {
    const store = new SqliteEventStore(join(dir, 'events.db'));
    let stored = 0;
    while (stored < options.events) {
      const initiatives = Math.ceil((options.events - stored) / 10);
      stored += (await appendScenarios(store, { initiatives, variants: ['funded'] })).events;
    }
    const head = await store.headPosition();
    log(`${head} events stored`);

    // The bare producer sends exactly the records the relay sends, prepared beforehand.
    const all: StoredEvent[] = [];
    for (let after = 0; after < head; after = all[all.length - 1].position)
      all.push(...(await store.readAll(after, 10_000)));
    const batches: AccordKafkaMessage[][] = [];
    for (let start = 0; start < all.length; start += options.batchSize)
      batches.push(
        all.slice(start, start + options.batchSize).map((e) => toKafkaMessage(e, DEFAULT_EVENT_SOURCE)),
      );
    const eventBytes = Math.round(
      batches.flat().reduce((sum, message) => sum + message.value.length, 0) / all.length,
    );

    const bareRun = async (): Promise<number> => {
      const topic = uniqueTopic('bare');
      topics.push(topic);
      await ensureTopic(admin, topic, PARTITIONS, 1);
      const producer = createAccordProducer(kafka);
      await producer.connect();
      const started = process.hrtime.bigint();
      for (const batch of batches)
        for (const chunk of splitBySize(batch, DEFAULT_MAX_REQUEST_BYTES))
          await producer.sendBatch({
            topicMessages: [{ topic, messages: chunk }],
            acks: -1,
            compression: CompressionTypes.None,
          });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await producer.disconnect();
      await expectOffsets(admin, topic, all.length);
      return all.length / seconds;
    };

    const relayRun = async (): Promise<number> => {
      const topic = uniqueTopic('relay');
      topics.push(topic);
      const checkpoints = SqlRelayCheckpointStore.sqlite(join(dir, `relay-${topic}.db`));
      await checkpoints.migrate();
      const publisher = new KafkaPublisher(kafka, { topic, partitions: PARTITIONS, replicationFactor: 1 });
      await publisher.connect();
      const controller = new AbortController();
      let finished = 0n;
      const relay = new Relay(store, checkpoints, publisher, {
        source: DEFAULT_EVENT_SOURCE,
        batchSize: options.batchSize,
        onPublished: (_events, checkpoint) => {
          if (checkpoint >= head) {
            finished = process.hrtime.bigint();
            controller.abort();
          }
        },
      });
      const started = process.hrtime.bigint();
      await relay.run(controller.signal);
      const seconds = Number(finished - started) / 1e9;
      await publisher.disconnect();
      await checkpoints.close();
      await expectOffsets(admin, topic, all.length);
      return all.length / seconds;
    };

    const relayRates: number[] = [];
    const bareRates: number[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      // Alternate the order, so that neither side always runs on a warmer (or busier) broker.
      if (round % 2 === 1) {
        bareRates.push(await bareRun());
        relayRates.push(await relayRun());
      } else {
        relayRates.push(await relayRun());
        bareRates.push(await bareRun());
      }
      log(
        `round ${round}: relay ${Math.round(relayRates[round - 1])} events/s, ` +
          `bare producer ${Math.round(bareRates[round - 1])} events/s`,
      );
    }
    await store.close();
    const relay = median(relayRates);
    const bare = median(bareRates);
    return {
      events: all.length,
      batchSize: options.batchSize,
      rounds: options.rounds,
      eventBytes,
      relayEventsPerSecond: relayRates.map(Math.round),
      bareEventsPerSecond: bareRates.map(Math.round),
      relay: Math.round(relay),
      bare: Math.round(bare),
      ratio: Math.round((relay / bare) * 1000) / 1000,
      broker: describeBroker(),
    };
  } finally {
    for (const topic of topics) await deleteTopic(admin, topic);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function expectOffsets(
  admin: ReturnType<ReturnType<typeof testKafka>['admin']>,
  topic: string,
  count: number,
) {
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  if (total !== count) throw new Error(`${topic} holds ${total} records, expected ${count}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonIndex = args.indexOf('--json');
  const started = ensureBroker();
  try {
    console.log(`Kafka: ${describeBroker()}`);
    const result = await measureThroughput({
      events: option(args, 'events', 20_000),
      batchSize: option(args, 'batch', 1000),
      rounds: option(args, 'rounds', 3),
      log: (line) => console.log(line),
    });
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      [
        '',
        '| P4 | events | batch | value bytes/event | relay events/s | bare producer events/s | relay / bare |',
        '|---|---|---|---|---|---|---|',
        `| relay throughput (medians of ${result.rounds}) | ${result.events} | ${result.batchSize} | ${result.eventBytes} | ${result.relay} | ${result.bare} | ${(result.ratio * 100).toFixed(1)} % |`,
        '',
        `target ≥ 70 % of the bare producer: ${verdict(result.ratio >= 0.7)}; ≥ 20,000 events/s: ${verdict(result.relay >= 20_000)}`,
      ].join('\n'),
    );
    if (jsonIndex >= 0) writeFileSync(args[jsonIndex + 1], JSON.stringify(result, null, 2));
  } finally {
    if (started) stopBroker();
  }
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });

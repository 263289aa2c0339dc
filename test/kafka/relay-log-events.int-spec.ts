import { CloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { isLogStream } from '@accord/domain';
import { SqliteEventStore, StoredEvent } from '@accord/event-store';
import { DEFAULT_EVENT_SOURCE, RunningRelay, startRelay } from '@accord/messaging';
import { tail } from '../../apps/cli/src/commands/tail';
import { BROKERS, describeBroker, ensureBroker } from './broker';
import {
  appendScenarios,
  checkDelivery,
  ConsumedRecord,
  consumeAll,
  deleteTopic,
  eventsPerKey,
  testKafka,
  TestTransparencyLog,
  uniqueTopic,
} from './support';

jest.setTimeout(120_000);

const ROUNDS = 4;
const WITNESSES = ['KAZ', 'UZB'];

/**
 * The transparency log's checkpoints and cosignatures, stored among initiative events while the relay runs, reach
 * the topic beside them: typed accord.log.*, keyed by their stream, each stream in order on one partition.
 */
describe('Kafka relay of the transparency log’s events against a real broker', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueTopic('relay-log');
  let dir: string;
  let store: SqliteEventStore;
  let relay: RunningRelay | null = null;
  let records: ConsumedRecord[];
  let stored: Map<string, StoredEvent>;
  /** The tree size of each round's checkpoint, and the initiative events stored by then. */
  const treeSizes: number[] = [];
  const initiativeEvents: number[] = [];

  beforeAll(async () => {
    ensureBroker();
    console.log(`Kafka relay of the log's events against ${describeBroker()}`);
    await admin.connect();
    dir = mkdtempSync(join(tmpdir(), 'accord-relay-log-it-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
    relay = startRelay({
      config: {
        kafka: { brokers: BROKERS, topic, partitions: 3, replicationFactor: 1 },
        eventSource: DEFAULT_EVENT_SOURCE,
        dataDir: dir,
        readStore: { kind: 'sqlite' as const },
      },
      eventStore: store,
      logger: pino({ level: 'silent' }),
      options: { idleWaitMs: 200, batchSize: 50 },
    });

    // While the relay publishes: initiatives, then a checkpoint of the tree and its cosignatures, round after round.
    const log = new TestTransparencyLog(store);
    for (let round = 0; round < ROUNDS; round++) {
      const { events } = await appendScenarios(store, { initiatives: 10, concurrency: 4 });
      initiativeEvents.push((initiativeEvents.at(-1) ?? 0) + events);
      const checkpoint = await log.signCheckpoint();
      treeSizes.push(checkpoint.treeSize);
      for (const country of WITNESSES) await log.cosign(checkpoint, country);
    }
    const head = await store.headPosition();
    const deadline = Date.now() + 60_000;
    while (relay.status().checkpoint < head) {
      if (Date.now() > deadline) throw new Error(`relay stuck at ${relay.status().checkpoint} of ${head}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const all = await store.readAll(0, 100_000);
    stored = new Map(all.map((event) => [event.eventId, event]));
    records = await consumeAll(kafka, topic, all.length);
  });

  afterAll(async () => {
    await relay?.stop();
    await store.close();
    await deleteTopic(admin, topic);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every stored event once, each stream in order under its key, the log streams beside the initiatives', async () => {
    const expected = await eventsPerKey(store);
    expect(treeSizes).toEqual(initiativeEvents);
    expect([...expected].filter(([key]) => isLogStream(key))).toEqual([
      ['log-checkpoints', ROUNDS],
      ...treeSizes.map((size) => [`log-cosignatures-${size}`, WITNESSES.length]),
    ]);
    const { duplicates, problems } = checkDelivery(records, expected);
    expect(problems).toEqual([]);
    expect(duplicates).toBe(0);
    expect(records).toHaveLength(stored.size);
    // One partition per key: each log stream's order is the partition's order.
    const partitions = new Map<string, Set<number>>();
    for (const { key, partition } of records)
      partitions.set(key, (partitions.get(key) ?? new Set()).add(partition));
    expect([...partitions.values()].filter((used) => used.size !== 1)).toEqual([]);
  });

  it('types the log events accord.log.*, keyed by their stream, a checkpoint’s data the signed note', () => {
    const logRecords = records.filter((record) => isLogStream(stored.get(record.event.id)!.streamId));
    expect(logRecords).toHaveLength(ROUNDS * (1 + WITNESSES.length));
    for (const record of logRecords) {
      const event = stored.get(record.event.id)!;
      const received = CloudEventsKafka.toEvent({ ...record, body: record.value });
      const cloudEvent = (Array.isArray(received) ? received[0] : received) as CloudEvent<unknown>;
      expect(cloudEvent.validate()).toBe(true);
      expect(record.key).toBe(event.streamId);
      expect(cloudEvent.subject).toBe(event.streamId);
      expect(record.headers).toEqual({
        'content-type': 'application/cloudevents+json',
        ce_id: event.eventId,
        ce_type: `accord.log.${event.type}.v1`,
      });
      expect(cloudEvent.type).toBe(`accord.log.${event.type}.v1`);
      expect(cloudEvent.streamrevision).toBe(event.revision);
      expect(cloudEvent.eventhash).toBe(event.hash);
      if (event.type === 'CheckpointSigned') {
        expect(cloudEvent.datacontenttype).toBe('text/plain; charset=utf-8');
        expect(cloudEvent.data).toBe(event.data.note);
      } else {
        expect(cloudEvent.datacontenttype).toBe('application/json');
        expect(cloudEvent.data).toEqual(event.data);
        expect(cloudEvent.actorcountry).toBe(event.data.country);
      }
    }
  });

  it('leaves the initiative events as they were: typed accord.initiative.*, keyed by initiative', () => {
    for (const record of records) {
      const event = stored.get(record.event.id)!;
      if (isLogStream(event.streamId)) continue;
      expect(record.key).toBe(event.streamId.slice('initiative-'.length));
      expect(record.headers.ce_type).toBe(`accord.initiative.${event.type}.v${event.metadata.schemaVersion}`);
    }
  });

  it('is what `accord tail` prints: the log events too, once each, as their CloudEvent JSON line', async () => {
    const lines: string[] = [];
    const counts = await tail(
      {
        brokers: BROKERS,
        topic,
        fromBeginning: true,
        groupId: `accord-tail-log-test-${Date.now()}`,
        maxEvents: stored.size,
      },
      {
        signal: new AbortController().signal,
        write: (line) => lines.push(line),
        warn: (message) => console.warn(message),
      },
    );
    expect(counts).toEqual({ printed: stored.size, duplicates: 0 });
    const printed = lines.map((line) => JSON.parse(line) as { id: string; type: string; subject: string });
    const logLines = printed.filter((event) => event.type.startsWith('accord.log.'));
    expect(logLines.map((event) => event.subject).sort()).toEqual(
      records
        .filter((record) => isLogStream(record.key))
        .map((record) => record.key)
        .sort(),
    );
  });
});

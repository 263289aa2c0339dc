import { CloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SqliteEventStore } from '@accord/event-store';
import { DEFAULT_EVENT_SOURCE, RunningRelay, startRelay } from '@accord/messaging';
import { tail } from '../../apps/cli/src/commands/tail';
import { BROKERS, describeBroker, ensureBroker } from './broker';
import {
  appendScenarios,
  checkDelivery,
  consumeAll,
  deleteTopic,
  eventsPerKey,
  testKafka,
  uniqueTopic,
} from './support';

jest.setTimeout(120_000);

/** The relay in-process against the real broker: a full scenario's events, every type, keyed and in order. */
describe('Kafka relay against a real broker', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueTopic('relay');
  let dir: string;
  let store: SqliteEventStore;
  let relay: RunningRelay | null = null;

  const config = () => ({
    kafka: { brokers: BROKERS, topic, partitions: 3, replicationFactor: 1 },
    eventSource: DEFAULT_EVENT_SOURCE,
    dataDir: dir,
    readStore: { kind: 'sqlite' as const },
  });
  const start = () =>
    startRelay({
      config: config(),
      eventStore: store,
      logger: pino({ level: 'silent' }),
      options: { idleWaitMs: 200 },
    });
  const caughtUp = async (running: RunningRelay) => {
    const head = await store.headPosition();
    const deadline = Date.now() + 60_000;
    while (running.status().checkpoint < head) {
      if (Date.now() > deadline) throw new Error(`relay stuck at ${running.status().checkpoint} of ${head}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    ensureBroker();
    console.log(`Kafka relay test against ${describeBroker()}`);
    await admin.connect();
    dir = mkdtempSync(join(tmpdir(), 'accord-relay-it-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
  });

  afterAll(async () => {
    await relay?.stop();
    await store.close();
    await deleteTopic(admin, topic);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every stored event exactly once, as a valid CloudEvent keyed by initiative, in stream order', async () => {
    const { events } = await appendScenarios(store, { initiatives: 200 }); // every event type
    relay = start();
    await caughtUp(relay);
    expect(relay.status()).toMatchObject({ kafka: 'up', topic, checkpoint: await store.headPosition() });
    expect(await relay.lag()).toBe(0);

    const records = await consumeAll(kafka, topic, events);
    const expected = await eventsPerKey(store);
    const { duplicates, problems } = checkDelivery(records, expected);
    expect(problems).toEqual([]);
    expect(duplicates).toBe(0);
    expect(records).toHaveLength(events);
    console.log(`${events} events of ${expected.size} initiatives published once each, in order`);

    const stored = new Map((await store.readAll(0, events)).map((event) => [event.eventId, event]));
    const types = new Set<string>();
    for (const record of records) {
      const received = CloudEventsKafka.toEvent({ ...record, body: record.value });
      const cloudEvent = (Array.isArray(received) ? received[0] : received) as CloudEvent<unknown>;
      expect(cloudEvent.validate()).toBe(true);
      const event = stored.get(cloudEvent.id)!;
      expect(record.key).toBe(event.streamId.replace('initiative-', ''));
      expect(record.headers).toEqual({
        'content-type': 'application/cloudevents+json',
        ce_id: event.eventId,
        ce_type: `accord.initiative.${event.type}.v${event.metadata.schemaVersion}`,
      });
      expect(cloudEvent.data).toEqual(event.data);
      expect(cloudEvent.streamrevision).toBe(event.revision);
      expect(cloudEvent.eventhash).toBe(event.hash);
      types.add(event.type);
    }
    expect(types.size).toBe(9);
  });

  it('starts from its saved checkpoint after a restart: nothing is published twice', async () => {
    await relay!.stop();
    const before = await totalRecords();
    relay = start();
    const { events } = await appendScenarios(store, { initiatives: 20 });
    await caughtUp(relay);
    expect(await totalRecords()).toBe(before + events);
  });

  it('is what `accord tail` prints: each event once, as a JSON line', async () => {
    const head = await store.headPosition();
    const lines: string[] = [];
    const controller = new AbortController();
    const counts = await tail(
      {
        brokers: BROKERS,
        topic,
        fromBeginning: true,
        groupId: `accord-tail-test-${Date.now()}`,
        maxEvents: head,
      },
      {
        signal: controller.signal,
        write: (line) => lines.push(line),
        warn: (message) => console.warn(message),
      },
    );
    expect(counts).toEqual({ printed: head, duplicates: 0 });
    const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
    expect(new Set(ids).size).toBe(head);
  });

  it('publishes events appended while it runs within milliseconds (append → consumer, 200 commands/s)', async () => {
    const latencies: number[] = [];
    const appendedAt = new Map<string, number>();
    const consumer = kafka.consumer({ groupId: `accord-latency-${Date.now()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    let resolveJoined: () => void = () => undefined;
    const joined = new Promise<void>((resolve) => (resolveJoined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => resolveJoined());
    await consumer.run({
      eachMessage: async ({ message }) => {
        const received = Date.now();
        const id = message.headers?.ce_id?.toString();
        const subject = message.key?.toString() ?? '';
        const sent = appendedAt.get(subject);
        if (id && sent !== undefined) latencies.push(received - sent);
      },
    });
    await joined;
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the group's fetches are under way
    // Proposals only, one command = one event, 200 per second for 5 s.
    const { scenarioHandler } = await import('../../libs/messaging/src/testing/scenarios');
    const { proposal, at, focalPoint } = await import('../../libs/domain/src/testing/fixtures');
    const handler = scenarioHandler(store);
    const started = Date.now();
    for (let index = 0; index < 1000; index++) {
      const due = started + index * 5;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const initiativeId = crypto.randomUUID();
      appendedAt.set(initiativeId, Date.now());
      void handler.handle(
        `initiative-${initiativeId}`,
        { type: 'ProposeInitiative', data: proposal({ initiativeId }), metadata: at(focalPoint('KAZ')) },
        { correlationId: 'latency', causationId: null, idempotencyKey: null },
      );
    }
    const deadline = Date.now() + 30_000;
    while (latencies.length < 1000 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await consumer.disconnect();
    expect(latencies).toHaveLength(1000);
    const sorted = [...latencies].sort((a, b) => a - b);
    const percentile = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    console.log(
      `append → Kafka consumer at 200 commands/s (relay in-process, SQLite store): ` +
        `p50 ${percentile(50)} ms, p99 ${percentile(99)} ms, max ${sorted[sorted.length - 1]} ms`,
    );
  });

  async function totalRecords(): Promise<number> {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  }
});

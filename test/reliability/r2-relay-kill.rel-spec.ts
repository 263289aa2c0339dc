import { join } from 'node:path';
import { SqliteEventStore } from '@accord/event-store';
import { BROKERS, describeBroker } from '../kafka/broker';
import {
  appendScenarios,
  checkDelivery,
  consumeAll,
  deleteTopic,
  topicRecordCounter,
  eventsPerKey,
  testKafka,
  uniqueTopic,
} from '../kafka/support';
import {
  AccordServer,
  freshDataDir,
  killAllStarted,
  n,
  removeDir,
  scale,
  secondsSince,
  sleep,
  startServer,
} from './support/server';

jest.setTimeout(600_000);

/** The relay publishes batches of 1,000: five kills, each after new records, need more than 5 batches. */
const EVENTS = scale(30_000, 12_000);
const KILLS = 5;

/**
 * R2 (quality.md): the compiled standalone relay (apps/relay, as production runs it) is killed with SIGKILL five
 * times while it publishes 10,000 stored events to the real broker, and restarted each time. Every event reaches a
 * consumer at least once, in stream order per initiative once duplicates are dropped by id. The helpers are those
 * of test/kafka (relay-kill.int-spec.ts); here each kill is also checked to land before the relay's saved
 * checkpoint reached the head of the log, as reported by its own /health/ready.
 */
describe('R2: the relay killed with SIGKILL five times while publishing', () => {
  const kafka = testKafka('accord-reliability');
  const admin = kafka.admin();
  const topic = uniqueTopic('rel-relay-kill');
  const dataDir = freshDataDir('r2');
  let relay: AccordServer | null = null;

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await relay?.stop();
    await killAllStarted();
    await deleteTopic(admin, topic);
    await admin.disconnect();
    removeDir(dataDir);
  });

  const recordsOnTopic = topicRecordCounter(admin, topic);
  const startRelay = () =>
    startServer({
      app: 'relay',
      dataDir,
      logFile: join(dataDir, 'relay.log'),
      logLevel: 'info',
      env: { KAFKA_BROKERS: BROKERS.join(','), ACCORD_KAFKA_TOPIC: topic, ACCORD_ROLES: 'relay' },
    });
  const checkpointOf = async (process: AccordServer): Promise<number | null> => {
    try {
      const response = await fetch(`${process.url}/health/ready`);
      return ((await response.json()) as { checks: { kafka: { checkpoint: number } } }).checks.kafka
        .checkpoint;
    } catch {
      return null;
    }
  };

  it(`delivers each of ${n(EVENTS)} events at least once, in order per initiative, across ${KILLS} SIGKILLs`, async () => {
    const started = Date.now();
    const store = new SqliteEventStore(join(dataDir, 'events.db'));
    let events = 0;
    while (events < EVENTS)
      events += (await appendScenarios(store, { initiatives: Math.ceil((EVENTS - events) / 5) })).events;
    const expected = await eventsPerKey(store);
    const head = await store.headPosition();
    await store.close();

    const kills: { records: number; checkpoint: number | null; afterMs: number }[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const base = await recordsOnTopic();
      relay = await startRelay();
      const runStarted = Date.now();
      // Each run is killed just after its first batch reached the topic (re-sent duplicates included), while it
      // saves its checkpoint or sends the next batch.
      const threshold = base + 1;
      while ((await recordsOnTopic()) < threshold) {
        if (relay.child.exitCode !== null) throw new Error(`the relay exited early:\n${relay.logTail()}`);
        if (Date.now() - runStarted > 60_000)
          throw new Error(
            `kill ${kill}: the relay put no new records on the topic (checkpoint ${await checkpointOf(relay)} ` +
              `of ${head}):\n${relay.logTail()}`,
          );
        await sleep(10);
      }
      await sleep(Math.random() * 40);
      const checkpoint = await checkpointOf(relay);
      await relay.kill9();
      const { signal } = await relay.exited;
      expect(signal).toBe('SIGKILL');
      kills.push({ records: await recordsOnTopic(), checkpoint, afterMs: Date.now() - runStarted });
    }
    // The relay publishes thousands of events a second: the last runs may find little left to publish, but most
    // kills must land before the relay saved the head of the log as its checkpoint, or nothing was tested.
    const midway = kills.filter((kill) => kill.checkpoint === null || kill.checkpoint < head).length;

    relay = await startRelay();
    const records = await consumeAll(kafka, topic, events, 180_000);
    expect(await relay.stop()).toBe(0);
    const { duplicates, problems } = checkDelivery(records, expected);
    console.log(
      [
        `R2: ${n(events)} events of ${n(expected.size)} initiatives against ${describeBroker()};`,
        `  ${KILLS} SIGKILLs of the relay process, at ${kills
          .map((kill) => `${n(kill.records)} records (checkpoint ${kill.checkpoint ?? '?'})`)
          .join(', ')} on the topic (${midway} of them before the relay reached the head, ${n(head)});`,
        `  ${n(records.length)} records consumed, ${n(duplicates)} duplicates dropped by id, ` +
          `${problems.length === 0 ? '0 lost, every initiative in stream order' : `${problems.length} problems`}; ` +
          `${secondsSince(started)} s`,
      ].join('\n'),
    );
    expect(midway).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
    expect(problems).toEqual([]);
  });
});

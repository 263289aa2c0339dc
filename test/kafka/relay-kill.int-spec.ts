import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@accord/event-store';
import { describeBroker, ensureBroker } from './broker';
import { ensureRelayBuilt, RelayProcess, spawnRelay, tailOf } from './relay-process';
import {
  appendScenarios,
  checkDelivery,
  consumeAll,
  deleteTopic,
  topicRecordCounter,
  eventsPerKey,
  testKafka,
  uniqueTopic,
} from './support';

jest.setTimeout(600_000);

const EVENTS = 12_000;
const KILLS = 6;

/**
 * R2: `kill -9` the relay process several times while it publishes thousands of events, restarting it
 * each time. Every event must reach a consumer at least once, in stream order per initiative after
 * dropping duplicates by id.
 */
describe('Relay killed with SIGKILL while publishing (R2)', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueTopic('relay-kill');
  let dir: string;
  let running: RelayProcess | null = null;

  beforeAll(async () => {
    ensureBroker();
    ensureRelayBuilt();
    console.log(`Relay kill test against ${describeBroker()}`);
    await admin.connect();
    dir = mkdtempSync(join(tmpdir(), 'accord-relay-kill-'));
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    await deleteTopic(admin, topic);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const recordsOnTopic = topicRecordCounter(admin, topic);

  it(`delivers every event at least once and in order per initiative across ${KILLS} kills`, async () => {
    const store = new SqliteEventStore(join(dir, 'events.db'));
    let events = 0;
    while (events < EVENTS)
      events += (await appendScenarios(store, { initiatives: Math.ceil((EVENTS - events) / 5) })).events;
    const expected = await eventsPerKey(store);
    await store.close();
    const log = join(dir, 'relay.log');

    const kills: { atRecords: number; afterMs: number }[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const relay = (running = spawnRelay({ dataDir: dir, topic, log }));
      const started = Date.now();
      // Kill once the topic has grown by another slice of the total (duplicates included), at a random moment.
      const threshold = Math.round((kill * events) / (KILLS + 1));
      while ((await recordsOnTopic()) < threshold) {
        if (relay.child.exitCode !== null) throw new Error(`relay exited early:\n${tailOf(log)}`);
        if (Date.now() - started > 60_000) throw new Error(`relay made no progress:\n${tailOf(log)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      relay.child.kill('SIGKILL');
      const { signal } = await relay.exited;
      expect(signal).toBe('SIGKILL');
      kills.push({ atRecords: await recordsOnTopic(), afterMs: Date.now() - started });
    }
    expect(kills.every((kill) => kill.atRecords < events)).toBe(true); // each kill landed mid-way

    // The last run is left to finish, then stopped gracefully.
    const relay = (running = spawnRelay({ dataDir: dir, topic, log }));
    const records = await consumeAll(kafka, topic, events, 120_000);
    relay.child.kill('SIGTERM');
    const exit = await relay.exited;
    expect(exit).toEqual({ code: 0, signal: null });

    const { duplicates, problems } = checkDelivery(records, expected);
    expect(problems).toEqual([]);
    console.log(
      [
        `R2 relay kill test: ${events} events of ${expected.size} initiatives, ${kills.length} SIGKILLs ` +
          `(at ${kills.map((kill) => kill.atRecords).join(', ')} records on the topic),`,
        `${records.length} records consumed, ${duplicates} duplicates dropped by id, 0 lost, ` +
          `every initiative in stream order.`,
      ].join('\n'),
    );
  });
});

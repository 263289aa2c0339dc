import { captureStdout } from '../support/capture-stdout';
import { CompressionTypes } from 'kafkajs';
import { createAccordProducer, ensureTopic } from '@accord/messaging';
import { parseTailArgs, RecentIds, tailCommand } from '../../apps/cli/src/commands/tail';
import { BROKERS, describeBroker, ensureBroker } from './broker';
import { deleteTopic, testKafka, uniqueTopic } from './support';

jest.setTimeout(60_000);

describe('accord tail, the reference consumer', () => {
  it('reads its options from the command line, then the environment', () => {
    expect(parseTailArgs([], {})).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      topic: 'accord.initiatives.v1',
      fromBeginning: false,
      maxEvents: null,
    });
    expect(parseTailArgs([], { KAFKA_BROKERS: 'a:1,b:2', ACCORD_KAFKA_TOPIC: 't' })).toMatchObject({
      brokers: ['a:1', 'b:2'],
      topic: 't',
    });
    expect(
      parseTailArgs(
        ['--brokers', 'k:9092', '--topic', 'x', '--from-beginning', '--group', 'g', '--max-events', '3'],
        {},
      ),
    ).toEqual({ brokers: ['k:9092'], topic: 'x', fromBeginning: true, groupId: 'g', maxEvents: 3 });
    expect(parseTailArgs(['--brokers'], {})).toBe('--brokers needs a value');
    expect(parseTailArgs(['--brokers', 'nope'], {})).toBe('--brokers must list host:port entries');
    expect(parseTailArgs(['--max-events', '0'], {})).toBe('--max-events must be a positive integer');
    expect(parseTailArgs(['--what'], {})).toBe('unknown option --what');
  });

  it('remembers a bounded window of ids', () => {
    const ids = new RecentIds(3);
    expect(['a', 'b', 'a', 'c', 'd'].map((id) => ids.add(id))).toEqual([true, true, false, true, true]);
    expect(ids.add('a')).toBe(true); // forgotten: the window holds b, c, d
    expect(ids.add('d')).toBe(false);
  });

  describe('against the broker', () => {
    const kafka = testKafka();
    const admin = kafka.admin();
    const topic = uniqueTopic('tail');

    beforeAll(async () => {
      ensureBroker();
      console.log(`accord tail test against ${describeBroker()}`);
      await admin.connect();
      await ensureTopic(admin, topic, 3, 1);
    });

    afterAll(async () => {
      await deleteTopic(admin, topic);
      await admin.disconnect();
    });

    it('prints each event once as a JSON line, dropping a record sent again', async () => {
      const events = Array.from({ length: 5 }, (_, index) => ({
        specversion: '1.0',
        id: `00000000-0000-4000-8000-00000000000${index}`,
        type: 'accord.initiative.InitiativeWithdrawn.v1',
        subject: 'i-1',
        streamrevision: index,
      }));
      const producer = createAccordProducer(kafka);
      await producer.connect();
      // Duplicates before the last event: the tail reads them before it prints its 5th event.
      const records = [events[0], events[1], events[2], events[2], events[3], events[1], events[4]].map(
        (event) => ({
          key: event.subject,
          value: JSON.stringify(event),
          headers: { 'content-type': 'application/cloudevents+json', ce_id: event.id, ce_type: event.type },
        }),
      );
      await producer.send({ topic, messages: records, acks: -1, compression: CompressionTypes.None });
      await producer.disconnect();

      const { code, output } = await captureStdout(() =>
        tailCommand([
          '--brokers',
          BROKERS.join(','),
          '--topic',
          topic,
          '--from-beginning',
          '--max-events',
          '5',
        ]),
      );
      expect(code).toBe(0);
      const lines = output.trimEnd().split('\n');
      expect(lines.map((line) => JSON.parse(line))).toEqual(events);
    });
  });
});

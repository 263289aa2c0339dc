import { CloudEvent, Kafka, KafkaMessage } from 'cloudevents';
import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, StoredEvent } from '@accord/event-store';
import {
  CLOUDEVENTS_JSON,
  cloudEventType,
  DEFAULT_EVENT_SOURCE,
  SIGNED_NOTE_CONTENT_TYPE,
  toCloudEvent,
  toKafkaMessage,
} from './cloud-event';
import { TestTransparencyLog } from './testing/log-events';
import { runScenario, scenarioHandler } from './testing/scenarios';

const INITIATIVE_ID = '6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11';

const signOff = (overrides: Partial<StoredEvent> = {}): StoredEvent => ({
  streamId: `initiative-${INITIATIVE_ID}`,
  revision: 3,
  position: 42,
  eventId: '0b7e7f4e-3f0c-4a55-9d7a-6a1f3c2b9e10',
  type: 'NationalSignOffRecorded',
  occurredAt: '2026-03-01T09:00:00.000Z',
  actor: { sub: 'fp-kaz', role: 'focal-point', country: 'KAZ' },
  data: { initiativeId: INITIATIVE_ID, state: 'KAZ', decision: 'approve', proposalVersion: 1, comment: null },
  metadata: {
    correlationId: 'c-1',
    causationId: 'cmd-7',
    schemaVersion: 1,
    idempotencyKey: 'key-1',
  },
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  ...overrides,
});

const approval = signOff({
  revision: 7,
  eventId: '7d9b2c1e-1111-4c2d-8e3f-000000000007',
  type: 'InitiativeApproved',
  actor: { sub: 'secretary-general', role: 'secretariat', country: null },
  data: { initiativeId: INITIATIVE_ID, proposalVersion: 1, approvals: ['KAZ', 'UZB'], abstentions: [] },
  metadata: { correlationId: 'c-2', causationId: null, schemaVersion: 1, idempotencyKey: null },
});

describe('CloudEvents mapping (events.md, Kafka)', () => {
  it('maps an event to the structured CloudEvents 1.0 envelope, attribute by attribute', () => {
    expect(toCloudEvent(signOff(), 'urn:accord:initiatives')).toEqual({
      specversion: '1.0',
      id: '0b7e7f4e-3f0c-4a55-9d7a-6a1f3c2b9e10',
      source: 'urn:accord:initiatives',
      type: 'accord.initiative.NationalSignOffRecorded.v1',
      subject: INITIATIVE_ID,
      time: '2026-03-01T09:00:00.000Z',
      datacontenttype: 'application/json',
      data: {
        initiativeId: INITIATIVE_ID,
        state: 'KAZ',
        decision: 'approve',
        proposalVersion: 1,
        comment: null,
      },
      streamrevision: 3,
      correlationid: 'c-1',
      causationid: 'cmd-7',
      actorrole: 'focal-point',
      actorcountry: 'KAZ',
      eventhash: 'b'.repeat(64),
      prevhash: 'a'.repeat(64),
    });
  });

  it('serialises the attributes of an initiative event in a fixed order, byte for byte', () => {
    expect(toKafkaMessage(signOff(), 'urn:accord:initiatives').value).toBe(
      '{"specversion":"1.0","id":"0b7e7f4e-3f0c-4a55-9d7a-6a1f3c2b9e10","source":"urn:accord:initiatives",' +
        '"type":"accord.initiative.NationalSignOffRecorded.v1","subject":"6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11",' +
        '"time":"2026-03-01T09:00:00.000Z","datacontenttype":"application/json","data":{"initiativeId":' +
        '"6f1c1f5e-8a63-4f4e-9d57-0d5c6a9e2b11","state":"KAZ","decision":"approve","proposalVersion":1,' +
        '"comment":null},"streamrevision":3,"correlationid":"c-1","actorrole":"focal-point",' +
        `"eventhash":"${'b'.repeat(64)}","prevhash":"${'a'.repeat(64)}","causationid":"cmd-7","actorcountry":"KAZ"}`,
    );
  });

  it('leaves out the attributes without a value (CloudEvents has no null): causationid, actorcountry', () => {
    const cloudEvent = toCloudEvent(approval, DEFAULT_EVENT_SOURCE);
    expect(cloudEvent).not.toHaveProperty('causationid');
    expect(cloudEvent).not.toHaveProperty('actorcountry');
    expect(cloudEvent.actorrole).toBe('secretariat');
    expect(JSON.parse(toKafkaMessage(approval, DEFAULT_EVENT_SOURCE).value)).not.toHaveProperty(
      'causationid',
    );
  });

  it('never carries the actor sub or the idempotency key', () => {
    const value = toKafkaMessage(signOff(), DEFAULT_EVENT_SOURCE).value;
    expect(value).not.toContain('fp-kaz');
    expect(value).not.toContain('key-1');
  });

  it('names the type after the event type and its schema version', () => {
    expect(cloudEventType('initiative', 'InitiativeProposed', 1)).toBe(
      'accord.initiative.InitiativeProposed.v1',
    );
    expect(toCloudEvent(signOff({ metadata: { ...signOff().metadata, schemaVersion: 2 } }), 's').type).toBe(
      'accord.initiative.NationalSignOffRecorded.v2',
    );
  });

  it('takes the subject from the stream id', () => {
    expect(toCloudEvent(signOff(), 's').subject).toBe(INITIATIVE_ID);
  });

  it.each([signOff(), approval])('passes the CloudEvents SDK validation (%#)', (event) => {
    const cloudEvent = toCloudEvent(event, DEFAULT_EVENT_SOURCE);
    const sdkEvent = new CloudEvent<unknown>(cloudEvent); // strict: validates attribute names, types, the v1 schema
    expect(sdkEvent.validate()).toBe(true);
    for (const [name, value] of Object.entries(cloudEvent)) {
      expect(name).toMatch(/^[a-z0-9]{1,20}$/);
      if (name !== 'data') expect(['string', 'number', 'boolean']).toContain(typeof value);
      if (typeof value === 'number') expect(Number.isInteger(value) && Math.abs(value) < 2 ** 31).toBe(true);
    }
  });

  it('makes a Kafka record keyed by initiative, with the structured-mode content type and ce_id, ce_type', () => {
    const message = toKafkaMessage(signOff(), DEFAULT_EVENT_SOURCE);
    expect(message.key).toBe(INITIATIVE_ID);
    expect(message.headers).toEqual({
      'content-type': 'application/cloudevents+json',
      ce_id: '0b7e7f4e-3f0c-4a55-9d7a-6a1f3c2b9e10',
      ce_type: 'accord.initiative.NationalSignOffRecorded.v1',
    });
    expect(CLOUDEVENTS_JSON).toBe('application/cloudevents+json');
    expect(JSON.parse(message.value)).toEqual(toCloudEvent(signOff(), DEFAULT_EVENT_SOURCE));
  });

  it('is read back by the SDK’s Kafka binding as the same CloudEvent', () => {
    const message = toKafkaMessage(signOff(), DEFAULT_EVENT_SOURCE);
    const record: KafkaMessage<string> = { ...message, body: message.value };
    const received = Kafka.toEvent(record);
    const event = (Array.isArray(received) ? received[0] : received) as CloudEvent<unknown>;
    expect(event.validate()).toBe(true);
    expect(event.id).toBe('0b7e7f4e-3f0c-4a55-9d7a-6a1f3c2b9e10');
    expect(event.type).toBe('accord.initiative.NationalSignOffRecorded.v1');
    expect(event.subject).toBe(INITIATIVE_ID);
    expect(event.streamrevision).toBe(3);
    expect(event.partitionkey).toBe(INITIATIVE_ID);
    expect(event.data).toEqual(signOff().data);
  });
});

describe('CloudEvents mapping of the transparency log’s events (docs/trust.md §4)', () => {
  let checkpoint: StoredEvent;
  let cosignature: StoredEvent;
  let initiativeEvents: StoredEvent[];

  beforeAll(async () => {
    const store = new InMemoryEventStore();
    await runScenario(scenarioHandler(store), randomUUID(), 'withdrawn');
    const log = new TestTransparencyLog(store);
    await log.cosign(await log.signCheckpoint(), 'KAZ');
    const events = await store.readAll(0, 100);
    initiativeEvents = events.filter((event) => event.streamId.startsWith('initiative-'));
    checkpoint = events.find((event) => event.type === 'CheckpointSigned')!;
    cosignature = events.find((event) => event.type === 'CheckpointCosigned')!;
  });

  it('maps a signed checkpoint to accord.log.CheckpointSigned.v1, its data the signed note as text', () => {
    const note = checkpoint.data.note as string;
    expect(note).toMatch(/^accord\.test\/log\n3\n[A-Za-z0-9+/]{43}=\n\n— accord\.test\/log \S+\n$/);
    expect(toCloudEvent(checkpoint, DEFAULT_EVENT_SOURCE)).toEqual({
      specversion: '1.0',
      id: checkpoint.eventId,
      source: DEFAULT_EVENT_SOURCE,
      type: 'accord.log.CheckpointSigned.v1',
      subject: 'log-checkpoints',
      time: checkpoint.occurredAt,
      datacontenttype: 'text/plain; charset=utf-8',
      data: note,
      streamrevision: 0,
      correlationid: 'checkpoint-3',
      actorrole: 'system',
      eventhash: checkpoint.hash,
      prevhash: '0'.repeat(64),
    });
    expect(SIGNED_NOTE_CONTENT_TYPE).toBe('text/plain; charset=utf-8');
  });

  it('maps a cosignature to accord.log.CheckpointCosigned.v1, its data the JSON object, with the witness’s country', () => {
    expect(toCloudEvent(cosignature, DEFAULT_EVENT_SOURCE)).toEqual({
      specversion: '1.0',
      id: cosignature.eventId,
      source: DEFAULT_EVENT_SOURCE,
      type: 'accord.log.CheckpointCosigned.v1',
      subject: 'log-cosignatures-3',
      time: cosignature.occurredAt,
      datacontenttype: 'application/json',
      data: {
        treeSize: 3,
        rootHash: checkpoint.data.rootHash,
        country: 'KAZ',
        witness: 'witness.kaz',
        cosignature: expect.stringMatching(/^— witness\.kaz \S+$/),
        timestamp: expect.any(Number),
      },
      streamrevision: 0,
      correlationid: 'cosign-3-KAZ',
      actorrole: 'witness',
      actorcountry: 'KAZ',
      eventhash: cosignature.hash,
      prevhash: '0'.repeat(64),
    });
    expect(cloudEventType('log', 'CheckpointCosigned', 1)).toBe('accord.log.CheckpointCosigned.v1');
  });

  it('keys each log event by its stream, so that each log stream stays in order on one partition', () => {
    for (const event of [checkpoint, cosignature]) {
      const message = toKafkaMessage(event, DEFAULT_EVENT_SOURCE);
      expect(message.key).toBe(event.streamId);
      expect(message.headers).toEqual({
        'content-type': CLOUDEVENTS_JSON,
        ce_id: event.eventId,
        ce_type: `accord.log.${event.type}.v1`,
      });
    }
  });

  it('never carries the actor sub of the log or of the witness', () => {
    expect(toKafkaMessage(checkpoint, DEFAULT_EVENT_SOURCE).value).not.toContain('accord-log');
    expect(toKafkaMessage(cosignature, DEFAULT_EVENT_SOURCE).value).not.toContain('witness-kaz');
  });

  it.each(['CheckpointSigned', 'CheckpointCosigned'])(
    'makes a %s record the SDK validates and reads back with the same data',
    (type) => {
      const event = type === 'CheckpointSigned' ? checkpoint : cosignature;
      const message = toKafkaMessage(event, DEFAULT_EVENT_SOURCE);
      const received = Kafka.toEvent({ ...message, body: message.value } as KafkaMessage<string>);
      const sdkEvent = (Array.isArray(received) ? received[0] : received) as CloudEvent<unknown>;
      expect(sdkEvent.validate()).toBe(true);
      expect(sdkEvent.type).toBe(`accord.log.${type}.v1`);
      expect(sdkEvent.subject).toBe(event.streamId);
      expect(sdkEvent.partitionkey).toBe(event.streamId);
      expect(sdkEvent.data).toEqual(type === 'CheckpointSigned' ? event.data.note : event.data);
    },
  );

  it('maps the initiative events stored beside the log as before: keyed by initiative, typed accord.initiative', () => {
    for (const event of initiativeEvents) {
      const cloudEvent = toCloudEvent(event, DEFAULT_EVENT_SOURCE);
      expect(cloudEvent.type).toBe(`accord.initiative.${event.type}.v2`);
      expect(cloudEvent.subject).toBe(event.streamId.slice('initiative-'.length));
      expect(cloudEvent.data).toEqual(event.data);
    }
  });

  it('refuses an event of a stream that is neither an initiative’s nor the log’s, rather than mislabel it', () => {
    expect(() => toCloudEvent({ ...cosignature, streamId: 'audit-exports' }, DEFAULT_EVENT_SOURCE)).toThrow(
      'audit-exports holds neither',
    );
  });
});

import { CloudEvent, Kafka, KafkaMessage } from 'cloudevents';
import { StoredEvent } from '@accord/event-store';
import {
  CLOUDEVENTS_JSON,
  cloudEventType,
  DEFAULT_EVENT_SOURCE,
  toCloudEvent,
  toKafkaMessage,
} from './cloud-event';

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
    expect(cloudEventType('InitiativeProposed', 1)).toBe('accord.initiative.InitiativeProposed.v1');
    expect(toCloudEvent(signOff({ metadata: { ...signOff().metadata, schemaVersion: 2 } }), 's').type).toBe(
      'accord.initiative.NationalSignOffRecorded.v2',
    );
  });

  it('takes the subject from the stream id', () => {
    expect(toCloudEvent(signOff(), 's').subject).toBe(INITIATIVE_ID);
  });

  it.each([signOff(), approval])('passes the CloudEvents SDK validation (%#)', (event) => {
    const cloudEvent = toCloudEvent(event, DEFAULT_EVENT_SOURCE);
    const sdkEvent = new CloudEvent(cloudEvent); // strict: validates attribute names, types, the v1 schema
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

import { assertNever, CheckpointSigned, initiativeIdOf, isLogStream, LogEvent } from '@accord/domain';
import { StoredEvent } from '@accord/event-store';

/** `ACCORD_EVENT_SOURCE` when unset. */
export { DEFAULT_EVENT_SOURCE } from '@accord/config';

/** Content type of a structured-mode CloudEvent in JSON (CloudEvents Kafka protocol binding, 3.3). */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/**
 * The `datacontenttype` of a checkpoint the log signed: its `data` is the signed note itself (docs/trust.md §4),
 * which the JSON event format carries as a JSON string.
 */
export const SIGNED_NOTE_CONTENT_TYPE = 'text/plain; charset=utf-8';

/**
 * The kinds of stream on the topic; each names its events' CloudEvents types, `accord.<family>.<EventType>.v<n>`.
 */
export type EventFamily = 'initiative' | 'log';

/**
 * The attributes every Accord event carries as a CloudEvents 1.0 event in structured JSON mode, exactly as
 * events.md maps them. The CloudEvents type system has no null: an attribute without a value (`causationid` of a
 * command nobody caused, `actorcountry` of an actor acting for no state) is left out, which is how CloudEvents says
 * "not set". Consumers read it as `event.causationid ?? null`.
 */
type AccordCloudEventAttributes = {
  specversion: '1.0';
  /** The event id (UUID): consumers drop duplicates by it. */
  id: string;
  source: string;
  /** `accord.<family>.<EventType>.v<schemaVersion>`. */
  type: string;
  /** The initiative id of an initiative's event; the stream id of a transparency log's event. */
  subject: string;
  /** When the command that caused the event happened (ISO 8601 instant). */
  time: string;
  /** The event's 0-based revision in its stream: a consumer can tell a gap or a repeat. */
  streamrevision: number;
  correlationid: string;
  causationid?: string;
  actorrole: string;
  actorcountry?: string;
  /** The event's link in its stream's audit hash chain (events.md, "The audit chain"). */
  eventhash: string;
  prevhash: string;
};

/** An event whose data is a JSON object: every initiative's event, and a witness's cosignature. */
export type JsonCloudEvent = AccordCloudEventAttributes & {
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
};

/** A checkpoint the log signed, whose data is the signed note. */
export type SignedNoteCloudEvent = AccordCloudEventAttributes & {
  datacontenttype: typeof SIGNED_NOTE_CONTENT_TYPE;
  data: string;
};

export type AccordCloudEvent = JsonCloudEvent | SignedNoteCloudEvent;

/** A record ready for kafkajs: `value` is the serialised CloudEvent. */
export interface AccordKafkaMessage {
  key: string;
  value: string;
  headers: { 'content-type': string; ce_id: string; ce_type: string };
}

export function cloudEventType(family: EventFamily, eventType: string, schemaVersion: number): string {
  return `accord.${family}.${eventType}.v${schemaVersion}`;
}

/** What a CloudEvent carries of its event's data, and how it is encoded. */
type CloudEventData =
  Pick<JsonCloudEvent, 'datacontenttype' | 'data'> | Pick<SignedNoteCloudEvent, 'datacontenttype' | 'data'>;

export function toCloudEvent(event: StoredEvent, source: string): AccordCloudEvent {
  const initiativeId = initiativeIdOf(event.streamId);
  if (initiativeId !== null)
    return cloudEventOf(
      event,
      source,
      cloudEventType('initiative', event.type, event.metadata.schemaVersion),
      {
        subject: initiativeId,
        content: { datacontenttype: 'application/json', data: event.data },
      },
    );
  if (isLogStream(event.streamId))
    return cloudEventOf(event, source, cloudEventType('log', event.type, event.metadata.schemaVersion), {
      subject: event.streamId,
      content: logEventData(event),
    });
  // Under any name it would be mislabelled: the relay reports the error and stops at this event.
  throw new Error(`${event.streamId} holds neither an initiative's nor the transparency log's events`);
}

/** A signed checkpoint's data is its signed note (docs/trust.md §4); a cosignature's is its JSON data. */
function logEventData(event: StoredEvent): CloudEventData {
  const type = event.type as LogEvent['type'];
  switch (type) {
    case 'CheckpointSigned':
      return {
        datacontenttype: SIGNED_NOTE_CONTENT_TYPE,
        data: (event.data as CheckpointSigned['data']).note,
      };
    case 'CheckpointCosigned':
      return { datacontenttype: 'application/json', data: event.data };
    default:
      return assertNever(type);
  }
}

function cloudEventOf(
  event: StoredEvent,
  source: string,
  type: string,
  { subject, content }: { subject: string; content: CloudEventData },
): AccordCloudEvent {
  const cloudEvent: AccordCloudEvent = {
    specversion: '1.0',
    id: event.eventId,
    source,
    type,
    subject,
    time: event.occurredAt,
    ...content,
    streamrevision: event.revision,
    correlationid: event.metadata.correlationId,
    actorrole: event.actor.role,
    eventhash: event.hash,
    prevhash: event.prevHash,
  };
  if (event.metadata.causationId !== null) cloudEvent.causationid = event.metadata.causationId;
  if (event.actor.country !== null) cloudEvent.actorcountry = event.actor.country;
  return cloudEvent;
}

/**
 * The Kafka record of one event: keyed by its subject (an initiative, or a log stream), so that each stream's
 * events land on one partition in stream order. `ce_id` and `ce_type` repeat the envelope's `id` and `type` in
 * headers, so that a consumer can route or drop a duplicate without parsing the value.
 */
export function toKafkaMessage(event: StoredEvent, source: string): AccordKafkaMessage {
  const cloudEvent = toCloudEvent(event, source);
  return {
    key: cloudEvent.subject,
    value: JSON.stringify(cloudEvent),
    headers: { 'content-type': CLOUDEVENTS_JSON, ce_id: cloudEvent.id, ce_type: cloudEvent.type },
  };
}

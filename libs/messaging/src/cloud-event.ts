import { initiativeIdOf } from '@accord/domain';
import { StoredEvent } from '@accord/event-store';

/** Stream ids are `initiative-<initiativeId>` (events.md). */

/** `ACCORD_EVENT_SOURCE` when unset. */
export { DEFAULT_EVENT_SOURCE } from '@accord/config';

/** Content type of a structured-mode CloudEvent in JSON (CloudEvents Kafka protocol binding, 3.3). */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/**
 * One Accord event as a CloudEvents 1.0 event in structured JSON mode, exactly as events.md maps it.
 * The CloudEvents type system has no null: an attribute without a value (`causationid` of a command
 * nobody caused, `actorcountry` of anyone but a focal point) is left out, which is how CloudEvents
 * says "not set". Consumers read it as `event.causationid ?? null`.
 */
export type AccordCloudEvent = {
  specversion: '1.0';
  /** The event id (UUID): consumers drop duplicates by it. */
  id: string;
  source: string;
  /** `accord.initiative.<EventType>.v<schemaVersion>`. */
  type: string;
  /** The initiative id. */
  subject: string;
  /** When the command that caused the event happened (ISO 8601 instant). */
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
  /** The event's 0-based revision in its initiative's stream: a consumer can tell a gap or a repeat. */
  streamrevision: number;
  correlationid: string;
  causationid?: string;
  actorrole: string;
  actorcountry?: string;
  /** The event's link in its stream's audit hash chain (events.md, "The audit chain"). */
  eventhash: string;
  prevhash: string;
};

/** A record ready for kafkajs: `value` is the serialised CloudEvent. */
export interface AccordKafkaMessage {
  key: string;
  value: string;
  headers: { 'content-type': string; ce_id: string; ce_type: string };
}

export function cloudEventType(eventType: string, schemaVersion: number): string {
  return `accord.initiative.${eventType}.v${schemaVersion}`;
}

export function toCloudEvent(event: StoredEvent, source: string): AccordCloudEvent {
  const cloudEvent: AccordCloudEvent = {
    specversion: '1.0',
    id: event.eventId,
    source,
    type: cloudEventType(event.type, event.metadata.schemaVersion),
    subject: initiativeIdOf(event.streamId) ?? event.streamId,
    time: event.occurredAt,
    datacontenttype: 'application/json',
    data: event.data,
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
 * The Kafka record of one event: keyed by initiative, so that all of an initiative's events land on
 * one partition in stream order. `ce_id` and `ce_type` repeat the envelope's `id` and `type` in
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

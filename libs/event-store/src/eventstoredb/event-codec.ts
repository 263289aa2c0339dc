import { AllStreamResolvedEvent, jsonEvent, Position, ResolvedEvent } from '@eventstore/db-client';
import { NewEvent, RecordedActor, StoredEvent } from '../event-record';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The EventStoreDB event a record is written as: its data, and the rest of the record in the metadata. */
export function toEventData(event: NewEvent) {
  const { actor, occurredAt, metadata, prevHash, hash } = event;
  return jsonEvent({
    id: event.eventId,
    type: event.type,
    data: event.data,
    metadata: {
      actor,
      occurredAt,
      metadata,
      prevHash,
      hash,
      $correlationId: metadata.correlationId,
      ...(metadata.causationId ? { $causationId: metadata.causationId } : {}),
    },
  });
}

/** The stored record, or null when the bytes are not what this adapter writes. */
export function decode(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
  const recorded = resolved.event;
  if (!recorded || !recorded.isJson || !isObject(recorded.data) || !isObject(recorded.metadata)) return null;
  const { actor, occurredAt, metadata, prevHash, hash } = recorded.metadata;
  if (!isObject(actor) || typeof occurredAt !== 'string' || !isObject(metadata)) return null;
  if (typeof prevHash !== 'string' || typeof hash !== 'string') return null;
  return {
    streamId: recorded.streamId,
    revision: Number(recorded.revision),
    position: logPosition(recorded.position),
    eventId: recorded.id,
    type: recorded.type,
    occurredAt,
    actor: actor as unknown as RecordedActor,
    data: recorded.data,
    metadata: metadata as unknown as StoredEvent['metadata'],
    prevHash,
    hash,
  };
}

/** The port's global position of an event: its `$all` prepare position (see `EventStoreDbEventStore`). */
export function logPosition(position: Position | undefined): number {
  if (!position || position.prepare < 0n || position.prepare > MAX_SAFE) {
    throw new Error(
      'EventStoreDB sent no $all position with this event; the adapter needs EventStoreDB 22.6 or later, which sends it on stream reads too',
    );
  }
  return Number(position.prepare);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

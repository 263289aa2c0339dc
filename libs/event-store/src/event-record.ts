/** Who caused an event, as recorded with it. */
export interface RecordedActor {
  sub: string;
  role: string;
  country: string | null;
}

export interface EventRecordMetadata {
  correlationId: string;
  causationId: string | null;
  schemaVersion: number;
  idempotencyKey: string | null;
}

/** An event as written to a stream: its revision is implied by the append's expected revision. */
export interface NewEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  actor: RecordedActor;
  data: Record<string, unknown>;
  metadata: EventRecordMetadata;
  prevHash: string;
  hash: string;
}

/** An event as stored: its stream, its 0-based revision in it, and its position in the global log. */
export interface StoredEvent extends NewEvent {
  streamId: string;
  revision: number;
  position: number;
}

import { NewEvent, StoredEvent } from './event-record';

/** The revision a stream must be at for an append to succeed. */
export type ExpectedRevision = number | 'no-stream';

export interface AppendResult {
  /** Revision of the last event written. */
  revision: number;
  /** Global log position of the last event written. */
  position: number;
}

/** A response remembered for an `Idempotency-Key`. */
export interface IdempotencyRecord {
  sub: string;
  key: string;
  requestHash: string;
  status: number;
  body: string;
  createdAt: string;
}

export interface AppendOptions {
  /** Stored with the events, atomically where the store allows it. */
  idempotency?: IdempotencyRecord;
}

/**
 * The durable log of every initiative's events. One stream per initiative, 0-based revisions, and a
 * global log in append order that projections and the relay follow from their own checkpoints.
 */
export interface EventStore {
  append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    options?: AppendOptions,
  ): Promise<AppendResult>;
  readStream(streamId: string): Promise<StoredEvent[]>;
  /** The next batch of the global log strictly after `after` (0 = from the start). */
  readAll(after: number, limit: number): Promise<StoredEvent[]>;
  /** Position of the last event in the global log, 0 when empty. */
  headPosition(): Promise<number>;
  /** Resolves when events may have been appended after `position`, or after `timeoutMs`. */
  waitForAppend(position: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  findIdempotencyRecord(sub: string, key: string): Promise<IdempotencyRecord | null>;
  /** Remembers a response that appended nothing (an idempotent success); keeps the first record for a key. */
  saveIdempotencyRecord(record: IdempotencyRecord): Promise<void>;
  /** Health: throws when the store cannot serve. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Follows the global log from `after`, batch by batch, until `signal` aborts. */
export async function* followLog(
  store: EventStore,
  after: number,
  options: { batchSize: number; idleWaitMs: number; signal: AbortSignal },
): AsyncGenerator<StoredEvent[]> {
  let position = after;
  while (!options.signal.aborted) {
    const batch = await store.readAll(position, options.batchSize);
    if (batch.length > 0) {
      yield batch;
      position = batch[batch.length - 1].position;
    } else {
      await store.waitForAppend(position, options.idleWaitMs, options.signal);
    }
  }
}

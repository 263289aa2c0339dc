import { createHash } from 'node:crypto';
import { jsonEvent, NO_STREAM, WrongExpectedVersionError } from '@eventstore/db-client';
import { IdempotencyRecord } from '../event-store';
import { EventStoreDbConnection } from './connection';
import { isObject } from './event-codec';
import { readResolved } from './stream-reads';

/** One stream per idempotency key: `accord-idempotency-<sha256 of [sub, key]>`. Outside the global log. */
export const IDEMPOTENCY_STREAM_PREFIX = 'accord-idempotency-';
const IDEMPOTENCY_EVENT_TYPE = 'IdempotencyKeyTaken';

/** What an idempotency key stream holds: the remembered response and, for an append, where its first event goes. */
export interface KeyRecord {
  record: IdempotencyRecord;
  appended: { streamId: string; revision: number; eventId: string } | null;
}

/** A key this adapter wrote: where, for a later release. */
export interface TakenKey {
  stream: string;
  revision: bigint;
}

/** The idempotency keys, one stream each, taken by creating it and released by deleting it. */
export class IdempotencyKeys {
  constructor(
    private readonly connection: EventStoreDbConnection,
    /**
     * A key record whose events are still not stored this long after it was written is taken to be left
     * over from an append that failed without an answer, and is released for the next request.
     */
    private readonly orphanedKeyAfterMs: number,
  ) {}

  /** The remembered response, once the events it answered for (if any) are stored. */
  async find(sub: string, key: string): Promise<IdempotencyRecord | null> {
    const found = await this.read(keyStreamOf(sub, key));
    if (!found) return null;
    if (found.key.appended && !(await this.landed(found.key.appended))) return null;
    return found.key.record;
  }

  /**
   * Takes a key by writing its stream with expected revision `no_stream`: EventStoreDB lets exactly one
   * writer create a stream. Answers the written position for a later release, or 'taken'.
   */
  async take(record: IdempotencyRecord, appended: KeyRecord['appended']): Promise<TakenKey | 'taken'> {
    const stream = keyStreamOf(record.sub, record.key);
    const data: KeyRecord = { record, appended };
    const write = () =>
      this.connection.run(`a write of idempotency key ${stream}`, (client) =>
        client.appendToStream(stream, jsonEvent({ type: IDEMPOTENCY_EVENT_TYPE, data: { ...data } }), {
          expectedRevision: NO_STREAM,
          deadline: this.connection.timeoutMs,
        }),
      );
    try {
      const result = await write();
      return { stream, revision: result.nextExpectedRevision };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const holder = await this.read(stream);
    if (!holder?.key.appended) return 'taken';
    const age = Date.now() - holder.created.getTime();
    if (age < this.orphanedKeyAfterMs || (await this.landed(holder.key.appended))) return 'taken';
    // Left over from an append that failed without an answer and never landed: release it, then retry once.
    try {
      await this.release({ stream, revision: holder.revision });
      const result = await write();
      return { stream, revision: result.nextExpectedRevision };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return 'taken';
      throw error;
    }
  }

  /** A soft delete at the revision the key was written at: a later `no_stream` write takes the key again. */
  async release(key: TakenKey): Promise<void> {
    await this.connection.run(`a release of idempotency key ${key.stream}`, (client) =>
      client.deleteStream(key.stream, {
        expectedRevision: key.revision,
        deadline: this.connection.timeoutMs,
      }),
    );
  }

  private async read(stream: string): Promise<{ key: KeyRecord; revision: bigint; created: Date } | null> {
    const [first] = await readResolved(this.connection, stream, { maxCount: 1 });
    const event = first?.event;
    if (!event || !isObject(event.data) || !isObject(event.data.record)) return null;
    return { key: event.data as unknown as KeyRecord, revision: event.revision, created: event.created };
  }

  /** Whether the first event of the append a key answered for is stored where it was going. */
  private async landed(appended: NonNullable<KeyRecord['appended']>): Promise<boolean> {
    const [event] = await readResolved(this.connection, appended.streamId, {
      fromRevision: BigInt(appended.revision),
      maxCount: 1,
    });
    return event?.event?.id === appended.eventId;
  }
}

export function keyStreamOf(sub: string, key: string): string {
  return (
    IDEMPOTENCY_STREAM_PREFIX +
    createHash('sha256')
      .update(JSON.stringify([sub, key]))
      .digest('hex')
  );
}

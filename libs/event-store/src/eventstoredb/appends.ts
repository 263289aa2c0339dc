import { NO_STREAM, WrongExpectedVersionError } from '@eventstore/db-client';
import { AppendWaiters } from '../append-waiters';
import { NewEvent } from '../event-record';
import { ConcurrencyError, DuplicateEventError } from '../errors';
import { AppendOptions, AppendResult, ExpectedRevision } from '../event-store';
import { idempotentRepeat } from '../stream-rules';
import { EventStoreDbConnection } from './connection';
import { logPosition, toEventData } from './event-codec';
import { IdempotencyKeys } from './idempotency-keys';
import { readResolved, readStoredEvents } from './stream-reads';

/** Appends to one stream at an expected revision, with the idempotency key taken first when there is one. */
export class Appends {
  constructor(
    private readonly connection: EventStoreDbConnection,
    private readonly keys: IdempotencyKeys,
    /** Woken with the new head after each append. */
    private readonly waiters: AppendWaiters,
  ) {}

  async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    // Read first: EventStoreDB only answers a repeated append idempotently at the revisions it names and
    // would store an event id a second time at any other revision, so duplicates are caught here.
    const stream = await readStoredEvents(this.connection, streamId);
    const repeat = idempotentRepeat(stream, events, expected);
    if (repeat) return repeat;
    const actual = stream.length === 0 ? 'no-stream' : stream.length - 1;
    if (actual !== expected) throw new ConcurrencyError(streamId, expected, actual);
    const ids = new Set(stream.map((event) => event.eventId));
    for (const event of events) {
      if (ids.has(event.eventId)) throw new DuplicateEventError(event.eventId);
      ids.add(event.eventId);
    }
    if (events.length === 0) {
      if (options.idempotency && (await this.keys.take(options.idempotency, null)) === 'taken')
        throw new ConcurrencyError(streamId, expected, actual);
      return { revision: stream.length - 1, position: stream.at(-1)?.position ?? 0 };
    }

    const firstRevision = stream.length;
    // The key first, and only once the revision was seen to fit: a key already taken refuses the append
    // before any of its events is written.
    const key = options.idempotency
      ? await this.keys.take(options.idempotency, {
          streamId,
          revision: firstRevision,
          eventId: events[0].eventId,
        })
      : null;
    if (key === 'taken') throw new ConcurrencyError(streamId, expected, actual);

    try {
      const result = await this.connection.run(`an append to ${streamId}`, (client) =>
        client.appendToStream(streamId, events.map(toEventData), {
          expectedRevision: expected === 'no-stream' ? NO_STREAM : BigInt(expected),
          deadline: this.connection.timeoutMs,
        }),
      );
      const revision = Number(result.nextExpectedRevision);
      // Older servers leave the position out of the answer: the last event appended carries it.
      const stored =
        result.position ??
        (await readResolved(this.connection, streamId, { fromRevision: BigInt(revision), maxCount: 1 }))[0]
          ?.event?.position;
      const position = stored ? logPosition(stored) : 0;
      this.waiters.notify(position);
      return { revision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        // Another writer got in between: the events are not stored, so the key goes back.
        if (key) await this.keys.release(key).catch(() => undefined);
        throw new ConcurrencyError(streamId, expected, currentRevision(error));
      }
      // No answer: the events may or may not be stored. The key stays; `IdempotencyKeys.find` only
      // answers from it once its events are found, and `take` releases it if they never come.
      throw error;
    }
  }
}

function currentRevision(error: WrongExpectedVersionError): number | 'no-stream' {
  const actual = error.actualVersion;
  return typeof actual === 'bigint' && actual >= 0n ? Number(actual) : 'no-stream';
}

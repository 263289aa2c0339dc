import { AppendWaiters } from '../append-waiters';
import { NewEvent, StoredEvent } from '../event-record';
import { ConcurrencyError, DuplicateEventError } from '../errors';
import { AppendOptions, AppendResult, EventStore, ExpectedRevision, IdempotencyRecord } from '../event-store';
import { idempotentRepeat } from '../stream-rules';

/** For unit tests and quick experiments: the whole contract, nothing durable. */
export class InMemoryEventStore implements EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly eventIds = new Set<string>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private readonly waiters = new AppendWaiters();

  async append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const repeat = idempotentRepeat(stream, events, expected);
    if (repeat) return repeat;
    const actual = stream.length === 0 ? 'no-stream' : stream.length - 1;
    if (actual !== expected) throw new ConcurrencyError(streamId, expected, actual);
    const duplicate = events.find((event) => this.eventIds.has(event.eventId));
    if (duplicate) throw new DuplicateEventError(duplicate.eventId);
    if (options.idempotency && this.idempotency.has(idempotencyId(options.idempotency)))
      throw new ConcurrencyError(streamId, expected, actual);

    for (const event of events) {
      const stored = {
        ...structuredClone(event),
        streamId,
        revision: stream.length,
        position: this.log.length + 1,
      };
      stream.push(stored);
      this.log.push(stored);
      this.eventIds.add(event.eventId);
    }
    this.streams.set(streamId, stream);
    if (options.idempotency) this.idempotency.set(idempotencyId(options.idempotency), options.idempotency);
    this.waiters.notify(this.log.length);
    return { revision: stream.length - 1, position: this.log.length };
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return structuredClone(this.streams.get(streamId) ?? []);
  }

  async readAll(after: number, limit: number): Promise<StoredEvent[]> {
    return structuredClone(this.log.slice(after, after + limit));
  }

  async headPosition(): Promise<number> {
    return this.log.length;
  }

  waitForAppend(position: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.waiters.wait(position, this.log.length, timeoutMs, signal);
  }

  async findIdempotencyRecord(sub: string, key: string): Promise<IdempotencyRecord | null> {
    return this.idempotency.get(idempotencyId({ sub, key })) ?? null;
  }

  async saveIdempotencyRecord(record: IdempotencyRecord): Promise<void> {
    if (!this.idempotency.has(idempotencyId(record))) this.idempotency.set(idempotencyId(record), record);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.waiters.wakeAll();
  }
}

const idempotencyId = ({ sub, key }: { sub: string; key: string }) => JSON.stringify([sub, key]);

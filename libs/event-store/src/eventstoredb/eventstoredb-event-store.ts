import { AppendWaiters } from '../append-waiters';
import { NewEvent, StoredEvent } from '../event-record';
import { AppendOptions, AppendResult, EventStore, ExpectedRevision, IdempotencyRecord } from '../event-store';
import { Appends } from './appends';
import { EventStoreDbConnection } from './connection';
import { GlobalLog } from './global-log';
import { IDEMPOTENCY_STREAM_PREFIX, IdempotencyKeys } from './idempotency-keys';
import { readResolved, readStoredEvents } from './stream-reads';
import { WakeUps } from './wake-ups';

export { IDEMPOTENCY_STREAM_PREFIX, keyStreamOf } from './idempotency-keys';

export interface EventStoreDbEventStoreOptions {
  /**
   * The streams of the global log, the one `readAll`, `headPosition` and `waitForAppend` follow: those
   * whose name starts with one of these prefixes (Accord's runtime passes the domain's `initiative-` and the
   * transparency log's `log-`). Every other stream (system, `$$` metadata, idempotency keys, anything else on
   * the server) stays out of it.
   */
  streamPrefixes: readonly string[];
  /**
   * Upper bound of every call to the server, connection included. The client puts no deadline on
   * reads and none of its own on batch appends, so without this a silent server would hang callers.
   */
  operationTimeoutMs?: number;
  /** How often `waitForAppend` looks at the head while it has no live subscription to wake it. */
  pollIntervalMs?: number;
  /**
   * A key record whose events are still not stored this long after it was written is taken to be left
   * over from an append that failed without an answer, and is released for the next request.
   */
  orphanedKeyAfterMs?: number;
}

/**
 * The EventStore port on EventStoreDB (gRPC, `@eventstore/db-client`).
 *
 * Streams map one to one: the port's stream `initiative-<id>` is the EventStoreDB stream of that name,
 * revisions are EventStoreDB's 0-based event numbers, the event id is the record's `eventId` (so a
 * retried append is answered idempotently by the server), the event data is the record's `data` (JSON)
 * and the event metadata (JSON) carries the rest of the record: `actor`, `occurredAt`, `metadata`,
 * `prevHash`, `hash`, plus `$correlationId` / `$causationId` for EventStoreDB's own projections.
 *
 * Global log positions. The port's position is a JS number that grows strictly in log order, 0 meaning
 * "before the first event". It is the event's `$all` prepare position. Every event Accord writes goes
 * through gRPC appends, which EventStoreDB writes as self-committed prepares: each event has its own log
 * position and commit == prepare == that position, also when one append writes several events (they do
 * not share a commit position, unlike events of the legacy TCP explicit transactions, which Accord never
 * writes). Prepare positions are byte offsets into the transaction log: unique, increasing in `$all`
 * order, not contiguous, far below 2^53. `readAll(after)` reads `$all` forwards from
 * `{commit: after, prepare: after}`, which EventStoreDB treats as inclusive, and drops events at or
 * before `after`; had events of one commit shared a commit position, reading from their own prepare
 * position would still start at or before them, so the skip keeps the resume exact either way.
 * Stream reads carry the same `$all` position since EventStoreDB 22.6 (earlier servers send none there,
 * and this adapter refuses to make one up).
 *
 * The global log is `$all` filtered on the server by the stream prefixes the runtime names
 * (`streamPrefixes`, `initiative-` and `log-` in Accord): system events, `$$` metadata streams and the idempotency key
 * streams stay out of it.
 *
 * This class only puts the parts together: the connection (connection.ts), appends (appends.ts), stream
 * reads (stream-reads.ts), the global log (global-log.ts), its wake-ups (wake-ups.ts), the idempotency
 * keys (idempotency-keys.ts) and the record mapping (event-codec.ts).
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly connection: EventStoreDbConnection;
  private readonly waiters = new AppendWaiters();
  private readonly log: GlobalLog;
  private readonly wakeUps: WakeUps;
  private readonly keys: IdempotencyKeys;
  private readonly appends: Appends;

  constructor(connectionString: string, options: EventStoreDbEventStoreOptions) {
    if (options.streamPrefixes.length === 0)
      throw new Error("EventStoreDB adapter: name the global log's stream prefixes");
    options.streamPrefixes.forEach(assertGlobalLogPrefix);
    this.connection = new EventStoreDbConnection(connectionString, options.operationTimeoutMs ?? 10_000);
    this.log = new GlobalLog(this.connection, options.streamPrefixes);
    this.wakeUps = new WakeUps(this.connection, this.log, this.waiters, options.pollIntervalMs ?? 500);
    this.keys = new IdempotencyKeys(this.connection, options.orphanedKeyAfterMs ?? 60_000);
    this.appends = new Appends(this.connection, this.keys, this.waiters);
  }

  append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    return this.appends.append(streamId, events, expected, options);
  }

  readStream(streamId: string): Promise<StoredEvent[]> {
    return readStoredEvents(this.connection, streamId);
  }

  readAll(after: number, limit: number): Promise<StoredEvent[]> {
    return this.log.readAll(after, limit);
  }

  headPosition(): Promise<number> {
    return this.log.headPosition();
  }

  waitForAppend(position: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.wakeUps.waitForAppend(position, timeoutMs, signal);
  }

  findIdempotencyRecord(sub: string, key: string): Promise<IdempotencyRecord | null> {
    return this.keys.find(sub, key);
  }

  async saveIdempotencyRecord(record: IdempotencyRecord): Promise<void> {
    await this.keys.take(record, null);
  }

  async ping(): Promise<void> {
    // A read of a stream that does not exist: cheap, and it needs the server to answer.
    await readResolved(this.connection, 'accord-ping', { maxCount: 1 });
  }

  async close(): Promise<void> {
    if (this.connection.closed) return;
    this.connection.markClosed();
    this.waiters.wakeAll();
    await this.wakeUps.close();
    await this.connection.dispose();
  }
}

export function openEventStoreDb(
  connectionString: string,
  options: EventStoreDbEventStoreOptions,
): EventStoreDbEventStore {
  return new EventStoreDbEventStore(connectionString, options);
}

/** A prefix that would take in every stream, system streams or the key streams breaks the global log. */
function assertGlobalLogPrefix(prefix: string): void {
  if (
    typeof prefix !== 'string' ||
    prefix === '' ||
    prefix.startsWith('$') ||
    prefix.startsWith(IDEMPOTENCY_STREAM_PREFIX) ||
    IDEMPOTENCY_STREAM_PREFIX.startsWith(prefix)
  )
    throw new Error(
      `EventStoreDB adapter: the global log's stream prefix must be a non-empty name prefix that takes in no system streams ($...) and no idempotency key streams (${IDEMPOTENCY_STREAM_PREFIX}...); got ${JSON.stringify(prefix)}`,
    );
}

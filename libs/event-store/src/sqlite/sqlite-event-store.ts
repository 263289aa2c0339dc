import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { AppendWaiters } from '../append-waiters';
import { NewEvent, StoredEvent } from '../event-record';
import {
  ConcurrencyError,
  CorruptEventError,
  DuplicateEventError,
  EventStoreUnavailableError,
} from '../errors';
import { AppendOptions, AppendResult, EventStore, ExpectedRevision, IdempotencyRecord } from '../event-store';
import { idempotentRepeat } from '../stream-rules';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position     INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id    TEXT    NOT NULL,
  revision     INTEGER NOT NULL,
  event_id     TEXT    NOT NULL UNIQUE,
  type         TEXT    NOT NULL,
  occurred_at  TEXT    NOT NULL,
  body         TEXT    NOT NULL,
  checksum     INTEGER,
  UNIQUE (stream_id, revision)
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  sub          TEXT    NOT NULL,
  key          TEXT    NOT NULL,
  request_hash TEXT    NOT NULL,
  status       INTEGER NOT NULL,
  response     TEXT    NOT NULL,
  created_at   TEXT    NOT NULL,
  PRIMARY KEY (sub, key)
) WITHOUT ROWID;
`;

/** What readiness asks the event store (ping, and the head of the log for the projection's lag): query plans pinned. */
export const SQLITE_READINESS_SQL = {
  ping: 'SELECT 1',
  head: 'SELECT MAX(position) AS position FROM events',
} as const;

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  occurred_at: string;
  body: string;
  checksum: number | null;
}

interface PendingAppend {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedRevision;
  options: AppendOptions;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = { result: AppendResult } | { error: unknown };

export interface SqliteEventStoreOptions {
  /** How often readers in other processes look for new events when nothing woke them. */
  pollIntervalMs?: number;
}

/**
 * The embedded event store: one SQLite file in WAL mode with `synchronous=FULL`, so an acknowledged
 * append survives a power cut. Appends that arrive together are committed together (group commit):
 * one transaction and one fsync for the batch, each caller answered only once its batch is durable,
 * each append still checked against its own expected revision.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly waiters = new AppendWaiters();
  private readonly pollIntervalMs: number;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly statements: ReturnType<SqliteEventStore['prepare']>;
  private readonly commitBatch: (batch: PendingAppend[]) => Outcome[];

  constructor(
    readonly file: string,
    options: SqliteEventStoreOptions = {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // SQLite's own default page cache (2 MB), not better-sqlite3's 16 MB: appends touch the end of the log and a few
    // index pages, reads one stream at a time or the log in order, and the OS caches the file anyway. The larger
    // cache was 14 MB of the API's memory under load and no measurable CPU (bench/PROFILE.md).
    this.db.pragma('cache_size = -2000');
    this.db.exec(SCHEMA);
    addChecksumColumn(this.db);
    this.statements = this.prepare();
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    const appendOne = this.db.transaction((pending: PendingAppend) => this.appendOne(pending));
    this.commitBatch = this.db.transaction((batch: PendingAppend[]) =>
      batch.map((pending): Outcome => {
        try {
          return { result: appendOne(pending) };
        } catch (error) {
          return { error };
        }
      }),
    ).immediate;
  }

  private prepare() {
    const db = this.db;
    return {
      ping: db.prepare(SQLITE_READINESS_SQL.ping),
      streamHead: db.prepare<[string], { revision: number | null }>(
        'SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?',
      ),
      insertEvent: db.prepare(
        'INSERT INTO events (stream_id, revision, event_id, type, occurred_at, body, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      eventById: db.prepare<[string], { position: number }>('SELECT position FROM events WHERE event_id = ?'),
      readStream: db.prepare<[string], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? ORDER BY revision',
      ),
      readAll: db.prepare<[number, number], EventRow>(
        'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
      ),
      head: db.prepare<[], { position: number | null }>(SQLITE_READINESS_SQL.head),
      findKey: db.prepare<
        [string, string],
        { request_hash: string; status: number; response: string; created_at: string }
      >('SELECT request_hash, status, response, created_at FROM idempotency_keys WHERE sub = ? AND key = ?'),
      insertKey: db.prepare(
        'INSERT INTO idempotency_keys (sub, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertKeyIfAbsent: db.prepare(
        'INSERT OR IGNORE INTO idempotency_keys (sub, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  append(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreUnavailableError('The event store is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ streamId, events, expected, options, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      const unavailable = new EventStoreUnavailableError('The event store could not commit', {
        cause: error,
      });
      for (const pending of batch) pending.reject(unavailable);
      return;
    }
    outcomes.forEach((outcome, index) =>
      'result' in outcome ? batch[index].resolve(outcome.result) : batch[index].reject(outcome.error),
    );
    this.waiters.notify(this.head());
  }

  private appendOne({ streamId, events, expected, options }: PendingAppend): AppendResult {
    const current = this.statements.streamHead.get(streamId)?.revision ?? null;
    const actual = current === null ? 'no-stream' : current;
    if (actual !== expected) {
      const repeat =
        actual === 'no-stream' ? null : idempotentRepeat(this.readStreamRows(streamId), events, expected);
      if (repeat) return repeat;
      throw new ConcurrencyError(streamId, expected, actual);
    }
    let revision = current ?? -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      if (this.statements.eventById.get(event.eventId)) throw new DuplicateEventError(event.eventId);
      const { actor, data, metadata, prevHash, hash } = event;
      const body = JSON.stringify({ actor, data, metadata, prevHash, hash });
      const info = this.statements.insertEvent.run(
        streamId,
        revision,
        event.eventId,
        event.type,
        event.occurredAt,
        body,
        rowChecksum(streamId, revision, event.eventId, event.type, event.occurredAt, body),
      );
      position = Number(info.lastInsertRowid);
    }
    const key = options.idempotency;
    if (key) {
      try {
        this.statements.insertKey.run(key.sub, key.key, key.requestHash, key.status, key.body, key.createdAt);
      } catch {
        // Another request with the same key won the race: this one is decided again and answers from the key.
        throw new ConcurrencyError(streamId, expected, actual);
      }
    }
    return { revision, position };
  }

  private readStreamRows(streamId: string): StoredEvent[] {
    const rows = this.statements.readStream.all(streamId);
    const events: StoredEvent[] = [];
    for (const row of rows) {
      const event = decode(row);
      if (!event) throw new CorruptEventError(streamId, row.revision, events);
      events.push(event);
    }
    return events;
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return this.readStreamRows(streamId);
  }

  async readAll(after: number, limit: number): Promise<StoredEvent[]> {
    return this.statements.readAll.all(after, limit).map((row) => {
      const event = decode(row);
      if (!event) throw new CorruptEventError(row.stream_id, row.revision, []);
      return event;
    });
  }

  private head(): number {
    return this.statements.head.get()?.position ?? 0;
  }

  async headPosition(): Promise<number> {
    return this.head();
  }

  async waitForAppend(position: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    // Appends by other processes sharing the file wake no one here: poll for them as well.
    await this.waiters.wait(position, this.head(), Math.min(timeoutMs, this.pollIntervalMs), signal);
  }

  /**
   * Another connection to the file appended (the API's, seen from the projector's own thread): wake the readers
   * waiting here now rather than at their next poll.
   */
  noticeAppendsElsewhere(): void {
    if (!this.closed) this.waiters.notify(this.head());
  }

  async findIdempotencyRecord(sub: string, key: string): Promise<IdempotencyRecord | null> {
    const row = this.statements.findKey.get(sub, key);
    return row
      ? {
          sub,
          key,
          requestHash: row.request_hash,
          status: row.status,
          body: row.response,
          createdAt: row.created_at,
        }
      : null;
  }

  async saveIdempotencyRecord(record: IdempotencyRecord): Promise<void> {
    const { sub, key, requestHash, status, body, createdAt } = record;
    this.statements.insertKeyIfAbsent.run(sub, key, requestHash, status, body, createdAt);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new EventStoreUnavailableError('The event store is closed');
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length > 0) this.flush();
    this.waiters.wakeAll();
    this.db.close();
  }
}

const COLUMN_SEPARATOR = '\u0000';

/** Files written before the checksum existed keep their rows; those rows are read without one. */
function addChecksumColumn(db: Database.Database): void {
  const columns = db.pragma('table_info(events)') as { name: string }[];
  if (!columns.some((column) => column.name === 'checksum'))
    db.exec('ALTER TABLE events ADD COLUMN checksum INTEGER');
}

/**
 * CRC-32 of every stored column of an event row. The hash chain covers what events.md puts in it; the checksum
 * also covers what it leaves out (correlation and causation ids, the idempotency key), so that any byte changed
 * on disk makes the row unreadable at its revision instead of passing unnoticed.
 */
function rowChecksum(
  streamId: string,
  revision: number,
  eventId: string,
  type: string,
  occurredAt: string,
  body: string,
): number {
  let checksum = 0;
  for (const column of [streamId, String(revision), eventId, type, occurredAt, body])
    checksum = crc32(COLUMN_SEPARATOR, crc32(column, checksum));
  return checksum;
}

function decode(row: EventRow): StoredEvent | null {
  const { position, stream_id, revision, event_id, type, occurred_at, body, checksum } = row;
  if (checksum !== null && checksum !== rowChecksum(stream_id, revision, event_id, type, occurred_at, body))
    return null;
  try {
    const { actor, data, metadata, prevHash, hash } = JSON.parse(body);
    return {
      streamId: stream_id,
      revision,
      position,
      eventId: event_id,
      type,
      occurredAt: occurred_at,
      actor,
      data,
      metadata,
      prevHash,
      hash,
    };
  } catch {
    return null;
  }
}

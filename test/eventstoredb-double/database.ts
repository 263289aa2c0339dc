import { randomUUID } from 'node:crypto';

/**
 * The in-memory database behind the EventStoreDB wire-level double: streams, the `$all` log and the
 * write rules of EventStoreDB, without any gRPC. The rules follow the server's own code
 * (`IndexWriter.CheckCommit`, `StorageWriterService`, `ResolvedEvent`) as of EventStoreDB 22.10–24.x:
 *
 * - Expected revision `any`, `no_stream`, `stream_exists` or an exact revision. A write whose events
 *   (by id) already sit at the revisions it would give them is idempotent: it succeeds again, writes
 *   nothing and answers the revision and position of the original write. With `any` /
 *   `stream_exists` the ids are looked up wherever they are in the stream. A partial match is a
 *   wrong expected version ("corrupted idempotency"). Nothing makes an event id unique across
 *   writes at other revisions: like the real server, the double stores such an id twice.
 * - Every event written through gRPC is "self-committed" (an implicit transaction), so its `$all`
 *   position has commit == prepare == its own log position, also when one append writes several
 *   events. Positions are byte offsets: strictly increasing, not contiguous.
 * - Soft delete writes `{"$tb": MAX}` to the `$$stream` metadata stream; the stream then reads as
 *   not found. Appending to it again (`any`, `no_stream` or its last revision) "undeletes" it: a new
 *   `$tb` is written and the new events continue the old revision numbers. Tombstoning (hard delete)
 *   is final: reads and writes answer "stream deleted".
 * - Reading `$all` forwards from a position includes the event at that position; backwards excludes
 *   it; a subscription from a position starts strictly after it.
 */

export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no-stream' }
  | { kind: 'stream-exists' }
  | { kind: 'revision'; revision: number };

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

export interface LogRecord {
  /** Commit and prepare position alike: every record is self-committed. */
  position: number;
  streamName: string;
  /** Event number in its stream; a tombstone carries `TOMBSTONE_REVISION`. */
  revision: number;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the server sends it in the `created` metadata. */
  created: bigint;
}

/** `long.MaxValue`: the event number of a tombstone and the `$tb` of a soft-deleted stream. */
export const DELETED_STREAM = '9223372036854775807';
export const TOMBSTONE_REVISION = Number.MAX_SAFE_INTEGER;

export type AppendOutcome =
  | { kind: 'success'; revision: number; position: number | null }
  | { kind: 'wrong-expected-version'; current: number; expected: ExpectedRevision }
  | { kind: 'stream-deleted' };

export type DeleteOutcome =
  | { kind: 'success'; position: number }
  | { kind: 'wrong-expected-version'; current: number; expected: ExpectedRevision }
  | { kind: 'stream-deleted' };

export type ReadStreamOutcome =
  { kind: 'events'; events: LogRecord[] } | { kind: 'stream-not-found' } | { kind: 'stream-deleted' };

export type RevisionStart = 'start' | 'end' | number;
export type PositionStart = 'start' | 'end' | number;
export type Direction = 'forwards' | 'backwards';

export interface EventFilter {
  on: 'stream' | 'event-type';
  prefixes: string[];
  regex: string;
}

interface StreamEntry {
  events: LogRecord[];
  /** Events below this revision are hidden; `Infinity` when soft-deleted. */
  truncateBefore: number;
  tombstoned: boolean;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');

export function matches(filter: EventFilter | null, record: LogRecord): boolean {
  if (!filter) return true;
  const subject = filter.on === 'stream' ? record.streamName : record.type;
  if (filter.regex) return new RegExp(filter.regex).test(subject);
  return filter.prefixes.some((prefix) => subject.startsWith(prefix));
}

export class InMemoryEventStoreDb {
  /** `$all`, in log order. */
  private readonly log: LogRecord[] = [];
  private readonly streams = new Map<string, StreamEntry>();
  /** Where each event id was committed: the server's `_committedEvents` cache, never evicted here. */
  private readonly committed = new Map<string, { streamName: string; revision: number }>();
  private readonly listeners = new Set<(record: LogRecord) => void>();
  private nextPosition = 256;

  constructor(options: { seedSystemEvents?: boolean } = {}) {
    if (options.seedSystemEvents ?? true) {
      // A fresh server's $all is never empty: user events never sit at position 0 and readers of
      // $all must skip what is not theirs.
      this.writeRecord('$users', 0, {
        id: '9f0c4d5e-1111-4a4a-8a8a-000000000001',
        type: '$User',
        json: { LoginName: 'admin' },
      });
      this.writeRecord('$settings', 0, {
        id: '9f0c4d5e-1111-4a4a-8a8a-000000000002',
        type: '$settings',
        json: { $userStreamAcl: {} },
      });
    }
  }

  get headPosition(): number {
    return this.log.length === 0 ? 0 : this.log[this.log.length - 1].position;
  }

  get allRecords(): readonly LogRecord[] {
    return this.log;
  }

  onRecord(listener: (record: LogRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(streamName: string, expected: ExpectedRevision, events: ProposedEvent[]): AppendOutcome {
    const decision = this.checkCommit(
      streamName,
      expected,
      events.map((event) => event.id),
    );
    switch (decision.kind) {
      case 'deleted':
        return { kind: 'stream-deleted' };
      case 'wrong-expected-version':
        return { kind: 'wrong-expected-version', current: decision.current, expected };
      case 'idempotent': {
        const entry = this.streams.get(streamName)!;
        return { kind: 'success', revision: decision.last, position: entry.events[decision.last].position };
      }
    }
    const entry = this.entry(streamName);
    let revision = decision.current;
    if (decision.softDeleted) {
      // SoftUndeleteStream: the stream comes back, its new events continue the old numbering.
      entry.truncateBefore = revision + 1;
      this.writeRecord(`$$${streamName}`, this.entry(`$$${streamName}`).events.length, {
        type: '$metadata',
        raw: `{"$tb":${revision + 1}}`,
      });
    }
    let position: number | null = null;
    for (const event of events) {
      revision += 1;
      position = this.writeRecord(streamName, revision, event).position;
    }
    return { kind: 'success', revision, position };
  }

  /** Soft delete (`hard` false) writes `$tb = MAX` to the metadata stream; tombstoning is final. */
  delete(streamName: string, expected: ExpectedRevision, hard: boolean): DeleteOutcome {
    const entry = this.streams.get(streamName);
    if (entry?.tombstoned) return { kind: 'stream-deleted' };
    const current = entry && entry.events.length > 0 ? entry.events.length - 1 : -1;
    const softDeleted = entry?.truncateBefore === Infinity;
    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no-stream' && current === -1) ||
      (expected.kind === 'stream-exists' && current >= 0 && !softDeleted) ||
      (expected.kind === 'revision' && expected.revision === current);
    if (!ok) return { kind: 'wrong-expected-version', current, expected };
    if (hard) {
      const stream = this.entry(streamName);
      stream.tombstoned = true;
      const record = this.writeRecord(
        streamName,
        TOMBSTONE_REVISION,
        { type: '$streamDeleted', raw: '' },
        false,
      );
      return { kind: 'success', position: record.position };
    }
    this.entry(streamName).truncateBefore = Infinity;
    const record = this.writeRecord(`$$${streamName}`, this.entry(`$$${streamName}`).events.length, {
      type: '$metadata',
      raw: `{"$tb":${DELETED_STREAM}}`,
    });
    return { kind: 'success', position: record.position };
  }

  readStream(
    streamName: string,
    from: RevisionStart,
    direction: Direction,
    count: number,
  ): ReadStreamOutcome {
    const entry = this.streams.get(streamName);
    if (entry?.tombstoned) return { kind: 'stream-deleted' };
    if (!entry || entry.events.length === 0 || entry.truncateBefore === Infinity)
      return { kind: 'stream-not-found' };
    const visible = entry.events.filter((event) => event.revision >= entry.truncateBefore);
    let selected: LogRecord[];
    if (direction === 'forwards') {
      selected = from === 'end' ? [] : visible.filter((event) => from === 'start' || event.revision >= from);
    } else {
      selected = visible
        .filter((event) => from === 'end' || from === 'start' || event.revision <= from)
        .reverse();
      if (from === 'start') selected = selected.slice(-1);
    }
    return { kind: 'events', events: selected.slice(0, count) };
  }

  readAll(from: PositionStart, direction: Direction, count: number, filter: EventFilter | null): LogRecord[] {
    let selected: LogRecord[];
    if (direction === 'forwards') {
      selected =
        from === 'end' ? [] : this.log.filter((record) => from === 'start' || record.position >= from);
    } else {
      selected =
        from === 'start'
          ? []
          : this.log.filter((record) => from === 'end' || record.position < from).reverse();
    }
    const result: LogRecord[] = [];
    for (const record of selected) {
      if (result.length >= count) break;
      if (matches(filter, record)) result.push(record);
    }
    return result;
  }

  /** The records a subscription from `from` catches up on: strictly after a position. */
  catchUp(from: PositionStart): LogRecord[] {
    if (from === 'end') return [];
    return this.log.filter((record) => from === 'start' || record.position > from);
  }

  private entry(streamName: string): StreamEntry {
    let entry = this.streams.get(streamName);
    if (!entry) {
      entry = { events: [], truncateBefore: 0, tombstoned: false };
      this.streams.set(streamName, entry);
    }
    return entry;
  }

  private writeRecord(
    streamName: string,
    revision: number,
    event: {
      id?: string;
      type: string;
      contentType?: string;
      data?: Uint8Array;
      metadata?: Uint8Array;
      json?: unknown;
      raw?: string;
    },
    addToStream = true,
  ): LogRecord {
    const data = event.data ?? utf8(event.raw ?? JSON.stringify(event.json ?? {}));
    const metadata = event.metadata ?? new Uint8Array();
    const record: LogRecord = {
      position: this.nextPosition,
      streamName,
      revision,
      id: (event.id ?? randomUUID()).toLowerCase(),
      type: event.type,
      contentType: event.contentType ?? 'application/json',
      data,
      metadata,
      created: BigInt(Date.now()) * 10_000n,
    };
    // A prepare record's size on disk, roughly: positions grow by bytes, not by one.
    this.nextPosition +=
      96 + utf8(streamName).length + utf8(event.type).length + data.length + metadata.length;
    this.log.push(record);
    if (addToStream) this.entry(streamName).events.push(record);
    this.committed.set(record.id, { streamName, revision });
    for (const listener of this.listeners) listener(record);
    return record;
  }

  private checkCommit(
    streamName: string,
    expected: ExpectedRevision,
    eventIds: string[],
  ):
    | { kind: 'ok'; current: number; softDeleted: boolean }
    | { kind: 'idempotent'; last: number }
    | { kind: 'wrong-expected-version'; current: number }
    | { kind: 'deleted' } {
    const entry = this.streams.get(streamName);
    const ids = eventIds.map((id) => id.toLowerCase());
    if (!entry || (entry.events.length === 0 && !entry.tombstoned)) {
      return expected.kind === 'any' || expected.kind === 'no-stream'
        ? { kind: 'ok', current: -1, softDeleted: entry?.truncateBefore === Infinity }
        : { kind: 'wrong-expected-version', current: -1 };
    }
    if (entry.tombstoned) return { kind: 'deleted' };
    const current = entry.events.length - 1;
    const softDeleted = entry.truncateBefore === Infinity;

    if (expected.kind === 'stream-exists' && softDeleted) return { kind: 'deleted' };

    if (expected.kind === 'any' || expected.kind === 'stream-exists') {
      let last = -1;
      for (const [index, id] of ids.entries()) {
        const found = this.committed.get(id);
        if (!found || found.streamName !== streamName)
          return index === 0
            ? { kind: 'ok', current, softDeleted }
            : { kind: 'wrong-expected-version', current };
        last = found.revision;
      }
      return ids.length === 0 ? { kind: 'ok', current, softDeleted } : { kind: 'idempotent', last };
    }

    const expectedRevision = expected.kind === 'no-stream' ? -1 : expected.revision;
    if (expectedRevision < current) {
      let revision = expectedRevision;
      for (const id of ids) {
        revision += 1;
        if (entry.events[revision]?.id === id) continue;
        if (revision !== expectedRevision + 1) return { kind: 'wrong-expected-version', current };
        if (expected.kind === 'no-stream' && softDeleted) return { kind: 'ok', current, softDeleted };
        return { kind: 'wrong-expected-version', current };
      }
      if (revision === expectedRevision) return { kind: 'wrong-expected-version', current };
      return { kind: 'idempotent', last: revision };
    }
    if (expectedRevision > current) return { kind: 'wrong-expected-version', current };
    return { kind: 'ok', current, softDeleted };
  }
}

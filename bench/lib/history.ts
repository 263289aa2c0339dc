import Database from 'better-sqlite3';
import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import { eventHash, GENESIS_HASH, verifyChain } from '@accord/audit';
import {
  AppendResult,
  EventStore,
  ExpectedRevision,
  IdempotencyRecord,
  NewEvent,
  SqliteEventStore,
  StoredEvent,
} from '@accord/event-store';
import {
  ALL_VARIANTS,
  EVENTS_PER_VARIANT,
  runScenario,
  scenarioHandler,
  Variant,
} from '../../libs/messaging/src/testing/scenarios';

/** The smallest EventStore the command handler needs (read a stream, append to it), in memory. */
class CaptureStore implements EventStore {
  readonly streams = new Map<string, StoredEvent[]>();
  private position = 0;

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length === 0 ? 'no-stream' : stream.length - 1;
    if (actual !== expected) throw new Error(`${streamId} is at ${actual}, not ${expected}`);
    for (const event of events)
      stream.push({ ...event, streamId, revision: stream.length, position: ++this.position });
    this.streams.set(streamId, stream);
    return { revision: stream.length - 1, position: this.position };
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return [...(this.streams.get(streamId) ?? [])];
  }

  async readAll(): Promise<StoredEvent[]> {
    throw new Error('not needed');
  }
  async headPosition(): Promise<number> {
    return this.position;
  }
  async waitForAppend(): Promise<void> {}
  async findIdempotencyRecord(): Promise<IdempotencyRecord | null> {
    return null;
  }
  async saveIdempotencyRecord(): Promise<void> {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

const TEMPLATE_ID = '00000000-0000-4000-8000-000000000000';

/**
 * One initiative's life per scenario of libs/messaging/src/testing/scenarios.ts, decided by the real command handler
 * (the scenarios' commands carry fixed instants, so two initiatives of one scenario differ only in their ids).
 */
async function templates(): Promise<Record<Variant, StoredEvent[]>> {
  const result = {} as Record<Variant, StoredEvent[]>;
  for (const variant of ALL_VARIANTS) {
    const capture = new CaptureStore();
    await runScenario(scenarioHandler(capture), TEMPLATE_ID, variant);
    const events = capture.streams.get(`initiative-${TEMPLATE_ID}`) as StoredEvent[];
    if (events.length !== EVENTS_PER_VARIANT[variant]) throw new Error(`${variant}: ${events.length} events`);
    result[variant] = events;
  }
  return result;
}

/**
 * The template's events for another initiative, exactly as the command handler would have written them: the
 * initiative id in the data, new event, correlation and causation ids, and the hash chain computed afresh.
 */
function instantiate(template: readonly StoredEvent[], initiativeId: string): NewEvent[] {
  const streamId = `initiative-${initiativeId}`;
  const causations = new Map<string, string>();
  let prevHash = GENESIS_HASH;
  return template.map((event, revision) => {
    const eventId = randomUUID();
    const data = 'initiativeId' in event.data ? { ...event.data, initiativeId } : { ...event.data };
    const templateCausation = event.metadata.causationId;
    let causationId: string | null = null;
    if (templateCausation !== null) {
      causationId = causations.get(templateCausation) ?? randomUUID();
      causations.set(templateCausation, causationId);
    }
    const hash = eventHash({
      streamId,
      revision,
      eventId,
      type: event.type,
      schemaVersion: event.metadata.schemaVersion,
      occurredAt: event.occurredAt,
      actor: event.actor,
      data,
      prevHash,
    });
    const record: NewEvent = {
      eventId,
      type: event.type,
      occurredAt: event.occurredAt,
      actor: event.actor,
      data,
      metadata: { ...event.metadata, correlationId: `scenario-${initiativeId}`, causationId },
      prevHash,
      hash,
    };
    prevHash = hash;
    return record;
  });
}

export interface GeneratedHistory {
  events: number;
  initiatives: number;
  byVariant: Record<Variant, number>;
  seconds: number;
}

/**
 * Writes a history of `events` events (give or take two) into a fresh SQLite event store file: initiatives going
 * through the four scenarios in turn (funded: 10 events, rejected: 4, withdrawn: 3, expired: 3 — every event type
 * of the domain), with real hash chains. `chunk` initiatives at a time are written with their events interleaved
 * (the first event of each, then the second of each, …), as a busy log interleaves them.
 *
 * The rows are inserted in bulk (one transaction per chunk, synchronous=OFF while generating) in the format of
 * SqliteEventStore, which created the file; a sample is read back through SqliteEventStore and must equal what
 * was generated, with every hash chain verified.
 */
export async function generateHistory(
  file: string,
  events: number,
  options: { chunk?: number; log?: (line: string) => void } = {},
): Promise<GeneratedHistory> {
  const chunk = options.chunk ?? 2000;
  const started = Date.now();
  await new SqliteEventStore(file).close(); // creates the schema
  const byTemplate = await templates();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, event_id, type, occurred_at, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertRows = db.transaction((rows: [string, NewEvent[]][], longest: number) => {
    for (let revision = 0; revision < longest; revision++)
      for (const [streamId, stream] of rows) {
        const event = stream[revision];
        if (!event) continue;
        const { actor, data, metadata, prevHash, hash } = event;
        const body = JSON.stringify({ actor, data, metadata, prevHash, hash });
        insert.run(streamId, revision, event.eventId, event.type, event.occurredAt, body);
      }
  });
  const byVariant = { funded: 0, rejected: 0, withdrawn: 0, expired: 0 } as Record<Variant, number>;
  const sample: [string, NewEvent[]][] = [];
  let written = 0;
  let initiatives = 0;
  let lastLog = Date.now();
  try {
    while (written < events) {
      const rows: [string, NewEvent[]][] = [];
      let longest = 0;
      for (let budget = events - written; rows.length < chunk;) {
        let variant = ALL_VARIANTS[initiatives % ALL_VARIANTS.length];
        // The last few events: a scenario that fits, so that the log holds `events` (give or take two).
        if (EVENTS_PER_VARIANT[variant] > budget) {
          const fitting = ALL_VARIANTS.find((v) => EVENTS_PER_VARIANT[v] <= budget);
          if (!fitting) break;
          variant = fitting;
        }
        const initiativeId = randomUUID();
        const stream = instantiate(byTemplate[variant], initiativeId);
        rows.push([`initiative-${initiativeId}`, stream]);
        longest = Math.max(longest, stream.length);
        byVariant[variant]++;
        initiatives++;
        budget -= stream.length;
        written += stream.length;
      }
      if (rows.length === 0) break;
      insertRows(rows, longest);
      if (sample.length < 8) sample.push(rows[0], rows[rows.length - 1]);
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        options.log?.(`${written} of ${events} events written`);
      }
    }
  } finally {
    db.close();
  }

  // Read a sample back through the real store: the same events, and chains that verify.
  const store = new SqliteEventStore(file);
  try {
    for (const [streamId, generated] of sample) {
      const stored = await store.readStream(streamId);
      const asNew = stored.map(
        ({ streamId: _s, revision: _r, position: _p, ...event }): NewEvent => event as NewEvent,
      );
      if (!isDeepStrictEqual(asNew, generated)) throw new Error(`${streamId} does not read back as written`);
      const chain = verifyChain(streamId, stored);
      if (!chain.verified) throw new Error(`${streamId}: the chain breaks at ${chain.brokenAtRevision}`);
    }
    const head = await store.headPosition();
    if (head !== written) throw new Error(`The log holds ${head} events, ${written} were written`);
  } finally {
    await store.close();
  }
  return { events: written, initiatives, byVariant, seconds: (Date.now() - started) / 1000 };
}

import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect, Transaction } from 'kysely';
import { Migrator } from 'kysely/migration';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool, types } from 'pg';
import { Initiative, InitiativeStatus, pendingStates } from '@accord/domain';
import { StoredEvent } from '@accord/event-store';
import { initiativeIdsOf, InitiativeRow, projectBatch } from '../projection/initiative-projection';
import {
  createTables,
  dropTables,
  LIVE_TABLES,
  PROJECTION_NAME,
  ReadModelDatabase,
  REBUILD_TABLES,
  swapTables,
  TableSet,
} from './schema';

/** Another writer moved the checkpoint (a second projector, or a rebuild swapped in): reload and go on. */
export class CheckpointMovedError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Projection checkpoint is at ${actual}, expected ${expected}`);
    this.name = 'CheckpointMovedError';
  }
}

export interface ListFilter {
  status?: InitiativeStatus;
  category?: string;
  participant?: string;
  /** The inbox: awaiting this country's sign-off at this instant (an overdue initiative awaits no one). */
  pendingFor?: { country: string; at: Date };
  /** A focal point's country: only initiatives it takes part in. */
  visibleTo?: string;
  /** Only initiatives proposed before this position (the cursor). */
  before?: number;
  limit: number;
}

const OPEN_STATUSES: InitiativeStatus[] = ['awaiting-sign-offs', 'changes-requested'];
/** Rows per multi-row statement: far below SQLite's and PostgreSQL's limits on bound parameters. */
const CHUNK = 400;
/** A rebuild writes its rows once this many initiatives changed in memory (a few KB each). */
const REBUILD_BUFFER_ROWS = 10_000;
/** Initiatives read at a time when a rebuild fills its participants and pending sign-offs. */
const MEMBERSHIP_PAGE = 5_000;

/** Rebuild batches applied in memory and not yet written (see ReadStore.applyBatch). */
interface RebuildBuffer {
  /** The checkpoint the rebuild tables hold. */
  flushed: number;
  /** The last position applied in memory. */
  position: number;
  /** Every initiative the unwritten batches touched, as it is now. */
  rows: Map<string, InitiativeRow>;
  /** Those changed since `flushed`. */
  changed: Set<string>;
  /** Initiatives known to have no row (events of other streams' kinds never make one). */
  absent: Set<string>;
}

function emptyRebuildBuffer(position: number): RebuildBuffer {
  return {
    flushed: position,
    position,
    rows: new Map(),
    changed: new Set(),
    absent: new Set(),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The read model on SQLite (embedded default) or PostgreSQL, with one query code for both (Kysely).
 * Every batch of the log is applied with its checkpoint in one transaction: a crash at any point
 * neither loses nor repeats an update.
 */
export class ReadStore {
  /** The rebuild in progress in this process: its rows not yet written (see applyBatch). */
  private rebuild: RebuildBuffer | null = null;

  private constructor(
    private readonly writer: Kysely<ReadModelDatabase>,
    private readonly reader: Kysely<ReadModelDatabase>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  static sqlite(file: string): ReadStore {
    mkdirSync(dirname(file), { recursive: true });
    const open = (readonly: boolean) => {
      const database = new Database(file);
      database.pragma('journal_mode = WAL');
      // The read model can always be rebuilt from the log: a power cut may lose its last batches, never its consistency.
      database.pragma('synchronous = NORMAL');
      database.pragma('busy_timeout = 10000');
      if (readonly) database.pragma('query_only = true');
      return new Kysely<ReadModelDatabase>({ dialect: new SqliteDialect({ database }) });
    };
    return new ReadStore(open(false), open(true), 'sqlite');
  }

  static postgres(connectionString: string): ReadStore {
    const pool = new Pool({
      connectionString,
      max: 10,
      connectionTimeoutMillis: 5000,
      // Positions are bigint: read them as numbers, as the rest of Accord does.
      types: {
        getTypeParser: (oid: number, format?: string) =>
          oid === 20 ? Number : types.getTypeParser(oid, format as 'text'),
      } as never,
    });
    const db = new Kysely<ReadModelDatabase>({ dialect: new PostgresDialect({ pool }) });
    return new ReadStore(db, db, 'postgres');
  }

  async migrate(): Promise<void> {
    // Kysely finds its bookkeeping tables by name across every schema: name ours, or another schema's would be taken for it.
    const migrationTableSchema =
      this.dialect === 'postgres'
        ? (await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(this.writer)).rows[0]
            .schema
        : undefined;
    const migrator = new Migrator({
      db: this.writer,
      migrationTableSchema,
      provider: {
        getMigrations: async () => ({
          '001_initiatives': { up: (db: AnyDb) => createTables(db, LIVE_TABLES, 'g0') },
        }),
      },
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async checkpoint(tables: TableSet = LIVE_TABLES): Promise<number> {
    const row = await (this.writer as AnyDb)
      .selectFrom(tables.checkpoints)
      .select('position')
      .where('name', '=', PROJECTION_NAME)
      .executeTakeFirst();
    return Number(row?.position ?? 0);
  }

  /**
   * Applies a batch that follows `expected`; fails with CheckpointMovedError when another writer moved it.
   *
   * Batches of a rebuild (REBUILD_TABLES) are folded in memory first, and written with their checkpoint in one
   * transaction once `REBUILD_BUFFER_ROWS` initiatives changed (or when the rebuild finishes): an initiative
   * touched by many batches is written once, not once per batch. Nobody reads the rebuild tables before the swap,
   * and a rebuild that stops half-way starts again from zero, so nothing can tell the difference.
   */
  async applyBatch(
    expected: number,
    events: readonly StoredEvent[],
    tables: TableSet = LIVE_TABLES,
  ): Promise<void> {
    if (events.length === 0) return;
    if (tables === REBUILD_TABLES) return this.bufferRebuildBatch(expected, events);
    await this.writer
      .transaction()
      .execute((trx) => this.applyIn(trx as unknown as AnyDb, expected, events, tables));
  }

  private async applyIn(
    db: AnyDb,
    expected: number,
    events: readonly StoredEvent[],
    tables: TableSet,
  ): Promise<void> {
    await this.lockCheckpoint(db, expected, tables);
    const current = await this.loadRows(db, initiativeIdsOf(events), tables);
    const changed = [...projectBatch(current, events).values()];
    await this.writeRows(db, changed, current, tables);
    await this.saveCheckpoint(db, events[events.length - 1].position, tables);
  }

  /** Touching the checkpoint first takes the write lock, so two writers cannot both apply one batch. */
  private async lockCheckpoint(db: AnyDb, expected: number, tables: TableSet): Promise<void> {
    const locked = await db
      .updateTable(tables.checkpoints)
      .set((eb) => ({ position: eb.ref('position') }))
      .where('name', '=', PROJECTION_NAME)
      .returning('position')
      .executeTakeFirst();
    const actual = Number(locked?.position ?? 0);
    if (actual !== expected) throw new CheckpointMovedError(expected, actual);
  }

  private async saveCheckpoint(db: AnyDb, position: number, tables: TableSet): Promise<void> {
    await db.updateTable(tables.checkpoints).set({ position }).where('name', '=', PROJECTION_NAME).execute();
  }

  /** The stored rows of these initiatives (those that have one). */
  private async loadRows(
    db: AnyDb,
    ids: readonly string[],
    tables: TableSet,
  ): Promise<Map<string, InitiativeRow>> {
    const current = new Map<string, InitiativeRow>();
    for (let start = 0; start < ids.length; start += CHUNK) {
      const rows = await db
        .selectFrom(tables.views)
        .select(['initiative_id', 'state', 'revision', 'created_position'])
        .where('initiative_id', 'in', ids.slice(start, start + CHUNK))
        .execute();
      for (const row of rows) {
        current.set(row.initiative_id, {
          initiativeId: row.initiative_id,
          state: JSON.parse(row.state) as Initiative,
          revision: Number(row.revision),
          createdPosition: Number(row.created_position),
        });
      }
    }
    return current;
  }

  /**
   * Writes changed rows over `stored` (the same initiatives as stored now; absent: no row yet). Of the participants
   * and pending sign-offs, only the (initiative, country) pairs that changed are deleted or inserted: most events
   * change no participant and at most one pending sign-off.
   */
  private async writeRows(
    db: AnyDb,
    changed: readonly InitiativeRow[],
    stored: ReadonlyMap<string, InitiativeRow>,
    tables: TableSet,
    options: { membership: boolean } = { membership: true },
  ): Promise<void> {
    const ordered = [...changed].sort((a, b) => compare(a.initiativeId, b.initiativeId));
    for (let start = 0; start < ordered.length; start += CHUNK) {
      const chunk = ordered.slice(start, start + CHUNK);
      await db
        .insertInto(tables.views)
        .values(chunk.map(toViewRow))
        .onConflict((conflict) =>
          conflict.column('initiative_id').doUpdateSet((eb) => ({
            state: eb.ref('excluded.state'),
            revision: eb.ref('excluded.revision'),
            status: eb.ref('excluded.status'),
            category: eb.ref('excluded.category'),
            deadline_ms: eb.ref('excluded.deadline_ms'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    if (!options.membership) return;
    for (const [kind, countries] of MEMBERSHIP) {
      const table = tables[kind];
      const removed = new Map<string, string[]>();
      const added: MembershipRow[] = [];
      for (const row of changed) {
        const before = stored.get(row.initiativeId);
        // The membership tables hold what the stored state says.
        const was = before ? countries(before.state) : [];
        const is = countries(row.state);
        for (const country of was)
          if (!is.includes(country)) {
            const ids = removed.get(country);
            if (ids) ids.push(row.initiativeId);
            else removed.set(country, [row.initiativeId]);
          }
        for (const country of is)
          if (!was.includes(country)) added.push({ initiative_id: row.initiativeId, country });
      }
      for (const [country, ids] of removed)
        for (let at = 0; at < ids.length; at += CHUNK)
          await db
            .deleteFrom(table)
            .where('country', '=', country)
            .where('initiative_id', 'in', ids.slice(at, at + CHUNK))
            .execute();
      await insertInKeyOrder(db, table, added);
    }
  }

  /** A rebuild batch, folded into the rows in memory; written once enough initiatives changed. */
  private async bufferRebuildBatch(expected: number, events: readonly StoredEvent[]): Promise<void> {
    const buffer = this.rebuild;
    if (!buffer) throw new Error('applyBatch(REBUILD_TABLES) before prepareRebuild()');
    if (expected !== buffer.position) throw new CheckpointMovedError(expected, buffer.position);
    const missing = initiativeIdsOf(events).filter((id) => !buffer.rows.has(id) && !buffer.absent.has(id));
    if (missing.length > 0) {
      const loaded = await this.loadRows(this.writer as AnyDb, missing, REBUILD_TABLES);
      for (const id of missing) {
        const row = loaded.get(id);
        if (row) buffer.rows.set(id, row);
        else buffer.absent.add(id);
      }
    }
    for (const [id, row] of projectBatch(buffer.rows, events)) {
      buffer.rows.set(id, row);
      buffer.changed.add(id);
      buffer.absent.delete(id);
    }
    buffer.position = events[events.length - 1].position;
    if (buffer.changed.size >= REBUILD_BUFFER_ROWS) await this.flushRebuild();
  }

  /** Writes the rebuild rows held in memory, with their checkpoint, in one transaction. */
  private async flushRebuild(): Promise<void> {
    const buffer = this.rebuild;
    if (!buffer || buffer.position === buffer.flushed) return;
    const changed = [...buffer.changed].map((id) => buffer.rows.get(id) as InitiativeRow);
    await this.writer.transaction().execute(async (trx) => {
      const db = trx as unknown as AnyDb;
      await this.lockCheckpoint(db, buffer.flushed, REBUILD_TABLES);
      // Participants and pending sign-offs are filled once, from the final rows, when the rebuild finishes.
      await this.writeRows(db, changed, new Map(), REBUILD_TABLES, { membership: false });
      await this.saveCheckpoint(db, buffer.position, REBUILD_TABLES);
    });
    // The rows just written stay in memory: the initiatives busy in this stretch of the log are likely to be
    // touched again soon.
    this.rebuild = {
      ...emptyRebuildBuffer(buffer.position),
      rows: new Map(changed.map((row) => [row.initiativeId, row])),
    };
  }

  async findInitiative(initiativeId: string): Promise<{ state: Initiative; revision: number } | null> {
    const row = await this.reader
      .selectFrom('initiative_views')
      .select(['state', 'revision'])
      .where('initiative_id', '=', initiativeId)
      .executeTakeFirst();
    return row ? { state: JSON.parse(row.state) as Initiative, revision: Number(row.revision) } : null;
  }

  /** Newest first; one row more than the limit tells whether another page follows. */
  async list(
    filter: ListFilter,
  ): Promise<{ rows: { state: Initiative; revision: number; createdPosition: number }[]; hasMore: boolean }> {
    let query = this.reader
      .selectFrom('initiative_views as v')
      .select(['v.state', 'v.revision', 'v.created_position'])
      .orderBy('v.created_position', 'desc')
      .limit(filter.limit + 1);
    if (filter.status) query = query.where('v.status', '=', filter.status);
    if (filter.category) query = query.where('v.category', '=', filter.category);
    if (filter.before !== undefined) query = query.where('v.created_position', '<', filter.before);
    for (const country of [filter.participant, filter.visibleTo])
      if (country)
        query = query.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('initiative_participants as p')
              .select('p.country')
              .whereRef('p.initiative_id', '=', 'v.initiative_id')
              .where('p.country', '=', country),
          ),
        );
    if (filter.pendingFor) {
      const { country, at } = filter.pendingFor;
      query = query
        .where('v.deadline_ms', '>', at.getTime())
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('pending_sign_offs as s')
              .select('s.country')
              .whereRef('s.initiative_id', '=', 'v.initiative_id')
              .where('s.country', '=', country),
          ),
        );
    }
    const rows = await query.execute();
    return {
      rows: rows.slice(0, filter.limit).map((row) => ({
        state: JSON.parse(row.state) as Initiative,
        revision: Number(row.revision),
        createdPosition: Number(row.created_position),
      })),
      hasMore: rows.length > filter.limit,
    };
  }

  /** Open initiatives whose sign-off deadline has come. */
  async dueForExpiry(now: Date, limit: number): Promise<string[]> {
    const rows = await this.reader
      .selectFrom('initiative_views')
      .select('initiative_id')
      .where('status', 'in', OPEN_STATUSES)
      .where('deadline_ms', '<=', now.getTime())
      .orderBy('deadline_ms')
      .limit(limit)
      .execute();
    return rows.map((row) => row.initiative_id);
  }

  /** Empties the rebuild tables, ready to be filled from the start of the log. */
  async prepareRebuild(): Promise<void> {
    this.rebuild = null;
    await dropTables(this.writer as AnyDb, REBUILD_TABLES);
    await createTables(this.writer as AnyDb, REBUILD_TABLES, `r${Date.now().toString(36)}`);
    this.rebuild = emptyRebuildBuffer(0);
  }

  /**
   * Catches the rebuilt tables up with the events appended since they were last fed, and
   * swaps them in, all in one transaction: readers see the old read model or the new one, never a mix.
   */
  async finishRebuild(
    expected: number,
    readAfter: (position: number) => Promise<readonly StoredEvent[]>,
  ): Promise<void> {
    if (this.rebuild) {
      if (this.rebuild.position === expected) await this.flushRebuild();
      this.rebuild = null;
      await this.fillRebuildMembership();
    }
    await this.writer.transaction().execute(async (trx: Transaction<ReadModelDatabase>) => {
      const db = trx as unknown as AnyDb;
      let checkpoint = expected;
      for (let batch = await readAfter(checkpoint); batch.length > 0; batch = await readAfter(checkpoint)) {
        await this.applyIn(db, checkpoint, batch, REBUILD_TABLES);
        checkpoint = batch[batch.length - 1].position;
      }
      await swapTables(db);
    });
  }

  /**
   * Fills the rebuild's participants and pending sign-offs from its rows, in key order (appending to the indexes
   * instead of inserting all over them), a page of initiatives at a time.
   */
  private async fillRebuildMembership(): Promise<void> {
    const db = this.writer as AnyDb;
    for (let after: string | null = null; ;) {
      let query = db
        .selectFrom(REBUILD_TABLES.views)
        .select(['initiative_id', 'state'])
        .orderBy('initiative_id')
        .limit(MEMBERSHIP_PAGE);
      if (after !== null) query = query.where('initiative_id', '>', after);
      const rows: { initiative_id: string; state: string }[] = await query.execute();
      if (rows.length === 0) return;
      const states = rows.map((row) => ({
        id: row.initiative_id,
        state: JSON.parse(row.state) as Initiative,
      }));
      await db.transaction().execute(async (trx) => {
        for (const [kind, countries] of MEMBERSHIP)
          await insertInKeyOrder(
            trx,
            REBUILD_TABLES[kind],
            states.flatMap(({ id, state }) =>
              countries(state).map((country) => ({ initiative_id: id, country })),
            ),
          );
      });
      after = rows[rows.length - 1].initiative_id;
    }
  }

  async ping(): Promise<void> {
    await this.reader.selectFrom('projection_checkpoints').select('position').limit(1).execute();
  }

  async close(): Promise<void> {
    await this.writer.destroy();
    if (this.reader !== this.writer) await this.reader.destroy();
  }
}

type MembershipRow = { initiative_id: string; country: string };

/** The two membership tables, each derived from an initiative's state alone. */
const MEMBERSHIP = [
  ['participants', (state: Initiative) => state.participatingStates],
  ['pending', pendingStates],
] as const;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** In key order: each statement then fills neighbouring index pages rather than pages all over the index. */
async function insertInKeyOrder(db: AnyDb, table: string, rows: MembershipRow[]): Promise<void> {
  rows.sort((a, b) => compare(a.initiative_id, b.initiative_id) || compare(a.country, b.country));
  for (let at = 0; at < rows.length; at += CHUNK)
    await db
      .insertInto(table)
      .values(rows.slice(at, at + CHUNK))
      .execute();
}

function toViewRow(row: InitiativeRow) {
  const { state } = row;
  return {
    initiative_id: row.initiativeId,
    state: JSON.stringify(state),
    revision: row.revision,
    status: state.status,
    category: state.category,
    proposing_state: state.proposingState,
    deadline_ms: Date.parse(state.signOffDeadline),
    created_position: row.createdPosition,
    updated_at: state.updatedAt,
  };
}

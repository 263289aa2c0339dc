import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, Transaction } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool, types } from 'pg';
import { Initiative, InitiativeStatus } from '@accord/domain';
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
  pendingFor?: string;
  /** A focal point's country: only initiatives it takes part in. */
  visibleTo?: string;
  /** Only initiatives proposed before this position (the cursor). */
  before?: number;
  limit: number;
}

const OPEN_STATUSES: InitiativeStatus[] = ['awaiting-sign-offs', 'changes-requested'];
/** Rows per multi-row statement: far below SQLite's and PostgreSQL's limits on bound parameters. */
const CHUNK = 400;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The read model on SQLite (embedded default) or PostgreSQL, with one query code for both (Kysely).
 * Every batch of the log is applied with its checkpoint in one transaction: a crash at any point
 * neither loses nor repeats an update.
 */
export class ReadStore {
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

  /** Applies a batch that follows `expected`; fails with CheckpointMovedError when another writer moved it. */
  async applyBatch(
    expected: number,
    events: readonly StoredEvent[],
    tables: TableSet = LIVE_TABLES,
  ): Promise<void> {
    if (events.length === 0) return;
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
    // Touching the checkpoint first takes the write lock, so two writers cannot both apply one batch.
    const locked = await db
      .updateTable(tables.checkpoints)
      .set((eb) => ({ position: eb.ref('position') }))
      .where('name', '=', PROJECTION_NAME)
      .returning('position')
      .executeTakeFirst();
    const actual = Number(locked?.position ?? 0);
    if (actual !== expected) throw new CheckpointMovedError(expected, actual);

    const ids = initiativeIdsOf(events);
    const current = new Map<string, InitiativeRow>();
    for (let start = 0; start < ids.length; start += CHUNK) {
      const rows = await db
        .selectFrom(tables.views)
        .select(['initiative_id', 'state', 'revision', 'created_position'])
        .where('initiative_id', 'in', ids.slice(start, start + CHUNK))
        .execute();
      for (const row of rows) {
        const state = JSON.parse(row.state) as Initiative;
        current.set(row.initiative_id, {
          initiativeId: row.initiative_id,
          state,
          revision: Number(row.revision),
          createdPosition: Number(row.created_position),
          participants: [],
          pending: [],
        });
      }
    }

    const changed = [...projectBatch(current, events).values()];
    for (let start = 0; start < changed.length; start += CHUNK) {
      const chunk = changed.slice(start, start + CHUNK);
      const chunkIds = chunk.map((row) => row.initiativeId);
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
      await db.deleteFrom(tables.participants).where('initiative_id', 'in', chunkIds).execute();
      await db.deleteFrom(tables.pending).where('initiative_id', 'in', chunkIds).execute();
      const participants = chunk.flatMap((row) =>
        row.participants.map((country) => ({ initiative_id: row.initiativeId, country })),
      );
      const pending = chunk.flatMap((row) =>
        row.pending.map((country) => ({ initiative_id: row.initiativeId, country })),
      );
      for (let at = 0; at < participants.length; at += CHUNK)
        await db
          .insertInto(tables.participants)
          .values(participants.slice(at, at + CHUNK))
          .execute();
      for (let at = 0; at < pending.length; at += CHUNK)
        await db
          .insertInto(tables.pending)
          .values(pending.slice(at, at + CHUNK))
          .execute();
    }

    await db
      .updateTable(tables.checkpoints)
      .set({ position: events[events.length - 1].position })
      .where('name', '=', PROJECTION_NAME)
      .execute();
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
      const country = filter.pendingFor;
      query = query.where(({ exists, selectFrom }) =>
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
    await dropTables(this.writer as AnyDb, REBUILD_TABLES);
    await createTables(this.writer as AnyDb, REBUILD_TABLES, `r${Date.now().toString(36)}`);
  }

  /**
   * Catches the rebuilt tables up with the events appended since they were last fed, and
   * swaps them in, all in one transaction: readers see the old read model or the new one, never a mix.
   */
  async finishRebuild(
    expected: number,
    readAfter: (position: number) => Promise<readonly StoredEvent[]>,
  ): Promise<void> {
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

  async ping(): Promise<void> {
    await this.reader.selectFrom('projection_checkpoints').select('position').limit(1).execute();
  }

  async close(): Promise<void> {
    await this.writer.destroy();
    if (this.reader !== this.writer) await this.reader.destroy();
  }
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

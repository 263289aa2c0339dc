import Database from 'better-sqlite3';
import { Compilable, CompiledQuery, Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool, types } from 'pg';
import { preparingOnce, StoredEvent } from '@accord/event-store';
import {
  addFencingTokenColumn,
  currentFencingToken,
  Fence,
  FencedError,
  FENCING_TOKEN_COLUMN,
  holdFence,
  surviveServerDisconnects,
  withSessionSettings,
} from '@accord/lease';
import { AnyDb, Projection, TableNames } from '../projection';
import { PROJECTIONS } from '../projections';

/** Another writer moved a checkpoint (a second projector, or a rebuild swapped in): reload and go on. */
export class CheckpointMovedError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Projection checkpoint is at ${actual}, expected ${expected}`);
    this.name = 'CheckpointMovedError';
  }
}

/** The runner's own tables: where each projection stands in the log, and which version built its tables. */
const CHECKPOINTS = 'projection_checkpoints';
const VERSIONS = 'projection_versions';
/** A rebuild's generation of a table is this name beside the live one, until the swap. */
const REBUILDING = (table: string) => `${table}_rebuild`;

type Generation = 'live' | 'rebuild';

/**
 * The read store, and the runner of the projections registered with it: it creates their tables, keeps one
 * checkpoint per projection, applies each batch of the log with the checkpoints in one transaction (a crash at any
 * point neither loses nor repeats an update), rebuilds every projection into fresh tables while readers keep
 * reading the live ones, and swaps them in atomically. SQLite (embedded default) or PostgreSQL, one code (Kysely).
 */
export class ReadStore {
  /** The tag of the rebuild's generation of tables (prepareRebuild), for its indexes built at the end. */
  private rebuildTag: string | null = null;
  /** The projections the rebuild under way runs (Projection.forRebuild), from prepareRebuild to finishRebuild. */
  private rebuilders: readonly Projection[] = [];
  /** Each rebuilder's transaction of the latest batch: a projection may start a batch while another ends the last. */
  private rebuildWrites: Promise<void>[] = [];

  private constructor(
    private readonly writer: AnyDb,
    /** For queries: on SQLite a connection of its own that cannot write. */
    readonly reader: AnyDb,
    readonly dialect: 'sqlite' | 'postgres',
    readonly projections: readonly Projection[],
  ) {}

  /**
   * `writerCacheMb`: the writing connection's page cache, when not better-sqlite3's 16 MB (the live projector's
   * small batches touch the ends of the tables and indexes; a rebuild needs the whole cache).
   */
  static sqlite(
    file: string,
    projections: readonly Projection[] = PROJECTIONS,
    options: { writerCacheMb?: number } = {},
  ): ReadStore {
    mkdirSync(dirname(file), { recursive: true });
    const open = (readonly: boolean) => {
      const database = new Database(file);
      database.pragma('journal_mode = WAL');
      // The read model can always be rebuilt from the log: a power cut may lose its last batches, never its consistency.
      database.pragma('synchronous = NORMAL');
      database.pragma('busy_timeout = 10000');
      if (readonly) database.pragma('query_only = true');
      else if (options.writerCacheMb !== undefined)
        database.pragma(`cache_size = -${Math.round(options.writerCacheMb * 1000)}`);
      return new Kysely({ dialect: new SqliteDialect({ database: preparingOnce(database) }) });
    };
    return new ReadStore(open(false), open(true), 'sqlite', projections);
  }

  /**
   * `idleInTransactionTimeoutMs`: for a fenced writer (ACCORD_LEASE=postgres), how long PostgreSQL lets one of its
   * transactions sit idle before ending the session (`idleInTransactionTimeoutMs` of @accord/lease).
   */
  static postgres(
    connectionString: string,
    projections: readonly Projection[] = PROJECTIONS,
    options: { idleInTransactionTimeoutMs?: number } = {},
  ): ReadStore {
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
    surviveServerDisconnects(pool);
    const { idleInTransactionTimeoutMs } = options;
    const db = new Kysely({
      dialect: new PostgresDialect({
        pool,
        onCreateConnection:
          idleInTransactionTimeoutMs === undefined
            ? undefined
            : withSessionSettings({ idle_in_transaction_session_timeout: idleInTransactionTimeoutMs }),
      }),
    });
    return new ReadStore(db, db, 'postgres', projections);
  }

  /**
   * Creates what is missing. A projection whose tables were built by another version of it starts again from the
   * beginning of the log: its tables are emptied and its checkpoint set to 0, and the projector catches it up.
   * A store that is up to date is only read: a process starting beside a projector at work (another API replica, a
   * standby) takes no lock, where creating an index that exists still locks its table against the projector's writes.
   */
  async migrate(): Promise<void> {
    if (await this.upToDate()) return;
    await this.writer.transaction().execute(async (trx) => {
      await createCheckpoints(trx, CHECKPOINTS);
      await addFencingTokenColumn(trx, this.dialect, CHECKPOINTS);
      await trx.schema
        .createTable(VERSIONS)
        .ifNotExists()
        .addColumn('name', 'text', (column) => column.primaryKey())
        .addColumn('version', 'integer', (column) => column.notNull())
        .execute();
      for (const projection of this.projections) {
        const version = await storedVersion(trx, projection.name);
        if (version !== null && version !== projection.version)
          for (const table of projection.tables) await trx.schema.dropTable(table).ifExists().execute();
        await projection.createTables(trx, this.names(projection, 'live'), 'g0');
        await trx
          .insertInto(CHECKPOINTS)
          .values({ name: projection.name, position: 0 })
          .onConflict((conflict) =>
            version === projection.version
              ? conflict.column('name').doNothing()
              : conflict.column('name').doUpdateSet({ position: 0 }),
          )
          .execute();
        await trx
          .insertInto(VERSIONS)
          .values({ name: projection.name, version: projection.version })
          .onConflict((conflict) => conflict.column('name').doUpdateSet({ version: projection.version }))
          .execute();
      }
    });
  }

  private async upToDate(): Promise<boolean> {
    try {
      const versions = await this.writer.selectFrom(VERSIONS).select(['name', 'version']).execute();
      const checkpoints = await this.writer
        .selectFrom(CHECKPOINTS)
        .select(['name', FENCING_TOKEN_COLUMN])
        .execute();
      const built = new Map(versions.map((row) => [row.name, Number(row.version)]));
      const started = new Set(checkpoints.map((row) => row.name));
      return this.projections.every(
        (projection) => built.get(projection.name) === projection.version && started.has(projection.name),
      );
    } catch {
      return false; // a table or column is missing: migrate
    }
  }

  /** Where the projector follows the log from: the checkpoint of the projection furthest behind. */
  async checkpoint(): Promise<number> {
    const positions = await this.checkpoints('live');
    return Math.min(...this.projections.map((projection) => positions.get(projection.name) ?? 0));
  }

  /**
   * Applies a batch of the log that follows `expected`, each projection the events past its own checkpoint, with
   * the checkpoints, in one transaction. Fails with CheckpointMovedError when another writer moved a checkpoint
   * back before the batch (a rebuild swapped in, or a projection reset). With a `fence` (PostgreSQL only), the
   * transaction first holds the lease (FencedError when another process acquired it since), and each checkpoint it
   * moves records the fencing token.
   */
  async applyBatch(
    expected: number,
    events: readonly StoredEvent[],
    fence: Fence | null = null,
  ): Promise<void> {
    if (events.length === 0) return;
    if (fence && this.dialect !== 'postgres')
      throw new Error('A fenced read store must be PostgreSQL, where the lease lives');
    try {
      await this.writer.transaction().execute(async (trx) => {
        if (fence) await holdFence(trx, fence);
        await this.applyIn(trx, 'live', expected, events, false, fence?.token ?? null);
      });
    } catch (error) {
      if (fence && !(error instanceof FencedError)) await this.refuseIfFenced(fence);
      throw error;
    }
  }

  /**
   * A fenced batch that failed otherwise — typically its transaction ended by the server after this process was
   * paused mid-batch (`idleInTransactionTimeoutMs`) — is a refused write if the lease has moved on meanwhile.
   */
  private async refuseIfFenced(fence: Fence): Promise<void> {
    const current = await currentFencingToken(this.writer, fence.lease).catch(() => fence.token);
    if (current !== fence.token) throw new FencedError(fence.lease, fence.token, current);
  }

  private async applyIn(
    db: AnyDb,
    generation: Generation,
    expected: number,
    events: readonly StoredEvent[],
    rebuilding: boolean,
    fencingToken: number | null,
  ): Promise<void> {
    for (const projection of this.projections)
      await this.applyProjectionIn(db, generation, projection, expected, events, rebuilding, fencingToken);
  }

  /** One projection's part of applyIn: the events past its checkpoint, and its checkpoint moved to the last. */
  private async applyProjectionIn(
    db: AnyDb,
    generation: Generation,
    projection: Projection,
    expected: number,
    events: readonly StoredEvent[],
    rebuilding: boolean,
    fencingToken: number | null,
  ): Promise<void> {
    const checkpoints = this.tableName(CHECKPOINTS, generation);
    // Touching the checkpoint first takes the write lock: two writers cannot both apply one batch.
    const locked = await db
      .updateTable(checkpoints)
      .set((eb) => ({ position: eb.ref('position') }))
      .where('name', '=', projection.name)
      .returning('position')
      .executeTakeFirst();
    const position = Number(locked?.position ?? 0);
    if (position < expected) throw new CheckpointMovedError(expected, position);
    const pending = position === expected ? events : events.filter((event) => event.position > position);
    if (pending.length === 0) return;
    await projection.apply(db, this.names(projection, generation), pending, rebuilding);
    await db
      .updateTable(checkpoints)
      .set({ position: events[events.length - 1].position, fencing_token: fencingToken })
      .where('name', '=', projection.name)
      .execute();
  }

  /** Empties the rebuild's tables, ready to be filled from the start of the log. */
  async prepareRebuild(): Promise<void> {
    const tag = `r${Date.now().toString(36)}`;
    this.rebuildTag = tag;
    // What a projection keeps between batches saves PostgreSQL reading rows back and writing them again, each a round
    // trip and work for the server; SQLite reads them from its page cache in this process, for less than the memory
    // they would hold here.
    this.rebuilders = this.projections.map(
      (projection) => (this.dialect === 'postgres' ? projection.forRebuild?.() : undefined) ?? projection,
    );
    await this.writer.transaction().execute(async (trx) => {
      for (const table of this.liveTables())
        await trx.schema.dropTable(REBUILDING(table)).ifExists().execute();
      await createCheckpoints(trx, REBUILDING(CHECKPOINTS));
      for (const projection of this.projections) {
        await projection.createTables(trx, this.names(projection, 'rebuild'), tag, true);
        await trx
          .insertInto(REBUILDING(CHECKPOINTS))
          .values({ name: projection.name, position: 0 })
          .execute();
      }
    });
  }

  /**
   * A large batch of a rebuild, into its tables, where nobody reads: each projection in a transaction of its own
   * (with its own checkpoint), all at once. On PostgreSQL each takes a connection of its own, so that the server
   * writes one projection's rows while this process folds another's; SQLite's one connection runs them in turn.
   * Each projection takes the batch once it has written the one before: it returns when every projection has
   * written the one before, so that a projection whose rows cost the server more does not keep the others waiting
   * at the end of every batch. finishRebuild waits for the last.
   */
  async applyRebuildBatch(expected: number, events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const previous = this.rebuildWrites;
    this.rebuildWrites = this.rebuilders.map((projection, index) => {
      const written = (previous[index] ?? Promise.resolve()).then(() =>
        this.rebuildTransaction((trx) =>
          this.applyProjectionIn(trx, 'rebuild', projection, expected, events, true, null),
        ),
      );
      // Its failure is thrown by the next batch's call, or by finishRebuild's.
      written.catch(() => undefined);
      return written;
    });
    await allSettled(previous);
  }

  /**
   * A transaction that fills the rebuild's tables. On PostgreSQL it commits without waiting for its WAL to reach
   * the disk (`synchronous_commit = off`, this transaction only): a crash may lose its last commits, but these
   * tables are nobody's until the swap, which commits durably, and a rebuild cut short is started again from zero.
   */
  private async rebuildTransaction(work: (trx: AnyDb) => Promise<void>): Promise<void> {
    await this.writer.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres') await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      await work(trx);
    });
  }

  /**
   * Completes the rebuild's tables, catches them up with the events appended since, and swaps them in, in one
   * transaction: readers see the old read model or the new one, never a mix.
   */
  async finishRebuild(
    expected: number,
    readAfter: (position: number) => Promise<readonly StoredEvent[]>,
  ): Promise<void> {
    const tag = this.rebuildTag ?? `r${Date.now().toString(36)}`;
    const writes = this.rebuildWrites;
    this.rebuildWrites = [];
    await allSettled(writes);
    await allSettled(
      this.rebuilders.map(async (projection) => {
        const complete = projection.completeRebuild?.bind(projection);
        if (complete)
          await this.rebuildTransaction((trx) => complete(trx, this.names(projection, 'rebuild'), tag));
      }),
    );
    this.rebuilders = [];
    // Fresh tables have no statistics until autovacuum gets to them: PostgreSQL's planner would plan the lists on
    // default guesses meanwhile. (SQLite's plans do not depend on statistics: none are kept.)
    if (this.dialect === 'postgres')
      await allSettled(
        this.liveTables().map((table) => sql`ANALYZE ${sql.table(REBUILDING(table))}`.execute(this.writer)),
      );
    await this.writer.transaction().execute(async (trx) => {
      let checkpoint = expected;
      for (let batch = await readAfter(checkpoint); batch.length > 0; batch = await readAfter(checkpoint)) {
        await this.applyIn(trx, 'rebuild', checkpoint, batch, false, null);
        checkpoint = batch[batch.length - 1].position;
      }
      for (const table of this.liveTables()) {
        await trx.schema.dropTable(table).ifExists().execute();
        await sql`ALTER TABLE ${sql.table(REBUILDING(table))} RENAME TO ${sql.table(table)}`.execute(trx);
      }
    });
  }

  async ping(): Promise<void> {
    await this.pingQuery().execute();
  }

  /** What readiness reads from the read store: the ping, and the checkpoints (one row per projection). */
  readinessQueries(): Compilable<unknown>[] {
    return [this.pingQuery(), this.checkpointsQuery(this.reader, 'live')];
  }

  /**
   * How the store would run a query: SQLite's `EXPLAIN QUERY PLAN` (one line per step, indented by depth), or
   * PostgreSQL's `EXPLAIN` (its text lines). query-plans.int-spec.ts pins the plans of the queries served.
   */
  async explain(query: Compilable<unknown>): Promise<string[]> {
    const { sql: text, parameters } = query.compile();
    if (this.dialect === 'postgres') {
      const { rows } = await this.reader.executeQuery<Record<string, string>>(
        CompiledQuery.raw(`EXPLAIN ${text}`, [...parameters]),
      );
      return rows.map((row) => row['QUERY PLAN']);
    }
    const { rows } = await this.reader.executeQuery<{ id: number; parent: number; detail: string }>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${text}`, [...parameters]),
    );
    const depth = new Map<number, number>([[0, -1]]);
    return rows.map((row) => {
      const level = (depth.get(row.parent) ?? -1) + 1;
      depth.set(row.id, level);
      return `${'  '.repeat(level)}${row.detail}`;
    });
  }

  private pingQuery() {
    return this.reader.selectFrom(CHECKPOINTS).select('position').limit(1);
  }

  private checkpointsQuery(db: AnyDb, generation: Generation) {
    return db.selectFrom(this.tableName(CHECKPOINTS, generation)).select(['name', 'position']);
  }

  async close(): Promise<void> {
    await this.writer.destroy();
    if (this.reader !== this.writer) await this.reader.destroy();
  }

  private async checkpoints(generation: Generation): Promise<Map<string, number>> {
    const rows: { name: string; position: number }[] = await this.checkpointsQuery(
      this.writer,
      generation,
    ).execute();
    return new Map(rows.map((row) => [row.name, Number(row.position)]));
  }

  private liveTables(): string[] {
    return [...this.projections.flatMap((projection) => projection.tables), CHECKPOINTS];
  }

  private tableName(table: string, generation: Generation): string {
    return generation === 'live' ? table : REBUILDING(table);
  }

  private names(projection: Projection, generation: Generation): TableNames<string> {
    return Object.fromEntries(projection.tables.map((table) => [table, this.tableName(table, generation)]));
  }
}

/** Waits for every one of `work` to settle (none is left running), then fails with the first failure, if any. */
async function allSettled(work: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

async function createCheckpoints(db: AnyDb, table: string): Promise<void> {
  await db.schema
    .createTable(table)
    .ifNotExists()
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('position', 'bigint', (column) => column.notNull())
    // The fencing token of the process that moved it last (ACCORD_LEASE=postgres), else null.
    .addColumn(FENCING_TOKEN_COLUMN, 'bigint')
    .execute();
}

/**
 * The version that built a projection's tables; null when it has none yet. A store from before versions were kept
 * holds the first version of the projections it has a checkpoint for.
 */
async function storedVersion(db: AnyDb, name: string): Promise<number | null> {
  const row = await db.selectFrom(VERSIONS).select('version').where('name', '=', name).executeTakeFirst();
  if (row) return Number(row.version);
  const checkpoint = await db
    .selectFrom(CHECKPOINTS)
    .select('position')
    .where('name', '=', name)
    .executeTakeFirst();
  return checkpoint ? 1 : null;
}

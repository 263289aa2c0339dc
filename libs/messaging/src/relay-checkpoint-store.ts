import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { preparingOnce } from '@accord/event-store';
import {
  addFencingTokenColumn,
  currentFencingToken,
  Fence,
  FencedError,
  fenceHeld,
  surviveServerDisconnects,
} from '@accord/lease';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Pool } from 'pg';

/** Another relay moved the checkpoint (two active relays, or an operator reset it for a replay). */
export class RelayCheckpointMovedError extends Error {
  constructor(
    readonly checkpoint: string,
    readonly expected: number,
    readonly actual: number | null,
  ) {
    super(`Relay checkpoint ${checkpoint} is at ${actual ?? 'nothing'}, expected ${expected}`);
    this.name = 'RelayCheckpointMovedError';
  }
}

/** Where the relay remembers the last global log position Kafka acknowledged, one row per topic. */
export interface RelayCheckpointStore {
  /** The saved position (0 = nothing published yet). */
  load(name: string): Promise<number>;
  /**
   * Moves the checkpoint from `expected` to `position`; RelayCheckpointMovedError when it is not at `expected`. With a
   * `fence`, only while the fence holds (FencedError otherwise), recording its token with the checkpoint.
   */
  save(name: string, expected: number, position: number, fence?: Fence | null): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface RelayCheckpointDatabase {
  relay_checkpoints: {
    name: string;
    position: number | string;
    updated_at: string;
    /** The fencing token of the relay that saved it last (ACCORD_LEASE=postgres), else null. */
    fencing_token: number | string | null;
  };
}

/**
 * The relay's checkpoint on SQLite (`<dataDir>/relay.db`, the embedded default) or PostgreSQL (a
 * `relay_checkpoints` table next to the read model), with one query code for both (Kysely). It lives
 * apart from the read model's tables, which a projection rebuild swaps out.
 *
 * Durability: a checkpoint lost in a power cut only moves back, and the relay then publishes some
 * events again (at-least-once; consumers drop duplicates by id). It never moves ahead of what
 * Kafka acknowledged, because it is written only after the acknowledgement.
 */
export class SqlRelayCheckpointStore implements RelayCheckpointStore {
  private constructor(
    private readonly db: Kysely<RelayCheckpointDatabase>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  static sqlite(file: string): SqlRelayCheckpointStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 10000');
    return new SqlRelayCheckpointStore(
      new Kysely<RelayCheckpointDatabase>({
        dialect: new SqliteDialect({ database: preparingOnce(database) }),
      }),
      'sqlite',
    );
  }

  static postgres(connectionString: string): SqlRelayCheckpointStore {
    const pool = surviveServerDisconnects(
      new Pool({ connectionString, max: 2, connectionTimeoutMillis: 5000 }),
    );
    return new SqlRelayCheckpointStore(
      new Kysely<RelayCheckpointDatabase>({ dialect: new PostgresDialect({ pool }) }),
      'postgres',
    );
  }

  /**
   * Creates the table when missing. Deliberately not a Kysely Migrator: in PostgreSQL the read store's
   * migrator owns the database's migration table, and must not find migrations it does not know.
   */
  async migrate(): Promise<void> {
    await this.db.schema
      .createTable('relay_checkpoints')
      .ifNotExists()
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('position', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'text', (column) => column.notNull())
      .addColumn('fencing_token', 'bigint')
      .execute();
    await addFencingTokenColumn(this.db, this.dialect, 'relay_checkpoints');
  }

  async load(name: string): Promise<number> {
    const row = await this.db
      .selectFrom('relay_checkpoints')
      .select('position')
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(row?.position ?? 0);
  }

  /**
   * One statement each, so that nothing is held between them: the fence is a condition of the update itself (the
   * lease's row is share-locked for that statement), and the first save of a name creates the row at 0 to move from.
   */
  async save(name: string, expected: number, position: number, fence: Fence | null = null): Promise<void> {
    if (fence && this.dialect !== 'postgres')
      throw new Error('A fenced relay checkpoint must be in PostgreSQL, where the lease lives');
    const updatedAt = new Date().toISOString();
    if (expected === 0)
      await this.db
        .insertInto('relay_checkpoints')
        .values({ name, position: 0, updated_at: updatedAt, fencing_token: null })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .execute();
    let update = this.db
      .updateTable('relay_checkpoints')
      .set({ position, updated_at: updatedAt, fencing_token: fence?.token ?? null })
      .where('name', '=', name)
      .where('position', '=', expected);
    if (fence) update = update.where(fenceHeld(fence));
    const updated = await update.executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) return;
    if (fence) {
      const current = await currentFencingToken(this.db, fence.lease);
      if (current !== fence.token) throw new FencedError(fence.lease, fence.token, current);
    }
    const actual = await this.db
      .selectFrom('relay_checkpoints')
      .select('position')
      .where('name', '=', name)
      .executeTakeFirst();
    throw new RelayCheckpointMovedError(name, expected, actual ? Number(actual.position) : null);
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('relay_checkpoints').select('name').limit(1).execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Where `config` says the checkpoint lives: PostgreSQL with the PostgreSQL read store, else `<dataDir>/relay.db`. */
type CheckpointConfig = {
  dataDir: string;
  readStore: { kind: 'sqlite' } | { kind: 'postgres'; databaseUrl: string };
};

/** Where the relay keeps its checkpoints: beside the read model in PostgreSQL, else in `<dataDir>/relay.db`. */
export function relayCheckpointLocation(
  config: CheckpointConfig,
): { kind: 'postgres'; databaseUrl: string } | { kind: 'sqlite'; file: string } {
  return config.readStore.kind === 'postgres'
    ? config.readStore
    : { kind: 'sqlite', file: join(config.dataDir, 'relay.db') };
}

export async function openRelayCheckpointStore(config: CheckpointConfig): Promise<SqlRelayCheckpointStore> {
  const location = relayCheckpointLocation(config);
  const store =
    location.kind === 'postgres'
      ? SqlRelayCheckpointStore.postgres(location.databaseUrl)
      : SqlRelayCheckpointStore.sqlite(location.file);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

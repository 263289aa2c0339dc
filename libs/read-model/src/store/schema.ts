import { Kysely, sql } from 'kysely';

/** The tables of one generation of the read model; a rebuild fills a second set, then swaps it in. */
export interface TableSet {
  views: string;
  participants: string;
  pending: string;
  checkpoints: string;
}

export const LIVE_TABLES: TableSet = {
  views: 'initiative_views',
  participants: 'initiative_participants',
  pending: 'pending_sign_offs',
  checkpoints: 'projection_checkpoints',
};

export const REBUILD_TABLES: TableSet = {
  views: 'initiative_views_rebuild',
  participants: 'initiative_participants_rebuild',
  pending: 'pending_sign_offs_rebuild',
  checkpoints: 'projection_checkpoints_rebuild',
};

export const PROJECTION_NAME = 'initiatives';

/** The row shapes, as the database holds them. */
export interface ReadModelDatabase {
  initiative_views: {
    initiative_id: string;
    state: string;
    revision: number;
    status: string;
    category: string;
    proposing_state: string;
    deadline_ms: number;
    created_position: number;
    updated_at: string;
  };
  initiative_participants: { initiative_id: string; country: string };
  pending_sign_offs: { initiative_id: string; country: string };
  projection_checkpoints: { name: string; position: number };
}

/**
 * Creates a set of tables. Index names carry a tag unique to this generation, because a table keeps its
 * indexes' names when it is renamed into place.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function createTables(db: Kysely<any>, tables: TableSet, tag: string): Promise<void> {
  await db.schema
    .createTable(tables.views)
    .ifNotExists()
    .addColumn('initiative_id', 'text', (column) => column.primaryKey())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('revision', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('category', 'text', (column) => column.notNull())
    .addColumn('proposing_state', 'text', (column) => column.notNull())
    .addColumn('deadline_ms', 'bigint', (column) => column.notNull())
    .addColumn('created_position', 'bigint', (column) => column.notNull().unique())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex(`iv_status_${tag}`)
    .ifNotExists()
    .on(tables.views)
    .columns(['status', 'created_position'])
    .execute();
  await db.schema
    .createIndex(`iv_category_${tag}`)
    .ifNotExists()
    .on(tables.views)
    .columns(['category', 'created_position'])
    .execute();
  await db.schema
    .createIndex(`iv_deadline_${tag}`)
    .ifNotExists()
    .on(tables.views)
    .columns(['status', 'deadline_ms'])
    .execute();
  for (const table of [tables.participants, tables.pending]) {
    await db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('initiative_id', 'text', (column) => column.notNull())
      .addColumn('country', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint(`${table}_pk_${tag}`, ['initiative_id', 'country'])
      .execute();
    await db.schema
      .createIndex(`${table}_country_${tag}`)
      .ifNotExists()
      .on(table)
      .columns(['country', 'initiative_id'])
      .execute();
  }
  await db.schema
    .createTable(tables.checkpoints)
    .ifNotExists()
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('position', 'bigint', (column) => column.notNull())
    .execute();
  await db
    .insertInto(tables.checkpoints)
    .values({ name: PROJECTION_NAME, position: 0 })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function dropTables(db: Kysely<any>, tables: TableSet): Promise<void> {
  for (const table of Object.values(tables)) await db.schema.dropTable(table).ifExists().execute();
}

/** Puts the rebuilt tables in place of the live ones, in the caller's transaction. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function swapTables(db: Kysely<any>): Promise<void> {
  for (const key of Object.keys(LIVE_TABLES) as (keyof TableSet)[]) {
    await db.schema.dropTable(LIVE_TABLES[key]).ifExists().execute();
    await sql`ALTER TABLE ${sql.table(REBUILD_TABLES[key])} RENAME TO ${sql.table(LIVE_TABLES[key])}`.execute(
      db,
    );
  }
}
